"""The tables on one page: ruled tables as pdfplumber finds them, with merges made explicit,
and tables drawn with horizontal rules only (三线表), whose columns come from the text."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from parsers.grid import Cell, check_area
from parsers.pdf.chars import Box, cell_text, centre, group_lines, inside
from parsers.pdf.rule_rows import reaches, split_rows

SNAP = 2.0  # pt: boundaries closer than this are one
MIN_COLUMN_GAP = 6.0  # pt of empty x-range that separates columns of a three-line table
MIN_RULE_WIDTH = 100.0  # pt: shorter horizontal strokes are underlines, not table rules
PAGE_MARGIN = 0.06  # share of the page height at top and bottom kept for running headers and page numbers
RUNS_ON = 0.2  # text this close (share of the page height) to the page's edge: a table running over the page


@dataclass
class PageTable:
    """One table as found on one page, before tables running over pages are joined."""

    page: int
    ys: list[float]  # row boundaries, top to bottom
    cols: list[float]  # column boundaries, left to right
    rows: list[list[Cell]]
    pages: list[int]  # page of each row
    end_page: int = 0  # the last page the table reaches (a joined fragment leaves no row there)
    ruled: bool = True  # False for a three-line table, whose columns come from its text

    def __post_init__(self) -> None:
        self.end_page = self.end_page or self.page

    @property
    def box(self) -> Box:
        return (self.cols[0], self.ys[0], self.cols[-1], self.ys[-1])


@dataclass
class RunningTable:
    """A three-line table running on past its page: its columns, for the next page's part
    (whose text alone may not show them all)."""

    cols: list[float] | None = None


def page_tables(page, chars: list[dict], running: RunningTable | None = None) -> list[PageTable]:
    """Every table on the page, top to bottom."""
    number = page.page_number
    tables = [_ruled_table(found, chars, number) for found in _find_ruled(page) if len(found.cells) > 1]
    tables += _rule_only_tables(page, chars, [t.box for t in tables], number, running or RunningTable())
    return sorted(tables, key=lambda t: t.ys[0])


def _find_ruled(page) -> list:
    """pdfplumber's ruled tables; a table without left/right borders (rules running past its
    outer vertical lines) is found again with those open sides closed, over its own height."""
    found = page.find_tables()
    sides = []
    for table in found:
        x0, top, x1, bottom = table.bbox
        ends = {
            x
            for edge in page.edges
            if edge["orientation"] == "h" and top - SNAP <= edge["top"] <= bottom + SNAP
            for x in (edge["x0"], edge["x1"])
            if x < x0 - SNAP or x > x1 + SNAP
        }
        sides += [
            {
                "object_type": "line",
                "x0": x,
                "x1": x,
                "top": top,
                "bottom": bottom,
                "width": 0,
                "height": bottom - top,
            }
            for x in sorted(ends)
        ]
    return page.find_tables({"explicit_vertical_lines": sides}) if sides else found


def _ruled_table(found, chars: list[dict], page: int) -> PageTable:
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
    return PageTable(page, ys, cols, rows, [page] * len(rows))


def _fill_cells(rows: list[list[Cell]], chars: list[dict], cols: list[float], ys: list[float]) -> None:
    """Give each cell the text of the characters whose centre falls inside it."""
    owned: dict[int, list[dict]] = {}
    for ch in chars:
        x, y = centre(ch)
        r, c = bisect.bisect(ys, y) - 1, bisect.bisect(cols, x) - 1
        if 0 <= r < len(rows) and 0 <= c < len(rows[0]):
            owned.setdefault(id(rows[r][c]), []).append(ch)
    for cell in {id(cell): cell for row in rows for cell in row}.values():
        right = cols[min(cell.col + cell.colspan, len(cols) - 1)]
        cell.text = cell_text(owned.get(id(cell), []), right)


def _rule_only_tables(page, chars: list[dict], taken: list[Box], number: int,
                      running: RunningTable) -> list[PageTable]:
    """Tables drawn with horizontal rules only (三线表): the columns come from the empty
    vertical strips shared by all its text, the rows from its text lines."""
    rules: dict[tuple[int, int], list[dict]] = {}
    for edge in page.edges:
        if edge["orientation"] != "h" or edge["x1"] - edge["x0"] < MIN_RULE_WIDTH:
            continue
        if not any(_edge_inside(edge, box) for box in taken):
            rules.setdefault((round(edge["x0"] / 4), round(edge["x1"] / 4)), []).append(edge)
    tables = []
    carried, running.cols = running.cols, None
    for edges in rules.values():
        left, right = min(e["x0"] for e in edges), max(e["x1"] for e in edges)
        column = [c for c in chars if left <= centre(c)[0] <= right]
        parts = _split_at_gaps(_snap([edge["top"] for edge in edges]), column)
        for i, part in enumerate(parts):
            ruled = _trim_bands(part, column)
            ys = _across_pages(page, ruled, column, up=i == 0, down=i == len(parts) - 1)
            if len(ys) >= 2:
                tables += _rule_only_table(chars, (left, right), ruled, ys, number, carried if i == 0 else None,
                                           running)
    if carried is not None and not rules and not taken:
        tables += _middle_page(page, chars, carried, running)
    return tables


def _middle_page(page, chars: list[dict], carried: list[float], running: RunningTable) -> list[PageTable]:
    """A page with no rule at all inside a three-line table that runs over three pages or more:
    its body, between the page's margins, is the table's next part."""
    body = [c for c in chars if carried[0] <= centre(c)[0] <= carried[-1]
            and PAGE_MARGIN * page.height < centre(c)[1] < (1 - PAGE_MARGIN) * page.height]
    if not body:
        return []
    ys = [min(c["top"] for c in body) - 1, max(c["bottom"] for c in body) + 1]
    return _rule_only_table(chars, (carried[0], carried[-1]), [], ys, page.page_number, carried, running)


def _rule_only_table(chars: list[dict], span: tuple[float, float], ruled: list[float], ys: list[float],
                     number: int, carried: list[float] | None, running: RunningTable) -> list[PageTable]:
    """The table between rules `ys` (`ruled`: those drawn on this page), or none when its text
    shows fewer than three columns or no header naming its columns."""
    left, right = span
    box = (left, ys[0], right, ys[-1])
    inner = [c for c in chars if inside(c, box)]
    continued = carried is not None and (not ruled or ys[0] < ruled[0]) and abs(carried[-1] - right) <= MIN_RULE_WIDTH
    cols = list(carried) if continued else _text_columns(_column_chars(inner, ys[1] if len(ys) > 2 else ys[0]))
    if len(cols) < 3:  # one column is a framed paragraph, not a table
        return []
    cols[0], cols[-1] = min(cols[0], left), max(cols[-1], right)  # the outer cells reach the rules' ends
    check_area(len(inner), len(cols) - 1)  # at most a row per character
    table = _rows_from_lines(inner, ys, cols, number)
    if not continued and sum(1 for cell in table.rows[0] if cell.text) < 2:  # no header naming its columns
        return []
    running.cols = cols if not ruled or ys[-1] > ruled[-1] else None
    return [table]


def _split_at_gaps(ys: list[float], chars: list[dict]) -> list[list[float]]:
    """The rules of one x-span cut into tables: two three-line tables one above the other (a
    heading between them) share their rules' span; a band between two rules whose text has no
    line across columns (a heading, a blank paragraph) is the gap between two tables."""
    parts = [ys[:1]]
    ordered = sorted(chars, key=lambda c: centre(c)[1])
    heights = [centre(c)[1] for c in ordered]
    for top, bottom in zip(ys, ys[1:], strict=False):  # each band's characters found by bisection
        band = ordered[bisect.bisect_left(heights, top):bisect.bisect_right(heights, bottom)]
        if all(len(_runs(line)) <= 1 for line in group_lines(band)):
            parts.append([bottom])
        else:
            parts[-1].append(bottom)
    return parts


def _across_pages(page, ys: list[float], chars: list[dict], *, up: bool = True, down: bool = True) -> list[float]:
    """A three-line table running over pages has no foot rule on its first page (its text runs
    on to the page's end) and only the foot rule on its last: the page's text edge stands in
    (`down`: the page's last table may run on, `up`: its first may be continued)."""
    body = [c for c in chars if PAGE_MARGIN * page.height < centre(c)[1] < (1 - PAGE_MARGIN) * page.height]
    if not body or not ys:
        return ys
    last = max(c["bottom"] for c in body)
    if down and len(ys) == 2 and last > ys[-1] + SNAP and last > (1 - RUNS_ON) * page.height:
        return [*ys, last + 1]
    first = min(c["top"] for c in body)
    if up and len(ys) in (1, 2) and page.page_number > 1 and first < ys[0] - SNAP and first < RUNS_ON * page.height:
        return [first - 1, *ys]
    return ys


def _trim_bands(ys: list[float], chars: list[dict]) -> list[float]:
    """Drop outer rules that belong to the page, not the table (a rule under the title, one
    above the notes): the text of such a band runs across the gaps between the table's columns."""

    def among(top: float, bottom: float) -> list[dict]:
        return [c for c in chars if top <= centre(c)[1] <= bottom]

    def crosses(band: tuple[float, float], rest: tuple[float, float]) -> bool:
        """The band's text runs across a gap between the rest's columns, or shows fewer of them."""
        inner, outer = among(*band), among(*rest)
        gaps = _header_gaps(outer)
        return len(_text_columns(inner)) < len(_text_columns(outer)) or any(
            x0 < a and x1 > b for line in group_lines(inner) for x0, x1 in _runs(line) for a, b in gaps)

    while len(ys) > 3 and crosses((ys[0], ys[1]), (ys[1], ys[-1])):
        ys = ys[1:]
    while len(ys) > 3 and crosses((ys[-2], ys[-1]), (ys[0], ys[-2])):
        ys = ys[:-1]
    return ys


def _column_chars(chars: list[dict], header_foot: float) -> list[dict]:
    """The characters whose x-ranges show the columns: a line below the header that runs
    across a gap between header labels (a note, a 合计 or signature row spanning columns)
    would hide the columns it crosses, so it is left out."""
    header = [c for c in chars if centre(c)[1] <= header_foot]
    gaps = _header_gaps(header)
    kept = list(header)
    for line in group_lines([c for c in chars if centre(c)[1] > header_foot]):
        if not any(x0 < a and x1 > b for x0, x1 in _runs(line) for a, b in gaps):
            kept += line
    return kept


def _header_gaps(chars: list[dict]) -> list[tuple[float, float]]:
    """The empty x-ranges between the header's labels."""
    spans = sorted((c["x0"], c["x1"]) for c in chars)
    gaps, reach = [], spans[0][1] if spans else 0.0
    for x0, x1 in spans[1:]:
        if x0 - reach >= MIN_COLUMN_GAP:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    return gaps


def _runs(line: list[dict]) -> list[tuple[float, float]]:
    """A line's stretches of text without a column-wide gap inside."""
    runs = [[line[0]["x0"], line[0]["x1"]]]
    for ch in line[1:]:
        if ch["x0"] - runs[-1][1] >= MIN_COLUMN_GAP:
            runs.append([ch["x0"], ch["x1"]])
        else:
            runs[-1][1] = max(runs[-1][1], ch["x1"])
    return [(a, b) for a, b in runs]


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


def _rows_from_lines(chars: list[dict], ys: list[float], cols: list[float], page: int) -> PageTable:
    """Rows from where the text sits (`rule_rows`), each cell's text from its characters and
    how far a merged cell drawn once may reach (`Cell.reach`)."""
    groups = split_rows(chars, ys, cols)
    spans = reaches(groups, cols)
    rows = [
        [
            Cell(
                cell_text([ch for ch in group.chars if cols[c] <= centre(ch)[0] < cols[c + 1]], cols[c + 1]),
                r,
                c,
                page=page,
                reach=spans[r][c],
            )
            for c in range(len(cols) - 1)
        ]
        for r, group in enumerate(groups)
    ]
    row_ys = [ys[0]] + [min(ch["top"] for ch in group.chars) for group in groups[1:]] + [ys[-1]]
    in_head = len(ys) > 2 and groups and all(centre(ch)[1] < ys[1] for ch in groups[0].chars)
    header = _two_row_header(groups[0].chars, cols, page) if in_head else None
    if header is not None:
        for cell in {id(cell): cell for row in rows[1:] for cell in row}.values():
            cell.row += 1
        top, rows[:1] = header[0], header[1:]
        row_ys[1:1] = [top]
    return PageTable(page, row_ys, cols, rows, [page] * len(rows), ruled=False)


def _two_row_header(chars: list[dict], cols: list[float], page: int) -> tuple[float, list[Cell], list[Cell]] | None:
    """A three-line table's header band holding two header rows (风险等级 over 高 | 中 | 低,
    防控措施 over its phases): the last text line names sub-columns when two or more columns
    side by side hold text there and one of them none above. Then the two rows, as a ruled
    table would give them: a label alone in its column covers both rows, a label over
    sub-columns covers them all. Else None (one header row, its labels perhaps wrapped)."""
    lines = group_lines(chars)
    if len(lines) < 2:
        return None
    width = len(cols) - 1

    def column(ch: dict) -> int:
        return min(max(bisect.bisect(cols, centre(ch)[0]) - 1, 0), width - 1)

    above = [[ch for line in lines[:-1] for ch in line if column(ch) == c] for c in range(width)]
    below = [[ch for ch in lines[-1] if column(ch) == c] for c in range(width)]
    if not any(below[c] and below[c + 1] and not (above[c] and above[c + 1]) for c in range(width - 1)):
        return None
    first = [Cell(cell_text(above[c], cols[c + 1]), 0, c, page=page) for c in range(width)]
    second = [Cell(cell_text(below[c], cols[c + 1]), 1, c, page=page) for c in range(width)]
    for c in range(width):
        if not below[c]:  # a label alone in its column: both rows
            first[c].rowspan, second[c] = 2, first[c]
        elif not above[c] and c and below[c - 1] and first[c - 1].col + first[c - 1].colspan == c:
            first[c - 1].colspan += 1  # a sub-column under the label to its left
            first[c] = first[c - 1]
    for c in range(width - 1, 0, -1):  # sub-columns left of their label (a label centred over them)
        if not above[c - 1] and below[c - 1] and below[c] and first[c - 1] is not first[c] and not first[c - 1].text:
            first[c].col, first[c].colspan = first[c].col - 1, first[c].colspan + 1
            first[c - 1] = first[c]
    return min(ch["top"] for ch in lines[-1]), first, second


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


def _edge_inside(edge: dict, box: Box) -> bool:
    return (
        box[0] - SNAP <= edge["x0"]
        and edge["x1"] <= box[2] + SNAP
        and box[1] - SNAP <= edge["top"] <= box[3] + SNAP
    )
