"""Excel .xls read natively, without LibreOffice, in each of the shapes offices send:

- BIFF8 (Excel 97–2003) and BIFF2–5 (Excel 2.x–95), through xlrd;
- HTML saved as .xls (web exports, "另存为网页" renamed): the page's tables;
- SpreadsheetML, Excel 2003's XML ("XML 表格"), renamed .xls.

Every shape ends in `xlsx.sheet_grid`, so merges, empty sheets and area limits are handled
once for all spreadsheets. Kingsoft .et files keep the LibreOffice path (`parsers.legacy`).
"""

from __future__ import annotations

import io
import re

from lxml import etree, html

from parsers.errors import fail
from parsers.grid import Grid, GridDocument, check_area
from parsers.sniff import OLE_MAGIC, XML_2003, is_biff_stream
from parsers.xlsx import EPOCH_1900, EPOCH_1904, INSTRUCTION_SHEETS, number_text, sheet_grid

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "title"}


def read(data: bytes) -> GridDocument:
    """The grids of an .xls in any of its shapes; the format stays 'xls'."""
    if data.startswith(OLE_MAGIC) or is_biff_stream(data):
        doc = _biff(data)
    elif XML_2003["xls"] in data[:4096]:
        doc = _spreadsheetml(data)
    else:
        doc = _html(data)
    doc.format = "xls"
    return doc


# ---------------------------------------------------------------- BIFF through xlrd

def _biff(data: bytes) -> GridDocument:
    import xlrd  # only an .xls pays for importing it

    log = io.StringIO()  # xlrd writes its warnings to stdout otherwise
    try:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=log)
        except NotImplementedError:  # merges (formatting) are not read for BIFF before 8
            book = xlrd.open_workbook(file_contents=data, logfile=log)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, AssertionError, IndexError, KeyError, ValueError,
            TypeError, UnicodeDecodeError, EOFError) as exc:
        raise fail("corrupt_file") from exc
    epoch = EPOCH_1904 if book.datemode else EPOCH_1900
    doc = GridDocument(format="xls")
    for sheet in book.sheets():
        if sheet.visibility or INSTRUCTION_SHEETS.search(sheet.name):
            continue
        values = {(r, c): text for r in range(sheet.nrows) for c, cell in enumerate(sheet.row(r))
                  if (text := _biff_text(cell, epoch)).strip()}
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        grid = sheet_grid(sheet.name, values, merges)
        if grid is not None:
            doc.grids.append(grid)
    return doc


def _biff_text(cell, epoch) -> str:
    from xlrd import XL_CELL_BOOLEAN, XL_CELL_DATE, XL_CELL_ERROR, XL_CELL_NUMBER, XL_CELL_TEXT

    if cell.ctype == XL_CELL_TEXT:
        return cell.value
    if cell.ctype in (XL_CELL_NUMBER, XL_CELL_DATE):
        return number_text(repr(float(cell.value)), cell.ctype == XL_CELL_DATE, epoch)
    if cell.ctype == XL_CELL_BOOLEAN:
        return "是" if cell.value else "否"
    return "" if cell.ctype == XL_CELL_ERROR else str(cell.value or "")


# ---------------------------------------------------------------- SpreadsheetML (Excel 2003 XML)

def _spreadsheetml(data: bytes) -> GridDocument:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise fail("corrupt_file") from exc
    doc = GridDocument(format="xls")
    for sheet in root.iter(SS + "Worksheet"):
        name = sheet.get(SS + "Name", "")
        table = sheet.find(SS + "Table")
        if table is None or INSTRUCTION_SHEETS.search(name):
            continue
        grid = sheet_grid(name, *_ml_cells(table))
        if grid is not None:
            doc.grids.append(grid)
    return doc


def _index(el: etree._Element, after: int) -> int:
    """ss:Index (1-based) where given, else the position after the previous one."""
    value = el.get(SS + "Index")
    return int(value) - 1 if value and value.isdigit() else after + 1


def _ml_cells(table: etree._Element) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    values: dict[tuple[int, int], str] = {}
    merges = []
    r = -1
    for row in table.iter(SS + "Row"):
        r = _index(row, r)
        c = -1
        for cell in row.iter(SS + "Cell"):
            c = _index(cell, c)
            data = cell.find(SS + "Data")
            text = "".join(data.itertext()) if data is not None else ""
            if data is not None and data.get(SS + "Type") == "DateTime":
                text = text.split("T")[0] if text.endswith(("T00:00:00", "T00:00:00.000")) else text
            if text.strip():
                values[(r, c)] = text
            down, across = int(cell.get(SS + "MergeDown", "0")), int(cell.get(SS + "MergeAcross", "0"))
            if down or across:
                merges.append((r, c, r + down, c + across))
            c += across
    return values, merges


# ---------------------------------------------------------------- HTML tables

def _html(data: bytes) -> GridDocument:
    try:
        root = html.document_fromstring(data, parser=html.HTMLParser(no_network=True, remove_comments=True))
    except (etree.ParserError, ValueError) as exc:
        raise fail("corrupt_file") from exc
    for br in root.iter("br"):  # a line break inside a cell
        br.tail = "\n" + (br.tail or "")
    doc = GridDocument(format="xls")
    pending: list[str] = []
    for el in root.iter("table", *_BLOCKS):
        if el.tag != "table":
            if next(el.iterancestors("table"), None) is None:
                pending += [line for line in el.text_content().split("\n") if line.strip()]
            continue
        if next(el.iterancestors("table"), None) is not None:
            continue
        grid = _html_grid(el, len(doc.grids))
        if grid is not None:
            grid.before, pending = pending, []
            doc.lines += grid.before
            doc.grids.append(grid)
    if doc.grids:
        doc.grids[-1].after = pending
    doc.lines += pending
    return doc


def _span(cell: etree._Element, name: str) -> int:
    value = re.sub(r"\D", "", cell.get(name, "") or "")
    return max(1, min(int(value), 1000)) if value else 1


def _html_grid(table: etree._Element, index: int) -> Grid | None:
    values: dict[tuple[int, int], str] = {}
    merges = []
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            down, across = _span(td, "rowspan"), _span(td, "colspan")
            text = "\n".join(line.strip() for line in td.text_content().split("\n") if line.strip())
            if text:
                values[(r, c)] = text
            if down > 1 or across > 1:
                merges.append((r, c, r + down - 1, c + across - 1))
            check_area(len(taken) + down * across, 1)  # spans claiming millions of cells are refused
            taken.update((rr, cc) for rr in range(r, r + down) for cc in range(c, c + across))
            c += across
    grid = sheet_grid("", values, merges)
    if grid is not None:
        grid.sheet, grid.table = None, index
    return grid
