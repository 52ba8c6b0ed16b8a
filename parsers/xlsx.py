"""Excel (.xlsx) reader: every visible data sheet to a Grid, merges explicit.

The workbook parts are read with lxml (hardened, as in `docx`), not openpyxl: loading a
workbook through openpyxl builds objects nobody reads and importing it pulls in numpy
(figures: bench/README.md). Formulas give their cached
values; a formula Excel never calculated (files written by scripts) has none, reads as
empty and is reported. Dates become ISO text (1904 mode too), numbers are written as
Excel shows them ("3", not "3.0"). Instruction sheets (填表说明) and hidden sheets are
skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile

from lxml import etree

from parsers.errors import fail
from parsers.grid import Cell, Grid, GridDocument, check_area

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_V, _F, _IS = M + "v", M + "f", M + "is"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRICT = (
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
)
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
INSTRUCTION_SHEETS = re.compile(r"说明|须知|填表要求|填报要求|示例|样表")
_REF = re.compile(r"([A-Z]+)(\d+)")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how OOXML writes control characters such as CR
# Built-in number formats that show dates: 14-22 and 45-47, and the East Asian 27-36, 50-58.
_DATE_FORMAT_IDS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))
_LITERALS = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.')  # [Red], [$-804], "年", \- carry no date code
_DATE_CODES = re.compile(r"[dmyhs]", re.I)
EPOCH_1900 = dt.datetime(1899, 12, 30)  # serial 60 is Excel's phantom 1900-02-29
EPOCH_1904 = dt.datetime(1904, 1, 1)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _xml(zf: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        xml = zf.read(name)
    except KeyError:
        return None
    for strict, transitional in _STRICT:  # "Strict Open XML" saves: same markup, other namespaces
        xml = xml.replace(strict, transitional)
    return etree.fromstring(xml, _parser())


def _text_of(el: etree._Element) -> str:
    """Text of a shared or inline string, without phonetic runs (rPh), escapes (_x000D_) undone."""
    text = "".join(t.text or "" for t in el.iter(M + "t") if t.getparent().tag != M + "rPh")
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    root = _xml(zf, "xl/sharedStrings.xml")
    return [] if root is None else [_text_of(si) for si in root.iter(M + "si")]


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a date."""
    root = _xml(zf, "xl/styles.xml")
    if root is None:
        return set()
    custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(M + "numFmt")}
    xfs = root.find(M + "cellXfs")
    dates = set()
    for i, xf in enumerate(xfs if xfs is not None else ()):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in _DATE_FORMAT_IDS or _DATE_CODES.search(_LITERALS.sub("", custom.get(fmt, ""))):
            dates.add(i)
    return dates


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def number_text(text: str, date: bool, epoch: dt.datetime) -> str:
    try:
        value = float(text)
    except ValueError:  # not a number after all: keep what the file says
        return text
    if date:
        if epoch == EPOCH_1900 and value < 60:
            value += 1  # before Excel's phantom 1900-02-29
        moment = epoch + dt.timedelta(days=value)
        return moment.date().isoformat() if not (value % 1) else moment.isoformat(sep=" ", timespec="minutes")
    return str(int(value)) if value.is_integer() else repr(value)


class _Book:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.strings = _shared_strings(zf)
        self.dates = _date_styles(zf)
        workbook = _xml(zf, "xl/workbook.xml")
        if workbook is None:
            raise fail("corrupt_file")
        props = workbook.find(M + "workbookPr")
        mac = props is not None and props.get("date1904") in ("1", "true")
        self.epoch = EPOCH_1904 if mac else EPOCH_1900
        rels = _xml(zf, "xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in (rels.iter(_PKG_REL) if rels is not None else ())}
        self.sheets = [
            (s.get("name", ""), s.get("state", "visible"), self._path(targets.get(s.get(_REL), "")))
            for s in workbook.iter(M + "sheet")
        ]
        self.uncalculated: list[str] = []

    @staticmethod
    def _path(target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))

    def value(self, c: etree._Element, where: str) -> str:
        kind = c.get("t", "n")
        text = inline = formula = None
        for child in c:  # one pass: lxml's find() parses its path on every call
            if child.tag == _V:
                text = child.text
            elif child.tag == _F:
                formula = child
            elif child.tag == _IS:
                inline = child
        if kind == "inlineStr":
            return _text_of(inline) if inline is not None else ""
        if text is None:
            if formula is not None:
                self.uncalculated.append(where)
            return ""
        return self._typed(kind, text, c)

    def _typed(self, kind: str, text: str, c: etree._Element) -> str:
        if kind == "s":
            index = int(text)
            return self.strings[index] if 0 <= index < len(self.strings) else ""
        if kind == "b":
            return "是" if text == "1" else "否"
        if kind == "d":
            return text.split("T")[0] if text.endswith("T00:00:00") or "T" not in text else text
        if kind in ("str", "e"):
            return text
        return number_text(text, int(c.get("s", "0")) in self.dates, self.epoch)

    def grid(self, name: str, path: str) -> Grid | None:
        root = _xml(self.zf, path)
        if root is None:
            return None
        values: dict[tuple[int, int], str] = {}
        r = -1
        for row in root.iter(M + "row"):
            r = int(row.get("r")) - 1 if row.get("r") else r + 1
            c = -1
            for cell in row.iter(M + "c"):
                ref = _REF.match(cell.get("r", ""))
                c = _column(ref.group(1)) if ref else c + 1
                text = self.value(cell, f"{name}!{ref.group(0) if ref else ''}")
                if text.strip():
                    values[(r, c)] = text
        merges = []
        for merge in root.iter(M + "mergeCell"):
            ends = _REF.findall(merge.get("ref", ""))
            if len(ends) == 2:
                (c0, r0), (c1, r1) = ends
                merges.append((int(r0) - 1, _column(c0), int(r1) - 1, _column(c1)))
        return sheet_grid(name, values, merges)


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (inclusive, 0-based)


def sheet_grid(name: str, values: dict[tuple[int, int], str], merges: list[Merge]) -> Grid | None:
    """A sheet's used area as a Grid, merges made explicit; None for an empty sheet. Shared by
    every spreadsheet reader (.xlsx, .xls through xlrd, SpreadsheetML and HTML tables)."""
    if not values:
        return None
    top = min(r for r, _ in values)
    height = max(r for r, _ in values) - top + 1
    width = max(c for _, c in values) + 1
    check_area(height, width)
    rows = [[Cell(values.get((top + i, c), ""), i, c) for c in range(width)] for i in range(height)]
    covered = 0
    for r0, c0, r1, c1 in merges:
        r0, r1, c1 = r0 - top, min(r1 - top, height - 1), min(c1, width - 1)
        if r0 < 0 or r0 >= height or c0 >= width or r1 < r0 or c1 < c0:
            continue
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
        check_area(covered, 1)  # overlapping merges must not multiply the work
        _merge(rows, r0, c0, r1, c1)
    return Grid(rows=rows, sheet=name, row_numbers=list(range(top + 1, top + height + 1)))


def _merge(rows: list[list[Cell]], r0: int, c0: int, r1: int, c1: int) -> None:
    origin = rows[r0][c0]
    origin.rowspan, origin.colspan = r1 - r0 + 1, c1 - c0 + 1
    for rr in range(r0, r1 + 1):
        for cc in range(c0, c1 + 1):
            rows[rr][cc] = origin


def read(data: bytes) -> GridDocument:
    """The grids of an .xlsx workbook's visible data sheets."""
    doc = GridDocument(format="xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = _Book(zf)
            for name, state, path in book.sheets:
                if state == "visible" and not INSTRUCTION_SHEETS.search(name):
                    grid = book.grid(name, path)
                    if grid is not None:
                        doc.grids.append(grid)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, ValueError, OverflowError, KeyError) as exc:
        raise fail("corrupt_file") from exc
    if book.uncalculated:
        cells = "、".join(book.uncalculated[:10])
        doc.warnings.append(("formula_without_value", f"公式单元格没有计算结果,按空白读取:{cells}。请在 Excel 中打开并保存后重新上传"))
    return doc
