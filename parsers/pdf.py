"""Text PDFs to grids with pdfplumber, repairing what Word/WPS/LibreOffice exports do to tables.

pdfplumber finds ruled tables well but leaves the rest to us: a table running over
pages arrives as one table per page (with a repeated header row, and a row broken at
the page foot leaving a fragment on the next page); fake-bold text is drawn twice;
Word/WPS exports sometimes encode ideographs as Kangxi radicals (⼀⽅⾏ for 一方行);
three-line tables have no vertical rules at all. Pages without a usable text layer go
to OCR when engineer C's `parsers.ocr` is available, else the file is refused as scanned.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from parsers import limits
from parsers.errors import ParseError, fail
from parsers.grid import Cell, Document, Grid, check_area

SNAP = 2.0  # pt: boundaries closer than this are one
MIN_COLUMN_GAP = 6.0  # pt of empty x-range that separates columns of a three-line table
MIN_RULE_WIDTH = 100.0  # pt: shorter horizontal strokes are underlines, not table rules
CID_SHARE = 0.1  # more than this share of undecodable glyphs: the page needs OCR
MIN_PAGE_CHARS = 10  # fewer characters on a page with an image: a scan with a stamp or page number
WRAP_CHARS = 2.5  # a cell line ending closer than this many characters to the cell's edge wrapped

# CJK Radicals Supplement forms that stand for a unified ideograph (NFKC knows only two of them).
RADICAL_SUPPLEMENT = dict(
    zip(
        "⺁⺇⺊⺌⺎⺒⺓⺜⺝⺟⺠⺩⺮⻁⻄⻅⻆⻉⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
        "厂几卜小兀巳幺日月母民王竹虎西见角贝车長长门雨青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
        strict=True,
    )
)
# (Wingdings 2?, code point) of the tick and box marks forms use in level columns.
SYMBOL_TICKS = {
    (False, "ü"): "√", (False, "þ"): "☑", (False, "û"): "×", (False, "ý"): "☒", (False, "¨"): "☐",
    (True, "P"): "√", (True, "R"): "☑", (True, "O"): "×", (True, "T"): "☒", (True, "£"): "☐",
}  # fmt: skip
PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*\d+|\s*共\s*\d+\s*页)?[-—–\s]*$")
Box = tuple[float, float, float, float]


@dataclass
class _Table:
    """One table as found on one page, before tables running over pages are joined."""

    page: int
    ys: list[float]  # row boundaries, top to bottom
    cols: list[float]  # column boundaries, left to right
    rows: list[list[Cell]]
    pages: list[int]  # page of each row
    end_page: int = 0  # the last page the table reaches (a joined fragment leaves no row there)

    def __post_init__(self) -> None:
        self.end_page = self.end_page or self.page

    @property
    def box(self) -> Box:
        return (self.cols[0], self.ys[0], self.cols[-1], self.ys[-1])


@dataclass
class _Line:
    page: int
    top: float
    text: str


def read(data: bytes) -> Document:
    """The tables (as grids) and the free text lines of a PDF."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.MAX_PDF_PAGES:
                raise fail("too_many_pages")
            pages = [_read_page_once(page) for page in pdf.pages]
    except ParseError:
        raise
    except (PdfminerException, PSException, ValueError, KeyError, TypeError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        raise fail("encrypted" if isinstance(cause, PDFPasswordIncorrect) else "corrupt_file") from None
    scanned = [number for number, page in enumerate(pages, 1) if page is None]
    document = _assemble([page for page in pages if page is not None])
    if scanned:
        _add_ocr(document, data, scanned, all_scanned=len(scanned) == len(pages))
    return document


# ---- one page -------------------------------------------------------------------------------


def _read_page_once(page) -> tuple[list[_Table], list[_Line]] | None:
    """Read a page and drop pdfplumber's caches of it, so a long PDF does not pile up in memory."""
    try:
        return _read_page(page)
    finally:
        page.close()


def _read_page(page) -> tuple[list[_Table], list[_Line]] | None:
    """Tables and lines of one page, or None when the page has no usable text layer."""
    chars = _drawn_once([dict(c, text=_fix_glyph(c)) for c in page.chars if c["text"].strip()])
    garbage = sum(1 for c in chars if c["text"].startswith("(cid:"))
    if not chars or garbage > CID_SHARE * len(chars) or (len(chars) < MIN_PAGE_CHARS and page.images):
        return None
    number = page.page_number
    tables = [_ruled_table(found, chars, number) for found in _find_ruled(page) if len(found.cells) > 1]
    tables += _rule_only_tables(page, chars, [t.box for t in tables], number)
    tables.sort(key=lambda t: t.ys[0])
    free = [c for c in chars if not any(_inside(c, t.box) for t in tables)]
    lines = [_Line(number, top, text) for top, text in _text_lines(free)]
    return tables, [line for line in lines if not PAGE_NUMBER.match(line.text)]


def _find_ruled(page) -> list:
    """pdfplumber's ruled tables; a table without left/right borders (rules running past its
    outer vertical lines) is found again with those open sides closed."""
    found = page.find_tables()
    ends: set[float] = set()
    for table in found:
        x0, top, x1, bottom = table.bbox
        for edge in page.edges:
            if edge["orientation"] == "h" and top - SNAP <= edge["top"] <= bottom + SNAP:
                ends.update(x for x in (edge["x0"], edge["x1"]) if x < x0 - SNAP or x > x1 + SNAP)
    return page.find_tables({"explicit_vertical_lines": sorted(ends)}) if ends else found


def _drawn_once(chars: list[dict]) -> list[dict]:
    """Drop glyphs drawn again within a point of the same glyph (fake bold: "序序号号").
    pdfplumber's dedupe_chars does this too, at a third of the page's reading time."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        x, y = round(ch["x0"]), round(ch["top"])
        if any((ch["text"], x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((ch["text"], x, y))
        out.append(ch)
    return out


def _fix_glyph(ch: dict) -> str:
    text = ch["text"]
    # Kangxi Radicals and CJK Compatibility Ideographs: NFKC maps each to its unified ideograph
    if "\u2f00" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff":
        return unicodedata.normalize("NFKC", text)
    font = ch["fontname"].replace(" ", "")
    series = font.partition("Wingdings")[2][:1]
    if "Wingdings" in font and series != "3":  # a tick typed in a symbol font: Latin-1 or private-use code
        code = chr(ord(text) - 0xF000) if "\uf000" <= text <= "\uf0ff" else text
        return SYMBOL_TICKS.get((series == "2", code), text)
    return RADICAL_SUPPLEMENT.get(text, text)


def _ruled_table(found, chars: list[dict], page: int) -> _Table:
    """A pdfplumber table with merges made explicit: one Cell at every position it covers."""
    boxes = [box for row in found.rows for box in row.cells if box]
    cols = _snap([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _snap([b[1] for b in boxes] + [b[3] for b in boxes])
    check_area(len(ys) - 1, len(cols) - 1)
    grid: list[list[Cell | None]] = [[None] * (len(cols) - 1) for _ in range(len(ys) - 1)]
    for box in boxes:
        r0, r1 = _nearest(ys, box[1]), _nearest(ys, box[3])
        c0, c1 = _nearest(cols, box[0]), _nearest(cols, box[2])
        cell = Cell("", r0, c0, rowspan=r1 - r0, colspan=c1 - c0, page=page, bbox=tuple(box))
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = cell
    rows = [[cell or Cell("", r, c, page=page) for c, cell in enumerate(row)] for r, row in enumerate(grid)]
    _fill_cells(rows, chars, cols, ys)
    return _Table(page, ys, cols, rows, [page] * len(rows))


def _fill_cells(rows: list[list[Cell]], chars: list[dict], cols: list[float], ys: list[float]) -> None:
    """Give each cell the text of the characters whose centre falls inside it."""
    owned: dict[int, list[dict]] = {}
    for ch in chars:
        x, y = _centre(ch)
        r, c = bisect.bisect(ys, y) - 1, bisect.bisect(cols, x) - 1
        if 0 <= r < len(rows) and 0 <= c < len(rows[0]):
            owned.setdefault(id(rows[r][c]), []).append(ch)
    for cell in {id(cell): cell for row in rows for cell in row}.values():
        right = cols[min(cell.col + cell.colspan, len(cols) - 1)]
        cell.text = _cell_text(owned.get(id(cell), []), right)


def _rule_only_tables(page, chars: list[dict], taken: list[Box], number: int) -> list[_Table]:
    """Tables drawn with horizontal rules only (三线表): the columns come from the empty
    vertical strips shared by all its text, the rows from its text lines."""
    rules: dict[tuple[int, int], list[dict]] = {}
    for edge in page.edges:
        if edge["orientation"] != "h" or edge["x1"] - edge["x0"] < MIN_RULE_WIDTH:
            continue
        if not any(_inside_box(edge, box) for box in taken):
            rules.setdefault((round(edge["x0"] / 4), round(edge["x1"] / 4)), []).append(edge)
    tables = []
    for edges in rules.values():
        ys = _snap([edge["top"] for edge in edges])
        if len(ys) < 3:
            continue
        box = (min(e["x0"] for e in edges), ys[0], max(e["x1"] for e in edges), ys[-1])
        inner = [c for c in chars if _inside(c, box)]
        cols = _text_columns(inner)
        if len(cols) < 3:  # one column is a framed paragraph, not a table
            continue
        check_area(len(inner), len(cols) - 1)  # at most a row per character
        table = _rows_from_lines(inner, ys, cols, number)
        if sum(1 for cell in table.rows[0] if cell.text) >= 2:  # a header naming its columns
            tables.append(table)
    return tables


def _text_columns(chars: list[dict]) -> list[float]:
    """Column boundaries in the middle of every x-range no character touches."""
    spans = sorted((c["x0"], c["x1"]) for c in chars)
    if not spans:
        return []
    bounds, reach = [spans[0][0] - 1], spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= MIN_COLUMN_GAP:
            bounds.append((x0 + reach) / 2)
        reach = max(reach, x1)
    return [*bounds, reach + 1]


def _rows_from_lines(chars: list[dict], ys: list[float], cols: list[float], page: int) -> _Table:
    """A new row starts at every rule and at every line with text in the first column; a
    line with an empty first column continues the row above (a cell's wrapped text)."""
    groups: list[list[dict]] = []
    band = -1
    for line in _group_lines(chars):
        line_band = bisect.bisect(ys, _centre(line[0])[1])
        if line_band != band or any(c["x1"] <= cols[1] for c in line):
            groups.append([])
        groups[-1].extend(line)
        band = line_band
    rows = [
        [
            Cell(
                _cell_text([ch for ch in group if cols[c] <= _centre(ch)[0] < cols[c + 1]], cols[c + 1]),
                r,
                c,
                page=page,
            )
            for c in range(len(cols) - 1)
        ]
        for r, group in enumerate(groups)
    ]
    row_ys = [ys[0]] + [min(ch["top"] for ch in group) for group in groups[1:]] + [ys[-1]]
    return _Table(page, row_ys, cols, rows, [page] * len(rows))


# ---- text -----------------------------------------------------------------------------------


def _group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters in reading order, grouped into lines (sorted left to right)."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and ch["top"] - lines[-1][0]["top"] < max(3.0, 0.4 * ch["size"]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line: list[dict]) -> str:
    out = line[0]["text"]
    for before, ch in zip(line, line[1:], strict=False):
        if ch["x0"] - before["x1"] > 0.5 * ch["size"]:
            out += " "
        out += ch["text"]
    return out


def _text_lines(chars: list[dict]) -> list[tuple[float, str]]:
    return [(line[0]["top"], _line_text(line)) for line in _group_lines(chars)]


def _cell_text(chars: list[dict], right: float) -> str:
    """Lines of a cell joined: a line that ran to the cell's edge wrapped (joined without
    a break, a space only between Latin letters or digits); a short line ended on purpose."""
    text = ""
    lines = _group_lines(chars)
    for i, line in enumerate(lines):
        part = _line_text(line)
        if i:
            last = lines[i - 1][-1]
            if right - last["x1"] >= WRAP_CHARS * last["size"]:
                text += "\n"
            else:
                text += _joiner(text, part)
        text += part
    return text


def _joiner(head: str, tail: str) -> str:
    """What joins a wrapped line to the next: nothing in Chinese, a space between Latin words."""
    latin = head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum()
    return " " if latin else ""


# ---- pages to a document ----------------------------------------------------------------------


def _assemble(pages: list[tuple[list[_Table], list[_Line]]]) -> Document:
    """Join tables running over pages and place every free line before or after its table."""
    items: list[_Table | _Line] = []
    for tables, lines in pages:
        items.extend(sorted([*tables, *lines], key=lambda item: _top(item)))
    tables: list[_Table] = []
    lines_between: list[list[str]] = [[]]
    document = Document(format="pdf")
    for item in items:
        if isinstance(item, _Line):
            lines_between[-1].append(item.text)
            document.lines.append(item.text)
        elif (
            tables
            and not lines_between[-1]
            and item.page == tables[-1].end_page + 1
            and _same_columns(tables[-1], item)
        ):
            _continue(tables[-1], item)
        else:
            tables.append(item)
            lines_between.append([])
    for index, table in enumerate(tables):
        document.grids.append(
            Grid(
                rows=table.rows,
                table=index,
                row_numbers=[None] * len(table.rows),
                row_pages=list(table.pages),
                before=lines_between[index],
                after=lines_between[index + 1],
            )
        )
    return document


def _top(item: _Table | _Line) -> float:
    return item.ys[0] if isinstance(item, _Table) else item.top


def _same_columns(a: _Table, b: _Table) -> bool:
    return len(a.cols) == len(b.cols) and all(abs(x - y) <= 3 for x, y in zip(a.cols, b.cols, strict=True))


def _continue(table: _Table, more: _Table) -> None:
    """Append the next page's part of a table: drop its repeated header rows, join a row
    fragment (a row the page break cut) to the row above."""
    rows, pages = more.rows, more.pages
    skip = 0
    while skip < min(len(rows), len(table.rows)) and _texts(rows[skip]) == _texts(table.rows[skip]):
        skip += 1
    rows, pages = rows[skip:], pages[skip:]
    if rows and _is_fragment(rows[0], table.rows[-1]):
        _join_fragment(table.rows[-1], rows[0])
        rows, pages = rows[1:], pages[1:]
        skip += 1
    offset = len(table.rows) - skip
    for cell in {id(cell): cell for row in rows for cell in row}.values():
        if cell.row < skip:  # a merge reaching into dropped rows keeps only its kept part
            cell.rowspan -= skip - cell.row
            cell.row = skip
        cell.row += offset
    table.rows.extend(rows)
    table.pages.extend(pages)
    table.end_page = more.page


def _texts(row: list[Cell]) -> list[str]:
    return [re.sub(r"\s+", "", cell.text) for cell in row]


def _is_fragment(row: list[Cell], previous: list[Cell]) -> bool:
    """Only the cells still running at the page foot continue, so a fragment leaves empty at
    least half the cells the row above filled (a new row under a merged 岗位 leaves one)."""
    texts, above = _texts(row), _texts(previous)
    if texts[0] or not any(texts):
        return False
    left_empty = sum(1 for text, over in zip(texts, above, strict=True) if over and not text)
    return 2 * left_empty >= sum(1 for over in above if over)


def _join_fragment(target: list[Cell], fragment: list[Cell]) -> None:
    for c, cell in enumerate(fragment):
        if cell.col == c and cell.text and cell.rowspan == 1:
            target[c].text += _joiner(target[c].text, cell.text) + cell.text


# ---- scanned pages ------------------------------------------------------------------------------


def _add_ocr(document: Document, data: bytes, pages: list[int], *, all_scanned: bool) -> None:
    """Read pages without a text layer by OCR (engineer C's module), if it is installed."""
    try:
        from parsers import ocr
    except ImportError:
        ocr = None
    if ocr is None or not ocr.available():
        if all_scanned:
            raise fail("scanned_pdf")
        listed = "、".join(str(p) for p in pages)
        document.warnings.append(("pages_need_ocr", f"第{listed}页为扫描图像,未能识别其中内容"))
        return
    grids = ocr.read_pdf_pages(data, pages)
    for grid in grids:
        grid.ocr = True
    document.grids.extend(grids)
    document.ocr = True
    if all_scanned:
        document.format = "pdf-scanned"


# ---- geometry -------------------------------------------------------------------------------


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > SNAP:
            out.append(value)
    return out


def _nearest(bounds: list[float], value: float) -> int:
    i = bisect.bisect_left(bounds, value)
    if i == len(bounds) or (i and value - bounds[i - 1] < bounds[i] - value):
        return i - 1
    return i


def _centre(ch: dict) -> tuple[float, float]:
    return (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2


def _inside(ch: dict, box: Box) -> bool:
    x, y = _centre(ch)
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _inside_box(edge: dict, box: Box) -> bool:
    return (
        box[0] - SNAP <= edge["x0"]
        and edge["x1"] <= box[2] + SNAP
        and box[1] - SNAP <= edge["top"] <= box[3] + SNAP
    )
