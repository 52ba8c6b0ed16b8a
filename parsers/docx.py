"""Word (.docx) reader: walks word/document.xml with lxml into Grids and text lines.

Not python-docx's table API: that is quadratic in table size and misses content in
content controls (w:sdt), tracked insertions (w:ins), custom XML and smart tags, rows
with w:gridBefore, and a vertical merge that continues in a table's first row.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from parsers.errors import fail
from parsers.grid import MAX_COLUMNS, Cell, Grid, GridDocument, check_area

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = W + "p", W + "tbl", W + "tr", W + "tc"
_T, _TAB, _BR, _CR = W + "t", W + "tab", W + "br", W + "cr"
# Wrappers whose children belong to the enclosing block, row or cell.
_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"}
_VAL = W + "val"
_TRPR, _TCPR = W + "trPr", W + "tcPr"
_BLOCKS = (_P, _TBL)


def _xml(data: bytes) -> etree._Element:
    """Parsed without entity expansion or network access; Strict OOXML read as transitional."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data.replace(_STRICT_W, W[1:-1].encode()), parser)


def _children(el: etree._Element, wanted: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Children with tag `wanted`, looking through sdt/customXml/ins wrappers."""
    tags = wanted if isinstance(wanted, tuple) else (wanted,)
    for child in el:
        tag = child.tag
        if tag in tags:
            yield child
        elif tag in _WRAPPERS:
            yield from _children(child, tags)


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if el.tag == _T:
            parts.append(el.text or "")
        else:
            parts.append("\t" if el.tag == _TAB else "\n")
    return "".join(parts)


def _props(props: etree._Element | None) -> dict[str, str | None]:
    """A row's or cell's properties as {local name: w:val} (one pass, no path lookups)."""
    if props is None:
        return {}
    return {child.tag[len(W):]: child.get(_VAL) for child in props if child.tag.startswith(W)}


def _first(el: etree._Element, tag: str) -> etree._Element | None:
    """The properties element (w:trPr, w:tcPr), which the schema puts first; find() if not."""
    return el[0] if len(el) and el[0].tag == tag else el.find(tag)


_SPAN, _VMERGE = W + "gridSpan", W + "vMerge"


def _cell_props(props: etree._Element | None) -> tuple[int, bool]:
    """(gridSpan, whether the cell continues a vertical merge) of a w:tcPr."""
    span, merge = 1, False
    for child in props if props is not None else ():
        if child.tag == _SPAN:
            span = max(1, _int(child.get(_VAL), 1))
        elif child.tag == _VMERGE:
            merge = child.get(_VAL) in (None, "continue")
    return span, merge


def _columns(count: int) -> int:
    """`count`, or ParseError when a row claims more columns than any real table has."""
    if count > MAX_COLUMNS:
        raise fail("too_large", "表格列数过多,超出允许范围")
    return count


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Walker:
    """Collects grids and lines in document order."""

    def __init__(self) -> None:
        self.grids: list[Grid] = []
        self.lines: list[str] = []
        self._pending: list[str] = []  # lines since the last grid
        self._tables = 0

    def blocks(self, parent: etree._Element, *, nested: bool = False) -> None:
        for el in _children(parent, (_P, _TBL)):
            if el.tag == _P:
                self.text(_paragraph_text(el))
            else:
                self._table(el, nested=nested)

    def text(self, text: str) -> None:
        for line in text.split("\n"):
            if line.strip():
                self.lines.append(line)
                self._pending.append(line)

    def _add(self, grid: Grid) -> None:
        if self.grids:
            self.grids[-1].after = list(self._pending)
        grid.before, self._pending = self._pending, []
        self.grids.append(grid)

    def finish(self) -> GridDocument:
        if self.grids:
            self.grids[-1].after = list(self._pending)
        return GridDocument(format="docx", grids=self.grids, lines=self.lines)

    def _table(self, tbl: etree._Element, *, nested: bool) -> None:
        index = None if nested else self._tables
        if not nested:
            self._tables += 1
        # In a table holding tables (a layout table, usually) the cell paragraphs are also
        # the document's text: the title and header lines of the inner risk table.
        holds_tables = tbl.find(".//" + _TBL) is not None
        grid = Grid(rows=[], table=index, nested=nested)
        self._add(grid)
        rows: list[list[Cell | None]] = []
        width = 0
        for tr in _children(tbl, _TR):
            row_props = _props(_first(tr, _TRPR))
            if "del" in row_props:  # a row deleted with changes tracked is not in the document
                continue
            row = self._row(tr, len(rows), rows[-1] if rows else [], _int(row_props.get("gridBefore"), 0), holds_tables)
            rows.append(row)
            if len(row) > width:
                width = len(row)
                check_area(len(rows), width)
            elif not len(rows) % 64:
                check_area(len(rows), width)
        check_area(len(rows), width)
        grid.rows = [
            [cell if cell is not None else Cell("", r, c) for c, cell in enumerate(row + [None] * (width - len(row)))]
            for r, row in enumerate(rows)
        ]
        grid.row_numbers = list(range(1, len(rows) + 1))

    def _row(self, tr: etree._Element, r: int, above: list[Cell | None], before: int,
             holds_tables: bool) -> list[Cell | None]:
        row: list[Cell | None] = [None] * _columns(before)
        for tc in _children(tr, _TC):
            span, merge = _cell_props(_first(tc, _TCPR))
            c = len(row)
            span = _columns(c + span) - c
            origin = above[c] if c < len(above) else None
            if merge and origin is not None:
                origin.rowspan = r - origin.row + 1
                row.extend([origin] * span)
                continue
            cell = Cell(self._cell_text(tc, holds_tables), r, c, colspan=span)
            row.extend([cell] * span)
        return row

    def _cell_text(self, tc: etree._Element, holds_tables: bool) -> str:
        paragraphs = []
        for el in _children(tc, _BLOCKS):
            if el.tag == _TBL:
                self._table(el, nested=True)
                continue
            paragraphs.append(_paragraph_text(el))
            if holds_tables:
                self.text(paragraphs[-1])
        return "\n".join(paragraphs).strip()


def _margin_lines(zf: zipfile.ZipFile, kind: str) -> list[str]:
    """Text of the page headers or footers (填报单位 or 填表人 sometimes sit there), once each."""
    lines: dict[str, None] = {}
    for name in sorted(n for n in zf.namelist() if re.fullmatch(rf"word/{kind}\d*\.xml", n)):
        for p in _xml(zf.read(name)).iter(_P):
            lines.update(dict.fromkeys(line for line in _paragraph_text(p).split("\n") if line.strip()))
    return list(lines)


def read(data: bytes) -> GridDocument:
    """The grids and text lines of a .docx file; page headers count as text before the body."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = _xml(zf.read("word/document.xml"))
            headers, footers = _margin_lines(zf, "header"), _margin_lines(zf, "footer")
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise fail("corrupt_file") from exc
    for fallback in list(root.iter(_MC_FALLBACK)):  # duplicates of mc:Choice content
        fallback.getparent().remove(fallback)
    body = root.find(W + "body")
    walker = _Walker()
    walker.text("\n".join(headers))
    if body is not None:
        walker.blocks(body)
    walker.text("\n".join(footers))
    return walker.finish()
