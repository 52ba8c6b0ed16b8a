"""Many letters from one template at the cost of one render, then cut into one .docx each.

Rendering and saving a .docx per letter costs a render each and merging hundreds with docxcompose
grows faster than linearly, so 500 承诺书 would take minutes. Instead the template's body is wrapped in
a loop over the letters (each letter's values bound with {% with %}, a page break and a marker
bookmark between letters), rendered once as the merged document, and the merged body is cut at
the markers into per-letter documents that share every other part of the package.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from service.documents.render import Template, check_context, render

MARKER = "_lianfang_letter_"
_DOCUMENT = "word/document.xml"


def _tag(text: str) -> etree._Element:
    return parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>')


def repeated(template: Template, names: list[str]) -> Template:
    """`template` wrapped in a loop over `letters`, binding `names` from each letter."""
    doc = docx.Document(io.BytesIO(template.data))
    body = doc.element.body
    bindings = ", ".join(f"{n}=letter.{n}" for n in names)
    sect = body.find(qn("w:sectPr"))
    _restart_numbering(sect)
    section_break = etree.tostring(sect).decode()  # each letter a section: pages numbered from 1
    separator = parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr>{section_break}</w:pPr><w:bookmarkStart w:id="{{{{ 900000 + loop.index }}}}" '
        f'w:name="{MARKER}{{{{ loop.index }}}}"/><w:bookmarkEnd w:id="{{{{ 900000 + loop.index }}}}"/></w:p>')
    body.insert(0, _tag(f"{{%p with {bindings} %}}"))
    body.insert(0, _tag("{%p for letter in letters %}"))
    end = body.find(qn("w:sectPr"))
    for el in (_tag("{%p if not loop.last %}"), separator, _tag("{%p endif %}"), _tag("{%p endwith %}"),
               _tag("{%p endfor %}")):
        end.addprevious(el)
    out = io.BytesIO()
    doc.save(out)
    return Template(template.name, out.getvalue(), frozenset({"letters"}))


def _restart_numbering(sect: etree._Element) -> None:
    """A section that starts on a new page with its page numbers from 1."""
    for old in sect.findall(qn("w:pgNumType")) + sect.findall(qn("w:type")):
        sect.remove(old)
    kind = etree.SubElement(sect, qn("w:type"))
    kind.set(qn("w:val"), "nextPage")
    size = sect.find(qn("w:pgSz"))
    if size is not None:
        size.addprevious(kind)
    numbers = etree.SubElement(sect, qn("w:pgNumType"))
    numbers.set(qn("w:start"), "1")
    anchor = sect.find(qn("w:pgMar"))
    if anchor is not None:
        anchor.addnext(numbers)


def _is_separator(el: etree._Element) -> bool:
    mark = el.find(qn("w:bookmarkStart"))
    return mark is not None and (mark.get(qn("w:name")) or "").startswith(MARKER)


def split(merged: bytes) -> list[bytes]:
    """Cut a merged document at the separators: one .docx per letter."""
    with zipfile.ZipFile(io.BytesIO(merged)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    root = etree.fromstring(parts[_DOCUMENT])
    body = root.find(qn("w:body"))
    sect = body.find(qn("w:sectPr"))
    first_break = next((el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") for el in body if _is_separator(el)), None)
    if first_break is not None:  # the first letter's section holds the footers the others link to
        sect = first_break
    letters: list[list[etree._Element]] = [[]]
    for el in body:
        if el is sect:
            continue
        if _is_separator(el):
            letters.append([])
        else:
            letters[-1].append(el)
    out = []
    for children in letters:
        shell = etree.Element(root.tag, nsmap=root.nsmap, attrib=dict(root.attrib))
        new_body = etree.SubElement(shell, qn("w:body"))
        new_body.extend(children)  # moves them: `root` is not used again
        new_body.append(etree.fromstring(etree.tostring(sect)))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, data in parts.items():
                z.writestr(name, etree.tostring(shell, xml_declaration=True, encoding="UTF-8", standalone=True)
                           if name == _DOCUMENT else data)
        out.append(buf.getvalue())
    return out


def render_letters(template: Template, contexts: list[dict[str, Any]]) -> tuple[bytes, list[bytes]]:
    """(merged .docx with a page break between letters, one .docx per letter)."""
    check_context(template, contexts[0])
    names = sorted(template.used & contexts[0].keys())
    merged = render(repeated(template, names), {"letters": contexts})
    return merged, split(merged)

