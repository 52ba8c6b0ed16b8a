"""Builders for the parser-core tests: .docx files written as raw WordprocessingML (so
w:sdt, w:ins, w:gridBefore and vMerge are exactly what the test says) and .xlsx files
made with openpyxl."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

import openpyxl

from parsers import parse_bytes
from parsers.model import ParsedForm

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEADER = ["序号", "岗位", "廉政风险点", "风险等级", "防控措施", "责任人"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


@dataclass
class C:
    """A Word table cell: text (lines split on \\n), horizontal span, vMerge ('restart'/'continue')."""

    text: str = ""
    span: int = 1
    vmerge: str | None = None
    raw: str | None = None  # paragraph XML used instead of text (w:ins, smart tags...)


@dataclass
class R:
    cells: list
    grid_before: int = 0


def p(text: str) -> str:
    runs = "".join(f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in [text])
    return f"<w:p>{runs}</w:p>"


def tc(cell: C | str) -> str:
    cell = cell if isinstance(cell, C) else C(cell)
    props = ""
    if cell.span > 1:
        props += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif cell.vmerge == "continue":
        props += "<w:vMerge/>"
    body = cell.raw if cell.raw is not None else "".join(p(line) for line in cell.text.split("\n"))
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def tr(row: R | list) -> str:
    row = row if isinstance(row, R) else R(row)
    props = f'<w:trPr><w:gridBefore w:val="{row.grid_before}"/></w:trPr>' if row.grid_before else ""
    return f"<w:tr>{props}{''.join(tc(c) for c in row.cells)}</w:tr>"


def tbl(rows: list, cols: int | None = None) -> str:
    width = cols or max(sum((c.span if isinstance(c, C) else 1) for c in (r.cells if isinstance(r, R) else r))
                        + (r.grid_before if isinstance(r, R) else 0) for r in rows)
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{''.join(tr(r) for r in rows)}</w:tbl>"


def docx_bytes(*blocks: str, margins: dict[str, str] | None = None) -> bytes:
    """A minimal valid .docx whose body is the given block XML, in order; `margins` maps
    page header/footer part names ("header1") to their paragraph XML."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{"".join(blocks)}</w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
        for part, xml in (margins or {}).items():
            zf.writestr(f"word/{part}.xml", f'<w:hdr xmlns:w="{W_NS}">{xml}</w:hdr>')
    return out.getvalue()


def risk_rows(n: int, *, start: int = 1) -> list[list[str]]:
    """n distinct data rows for HEADER."""
    levels = ["高", "中", "低"]
    return [
        [str(i), f"岗位{i}", f"第{i}个风险点:审批中违规办理", levels[i % 3], f"1、措施甲{i};2、措施乙{i}。", f"责任人{i}"]
        for i in range(start, start + n)
    ]


def docx_form(rows: list, *, before: tuple[str, ...] = ("科室廉政风险防控排查表",), after: tuple[str, ...] = ()) -> bytes:
    return docx_bytes(*(p(t) for t in before), tbl(rows), *(p(t) for t in after))


def xlsx_bytes(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    """An .xlsx made by `build(workbook)`; the default sheet is removed first."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet(wb: openpyxl.Workbook, title: str, rows: list[list], merges: tuple[str, ...] = ()):
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    return ws


def parse_docx(data: bytes, **kwargs) -> ParsedForm:
    return parse_bytes(data, "form.docx", **kwargs)


def parse_xlsx(data: bytes, **kwargs) -> ParsedForm:
    return parse_bytes(data, "form.xlsx", **kwargs)
