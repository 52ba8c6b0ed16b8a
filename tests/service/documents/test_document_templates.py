"""Templates: user overrides, load-time rejection of broken templates, and values that must stay data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import docx.enum.text
import pytest

from service.config import reset_settings
from service.documents import DocumentError, generate
from service.documents.render import BUILTIN_DIR
from service.store.scope import Viewer
from tests.service.documents.conftest import UNIT, all_text, fill

ADMIN = Viewer.system()


def _user_template(folder: Path, kind: str, old: str, new: str) -> None:
    """Copy a built-in template into `folder`, replacing text in its first matching paragraph."""
    doc = docx.Document(str(BUILTIN_DIR / f"{kind}.docx"))
    paragraph = next(p for p in doc.paragraphs if old in p.text)
    text = paragraph.text.replace(old, new)
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = text
    folder.mkdir(exist_ok=True)
    doc.save(str(folder / f"{kind}.docx"))


@pytest.fixture
def templates(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "my_templates"
    monkeypatch.setenv("LIANFANG_TEMPLATES", str(folder))
    reset_settings()
    fill()
    return folder


def test_user_template_overrides_builtin(templates: Path) -> None:
    _user_template(templates, "summary", "扎实开展廉政风险防控工作", "认真开展自查自纠工作")
    result = generate("summary", {"unit": UNIT}, viewer=ADMIN)
    text = all_text(docx.Document(str(result.path)))
    assert "认真开展自查自纠工作" in text
    assert "扎实开展廉政风险防控工作" not in text


def test_template_with_syntax_error_is_rejected_naming_template_and_tag(templates: Path) -> None:
    _user_template(templates, "summary", "{{ figures.measures }}", "{{ figures.measures }")
    with pytest.raises(DocumentError) as err:
        generate("summary", {"unit": UNIT}, viewer=ADMIN)
    assert err.value.code == "template_syntax"
    assert "summary.docx" in err.value.message
    assert "figures.measures" in err.value.message


def test_unclosed_block_tag_is_rejected(templates: Path) -> None:
    _user_template(templates, "rectification", "{%p endfor %}", "")
    with pytest.raises(DocumentError) as err:
        generate("rectification", {"unit": UNIT, "items": ["x"]}, viewer=ADMIN)
    assert err.value.code == "template_syntax"
    assert "rectification.docx" in err.value.message and "endfor" in err.value.message


def test_template_lacking_a_required_variable_is_rejected(templates: Path) -> None:
    _user_template(templates, "rectification", "{{ deadline }}", "月底")
    with pytest.raises(DocumentError) as err:
        generate("rectification", {"unit": UNIT, "items": ["x"]}, viewer=ADMIN)
    assert err.value.code == "template_missing_variable"
    assert "rectification.docx" in err.value.message and "{{ deadline }}" in err.value.message


def test_template_using_an_unknown_variable_is_rejected(templates: Path) -> None:
    _user_template(templates, "summary", "{{ scope_name }}", "{{ scope_nmae }}")
    with pytest.raises(DocumentError) as err:
        generate("summary", {"unit": UNIT}, viewer=ADMIN)
    assert err.value.code == "template_unknown_variable" and "scope_nmae" in err.value.message


def test_a_file_that_is_not_a_docx_is_rejected(templates: Path) -> None:
    templates.mkdir(exist_ok=True)
    (templates / "manual.docx").write_bytes(b"not a zip at all")
    with pytest.raises(DocumentError) as err:
        generate("manual", {"unit": UNIT}, viewer=ADMIN)
    assert err.value.code == "template_invalid" and "manual.docx" in err.value.message


def test_sandbox_refuses_unsafe_template_code(templates: Path) -> None:
    _user_template(templates, "summary", "{{ title }}",
                   "{{ title.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(DocumentError) as err:
        generate("summary", {"unit": UNIT}, viewer=ADMIN)
    assert err.value.code == "template_unsafe" and "summary.docx" in err.value.message


INJECTIONS = [
    "{{ 7*7 }} 风险", "{% for x in range(3) %}循环{% endfor %}", "a < b && c > d 的风险",
    "控制\x01字符\x0b混入\x07\x0c", "</w:t></w:r><w:r><w:t>注入",
]


@pytest.mark.parametrize("kind", ["commitment", "manual", "summary"])
def test_store_values_are_data_not_template_code(store, kind: str) -> None:
    rows = [("财务科", "出纳", "刘芳", text, "岗位职责", "high", [text]) for text in INJECTIONS]
    fill(rows)
    params = {"unit": UNIT, "person": "刘芳"} if kind == "commitment" else {"unit": UNIT}
    result = generate(kind, params, viewer=ADMIN)
    doc = docx.Document(str(result.path))  # the file is well-formed
    text = all_text(doc)
    assert "{{ 7*7 }} 风险" in text and "49" not in text.replace("2026", "")
    assert "{% for x in range(3) %}循环{% endfor %}" in text
    assert "a < b && c > d 的风险" in text
    assert "控制字符混入" in text
    assert "</w:t></w:r><w:r><w:t>注入" in text
    with zipfile.ZipFile(io.BytesIO(result.path.read_bytes())) as z:
        assert b"\x01" not in z.read("word/document.xml")


def test_letters_of_a_user_template_with_its_own_page_breaks_are_cut_at_letter_bounds(templates: Path) -> None:
    doc = docx.Document(str(BUILTIN_DIR / "commitment.docx"))
    pledge = next(p for p in doc.paragraphs if p.text == "本人郑重承诺：")
    pledge.insert_paragraph_before("").add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    templates.mkdir(exist_ok=True)
    doc.save(str(templates / "commitment.docx"))
    result = generate("commitment", {"unit": UNIT}, viewer=ADMIN)
    with zipfile.ZipFile(result.path) as z:
        for name in ("财务科_刘芳.docx", "采购科_赵强.docx"):
            text = all_text(docx.Document(io.BytesIO(z.read(name))))
            person = name.split("_")[1].removesuffix(".docx")
            assert f"承诺人：{person}" in text and text.count("承诺人：") == 1
            assert "本人郑重承诺" in text  # the part after the template's own page break stays with its letter
