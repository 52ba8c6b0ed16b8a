"""The docxtpl renderer: templates are checked when loaded, values are data, never code.

Templates come from LIANFANG_TEMPLATES when that folder holds a file of the same name, else
from the built-in templates_docx/. A template is parsed with the same sandboxed Jinja
environment that renders it, so a syntax error or a missing required variable is reported at
load time, naming the template and the tag. Values are autoescaped (< > & stay text) and
stripped of characters XML forbids; "{{ … }}" inside a value is never evaluated, because
docxtpl renders the template's XML once and values are only substituted into it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from service.config import settings
from service.documents import gbt9704, layout
from service.documents.errors import DocumentError

BUILTIN_DIR = Path(str(resources.files("templates_docx")))  # package data, installed with the code
# XML 1.0 forbids these; \a and \f would also be read by docxtpl as paragraph/page breaks.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"\{[{%].*?[}%]\}")


@dataclass(frozen=True, slots=True)
class Image:
    """A picture for the context (e.g. a chart); becomes a docxtpl InlineImage at render time."""

    png: bytes
    width_mm: float = 140


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True)


def template_path(name: str) -> Path:
    override = settings().templates
    if override and (override / name).is_file():
        return override / name
    return BUILTIN_DIR / name


@dataclass(frozen=True, slots=True)
class Template:
    """A checked template: its bytes (reopened for each render) and the variables it uses."""

    name: str
    data: bytes
    used: frozenset[str]

    def open(self) -> DocxTemplate:
        return DocxTemplate(io.BytesIO(self.data))


def _source(tpl: DocxTemplate) -> str:
    """The Jinja source docxtpl renders: body, headers and footers, one paragraph per line."""
    parts = [tpl.get_xml()]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in tpl.docx.part.rels.values():
            if rel.reltype == uri:
                parts.append(tpl.xml_to_string(rel.target_part.element))
    xml = "\n".join(tpl.patch_xml(p) for p in parts)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _tag_at(source: str, lineno: int | None) -> str:
    """The tag that breaks line `lineno`: an unclosed one, or an expression that does not parse."""
    lines = source.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]) if lineno and lineno <= len(lines) else ""
    openers = [m.start() for m in re.finditer(r"\{[{%]", text)]
    for i, start in enumerate(openers):
        closer = "}}" if text[start + 1] == "{" else "%}"
        end = text.find(closer, start + 2)
        following = openers[i + 1] if i + 1 < len(openers) else len(text)
        if end == -1 or end > following:
            return text[start:following].strip()[:80]
        tag = text[start:end + 2]
        if closer == "}}":
            try:
                environment().parse(tag)
            except TemplateSyntaxError:
                return tag[:80]
    tags = _TAG.findall(text)
    return (tags[-1] if tags else text.strip())[:80]


def load(name: str, required: frozenset[str]) -> Template:
    """Open template `name`, refusing it unless it parses and uses every `required` variable."""
    path = template_path(name)
    try:
        data = path.read_bytes()
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
        source = _source(tpl)
    except Exception as exc:  # a missing or non-Word file: python-docx raises many kinds
        raise DocumentError("template_invalid", f"模板 {path.name} 无法打开,不是有效的 Word(.docx)文件") from exc
    try:
        used = meta.find_undeclared_variables(environment().parse(source))
    except TemplateSyntaxError as exc:
        raise DocumentError(
            "template_syntax",
            f"模板 {path.name} 的标签 {_tag_at(source, exc.lineno)} 有语法错误:{exc.message}",
        ) from exc
    missing = sorted(required - used)
    if missing:
        names = "、".join(f"{{{{ {v} }}}}" for v in missing)
        raise DocumentError("template_missing_variable", f"模板 {path.name} 缺少必需的变量 {names}")
    return Template(path.name, data, frozenset(used))


def clean_text(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)


def strip_illegal_xml(value: Any) -> Any:
    """Strip XML-illegal characters from every string in a context (recursively)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: strip_illegal_xml(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_illegal_xml(v) for v in value]
    return value


def _images(tpl: DocxTemplate, value: Any) -> Any:
    if isinstance(value, Image):
        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: _images(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_images(tpl, v) for v in value]
    return value


def check_context(template: Template, context: dict[str, Any]) -> None:
    """Refuse a template that uses a variable the kind does not provide (a typo would print nothing)."""
    unknown = sorted(template.used - context.keys())
    if unknown:
        names = "、".join(f"{{{{ {v} }}}}" for v in unknown)
        raise DocumentError("template_unknown_variable", f"模板 {template.name} 使用了未知的变量 {names}")


def render(template: Template, context: dict[str, Any]) -> bytes:
    """Render `template` with `context`, apply the GB/T 9704 base styles, return .docx bytes."""
    check_context(template, context)
    tpl = template.open()
    try:
        tpl.render(_images(tpl, strip_illegal_xml(context)), environment(), autoescape=True)
    except SecurityError as exc:
        raise DocumentError("template_unsafe", f"模板 {template.name} 含有不允许的操作:{exc}") from exc
    except TemplateError as exc:  # e.g. a filter applied to the wrong kind of value
        raise DocumentError("template_error", f"模板 {template.name} 渲染失败:{exc}") from exc
    layout.finish(tpl.docx)
    gbt9704.apply_base_styles(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
