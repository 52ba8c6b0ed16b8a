"""Pages to one document: tables running over pages joined, free lines placed around tables.

Page furniture goes first: page numbers, and running headers and footers (the same line
in the top or bottom margin of several pages). A table then continues on the next page
when nothing stands between its parts and the columns line up. Word repeats header rows on each page (dropped here) and
cuts a row at the page foot, leaving the rest of its long cells as a fragment row.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from parsers.grid import Cell, Grid, GridDocument
from parsers.pdf.chars import joiner
from parsers.pdf.tables import PageTable

LONG_FIRST_CELL = 10  # characters: a first column holding text that wraps (风险点 first), not a 序号
NEW_ROW = re.compile(r"^(\d|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）])")
PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*\d+|\s*共\s*\d+\s*页)?[-—–\s]*$")


@dataclass
class Line:
    """A text line outside every table."""

    page: int
    top: float
    text: str
    margin: bool = False  # in the top or bottom margin, where running headers and footers sit


def assemble(pages: list[tuple[list[PageTable], list[Line]]]) -> GridDocument:
    """Join tables running over pages and place every free line before or after its table."""
    furniture = _furniture([lines for _, lines in pages])
    items: list[PageTable | Line] = []
    for tables, lines in pages:
        kept = [line for line in lines if not PAGE_NUMBER.match(line.text) and _key(line) not in furniture]
        items.extend(sorted([*tables, *kept], key=_top))
    tables: list[PageTable] = []
    lines_between: list[list[str]] = [[]]
    document = GridDocument(format="pdf")
    for item in items:
        if isinstance(item, Line):
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


def _furniture(pages: list[list[Line]]) -> set[tuple[str, bool]]:
    """Margin lines found on two pages or more (digits aside: 第3页, 2024-05 vary)."""
    seen = Counter(key for lines in pages for key in {_key(line) for line in lines if line.margin})
    return {key for key, count in seen.items() if count >= 2}


def _key(line: Line) -> tuple[str, bool]:
    return re.sub(r"\d+", "#", line.text), line.margin


def _top(item: PageTable | Line) -> float:
    return item.ys[0] if isinstance(item, PageTable) else item.top


def _same_columns(a: PageTable, b: PageTable) -> bool:
    """Ruled columns line up within a few points; a three-line table's columns come from the
    gaps in its text, which move with what each page holds."""
    slack = 3 if a.ruled or b.ruled else 0.25 * min(y - x for x, y in zip(a.cols, a.cols[1:], strict=False))
    return len(a.cols) == len(b.cols) and all(abs(x - y) <= slack for x, y in zip(a.cols, b.cols, strict=True))


def _continue(table: PageTable, more: PageTable) -> None:
    """Append the next page's part of a table: drop its repeated header rows, join a row
    fragment (a row the page break cut) to the row above."""
    rows, pages = more.rows, more.pages
    skip = 0
    while skip < min(len(rows), len(table.rows)) and _texts(rows[skip]) == _texts(table.rows[skip]):
        skip += 1
    rows, pages = rows[skip:], pages[skip:]
    if rows and _is_fragment(rows[0], table.rows[-1], table.ruled):
        _join_fragment(table.rows[-1], rows[0])
        rows, pages = rows[1:], pages[1:]
        skip += 1
    offset = len(table.rows) - skip
    for cell in {id(cell): cell for row in rows for cell in row}.values():
        if cell.row < skip:  # a merge reaching into dropped rows keeps only its kept part
            cell.rowspan -= skip - cell.row
            cell.row = skip
        cell.row += offset
    if rows and table.rows:
        _carry_merges(table.rows[-1], rows)
        if not table.ruled:
            _carry_reach(table.rows, rows)
    table.rows.extend(rows)
    table.pages.extend(pages)
    table.end_page = more.page


def _carry_merges(last: list[Cell], rows: list[list[Cell]]) -> None:
    """A merged cell (a 岗位 over several rows) cut by the page break prints its text on the first
    page only: an empty cell heading the next page's part continues the cell above when either
    is merged over several rows (nobody merges empty cells, nor leaves one under a merge)."""
    for c, above in enumerate(last):
        first = rows[0][c]
        if (first.text.strip() or max(above.rowspan, first.rowspan) < 2 or above.col != c or first.col != c
                or first.colspan != above.colspan or first is above):
            continue
        above.rowspan += first.rowspan
        for row in rows:
            for cc in range(len(row)):
                if row[cc] is first:
                    row[cc] = above


def _carry_reach(above: list[list[Cell]], rows: list[list[Cell]]) -> None:
    """A three-line table's text that may reach down to its page's last row (`Cell.reach`) may
    reach on over the blank cells heading the next page's part."""
    for c in range(min(len(above[-1]), len(rows[0]))):
        last = next((row[c] for row in reversed(above) if row[c].text.strip()), None)
        if last is None or last.row + last.rowspan - 1 + last.reach[1] < len(above) - 1:
            continue
        blanks = next((k for k, row in enumerate(rows) if row[c].text.strip()), len(rows))
        last.reach = (last.reach[0], last.reach[1] + blanks)


def _texts(row: list[Cell]) -> list[str]:
    return [re.sub(r"\s+", "", cell.text) for cell in row]


def _is_fragment(row: list[Cell], previous: list[Cell], ruled: bool = True) -> bool:
    """Only the cells still running at the page foot continue, so a fragment leaves empty at
    least half the cells the row above filled (a new row under a merged 岗位 leaves one). Its
    first cell is empty (a new row starts with its 序号), unless the table is a three-line one
    whose first column holds long text: then the first cell only must not start a new row or group."""
    texts, above = _texts(row), _texts(previous)
    if not any(texts):
        return False
    if texts[0] and (ruled or len(above[0]) < LONG_FIRST_CELL or NEW_ROW.match(texts[0])):
        return False
    left_empty = sum(1 for text, over in zip(texts, above, strict=True) if over and not text)
    return 2 * left_empty >= sum(1 for over in above if over)


def _join_fragment(target: list[Cell], fragment: list[Cell]) -> None:
    for c, cell in enumerate(fragment):
        if cell.col == c and cell.text and cell.rowspan == 1:
            target[c].text += joiner(target[c].text, cell.text) + cell.text
