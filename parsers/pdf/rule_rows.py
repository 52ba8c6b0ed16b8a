"""Rows of a table drawn with horizontal rules only (三线表), from where its text sits.

Top-aligned cells (Word's default): a line starts a row when its first column starts
afresh or two columns do. Centred cells (a short cell's text sits half a line off the lines
of a taller one beside it): in each column the lines of one cell form a block, blocks that
overlap vertically belong to one row, and where a tall cell runs on into the next row's,
the column with the most blocks (the 序号, usually) says how many rows there are and each
cut centres the row above on its own block. Two short rows are never one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from parsers.pdf.chars import centre, group_lines

BLANK_LINE = 0.8  # a vertical gap of this many font sizes between two lines of a column ends a block


@dataclass
class _Piece:
    """The part of one text line inside one column."""

    col: int
    chars: list[dict]
    top: float
    bottom: float
    wrapped: bool  # ran to the column's right edge: the next line continues it
    line: int = 0  # the text line it is part of (glyphs of one line may sit a point or two apart)


@dataclass
class Row:
    """The characters of one row, and whether its cells are centred vertically."""

    chars: list[dict]
    centred: bool


def split_rows(chars: list[dict], ys: list[float], cols: list[float]) -> list[Row]:
    """The rows, top to bottom; rules (ys) always separate rows."""
    rows: list[Row] = []
    edges = text_edges(chars, cols)
    for top, bottom in zip(ys, ys[1:], strict=False):
        band = [c for c in chars if top <= centre(c)[1] < bottom]
        rows += _band_rows(_pieces(band, cols, edges))
    if chars and ys:  # text outside the rules' span (a table running on past the page's last rule)
        rows += _band_rows(_pieces([c for c in chars if not ys[0] <= centre(c)[1] < ys[-1]], cols, edges))
    return [row for row in rows if row.chars]


SPAN_FIT = 0.5  # a merged cell's text is centred on the rows it covers within this many line heights
MAX_REACH = 50  # rows a merged cell may cover on either side (bounds the spans tried per cell)


def reaches(rows: list[Row], cols: list[float]) -> list[list[tuple[int, int]]]:
    """Per row and column, how many rows above and below the cell's text may cover (a merged
    cell, drawn once: no rule shows where it ends). Top-aligned, a text may run down over
    the blank cells below it; centred, over the blank cells around it whose rows it sits in
    the middle of (the most rows that fit; what they hold is for the reader of the columns to say)."""
    boxes = [_cell_boxes(row.chars, cols) for row in rows]
    bounds = _row_bounds(boxes)
    out = [[(0, 0)] * (len(cols) - 1) for _ in rows]
    for r, row in enumerate(rows):
        for c, box in boxes[r].items():
            up = next((k for k in range(min(r, MAX_REACH)) if c in boxes[r - 1 - k]), min(r, MAX_REACH))
            below = min(len(rows) - 1 - r, MAX_REACH)
            down = next((k for k in range(below) if c in boxes[r + 1 + k]), below)
            out[r][c] = _centred_reach(box, bounds, r, up, down) if row.centred else (0, down)
    return out


def _cell_boxes(chars: list[dict], cols: list[float]) -> dict[int, tuple[float, float, float]]:
    """Column -> (top, bottom, line height) of the text of each filled cell of a row."""
    boxes: dict[int, tuple[float, float, float]] = {}
    for ch in chars:
        c = min(max(bisect.bisect(cols, centre(ch)[0]) - 1, 0), len(cols) - 2)
        top, bottom, _ = boxes.get(c, (ch["top"], ch["bottom"], 0.0))
        boxes[c] = (min(top, ch["top"]), max(bottom, ch["bottom"]), ch["bottom"] - ch["top"])
    return boxes


def _row_bounds(boxes: list[dict[int, tuple[float, float, float]]]) -> list[float]:
    """Where rows meet: halfway across the gap between the tallest cells of two rows (a cell's
    padding is the same above and below its text); the outer rows get the same padding."""
    extents = [max(row.values(), key=lambda b: b[1] - b[0]) if row else (0.0, 0.0, 0.0) for row in boxes]
    gaps = [below[0] - above[1] for above, below in zip(extents, extents[1:], strict=False)]
    pad = max(min(gaps, default=0.0), 0.0) / 2
    inner = [(above[1] + below[0]) / 2 for above, below in zip(extents, extents[1:], strict=False)]
    return [extents[0][0] - pad, *inner, extents[-1][1] + pad] if extents else []


def _centred_reach(box: tuple[float, float, float], bounds: list[float], r: int, up: int,
                   down: int) -> tuple[int, int]:
    middle, line = (box[0] + box[1]) / 2, box[2]
    fits = [(a + b, -abs((bounds[r - a] + bounds[r + b + 1]) / 2 - middle), a, b)
            for a in range(up + 1) for b in range(down + 1)
            if abs((bounds[r - a] + bounds[r + b + 1]) / 2 - middle) <= SPAN_FIT * line]
    return max(fits)[2:] if fits else (0, 0)


WRAPPING = 6  # a column whose longest line holds fewer characters holds short values that never wrap
WRAPPED = 1.6  # a line ending closer than this many characters to its column's reach was wrapped


def text_edges(chars: list[dict], cols: list[float]) -> list[float]:
    """Where each column's wrapped lines end: without vertical rules, the best sign of a cell's
    right edge is how far its text reaches (the column boundary lies halfway across the gap to
    the next column's text). A column of short values (岗位, 等级) never wraps: infinity."""
    edges = list(cols[:1])
    for c in range(len(cols) - 1):
        lines = group_lines([ch for ch in chars if cols[c] <= centre(ch)[0] < cols[c + 1]])
        longest = max(lines, key=lambda line: line[-1]["x1"], default=None)
        edges.append(longest[-1]["x1"] + 1 if longest and _wraps(lines, longest) else float("inf"))
    return edges


NARROW = 4  # characters: a narrow column whose lines of this length or more keep ending at one x wraps
AT_EDGE = 3  # lines ending at the column's reach that show a narrow column wraps


def _wraps(lines: list[list[dict]], longest: list[dict]) -> bool:
    """Whether a column holds text that wraps: its longest line is long, or (a narrow column, a
    few characters wide) several lines end where the longest does."""
    if len(longest) >= WRAPPING:
        return True
    reach = longest[-1]["x1"]
    at_edge = sum(1 for line in lines if len(line) >= NARROW and abs(line[-1]["x1"] - reach) < 1)
    return len(longest) >= NARROW and at_edge >= AT_EDGE


def _pieces(chars: list[dict], cols: list[float], edges: list[float]) -> list[_Piece]:
    pieces = []
    for number, line in enumerate(group_lines(chars)):
        runs: dict[int, list[dict]] = {}
        for ch in line:
            runs.setdefault(min(max(bisect.bisect(cols, centre(ch)[0]) - 1, 0), len(cols) - 2), []).append(ch)
        for c, run in runs.items():
            last = run[-1]
            pieces.append(_Piece(c, run, min(ch["top"] for ch in run), max(ch["bottom"] for ch in run),
                                 edges[c + 1] - last["x1"] < WRAPPED * last["size"], number))
    return pieces


def _blocks(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Per column, runs of lines with no blank line between them."""
    blocks: list[list[_Piece]] = []
    last: dict[int, list[_Piece]] = {}
    for p in sorted(pieces, key=lambda p: (p.col, p.top)):
        block = last.get(p.col)
        size = p.bottom - p.top
        if block is None or p.top - block[-1].bottom > BLANK_LINE * size:
            block = last[p.col] = []
            blocks.append(block)
        block.append(p)
    return blocks


def _components(blocks: list[list[_Piece]]) -> list[list[list[_Piece]]]:
    """Blocks joined when they overlap vertically, top to bottom."""
    spans = sorted(blocks, key=lambda b: b[0].top)
    groups: list[list[list[_Piece]]] = []
    reach = float("-inf")
    for block in spans:
        if not groups or block[0].top >= reach - 0.5:
            groups.append([])
            reach = float("-inf")
        groups[-1].append(block)
        reach = max(reach, block[-1].bottom)
    return groups


def _band_rows(pieces: list[_Piece]) -> list[Row]:
    if _top_aligned(pieces):
        return [Row(chars, False) for chars in _top_aligned_rows(pieces)]
    spanning = _spanning_lines(pieces)
    rows = _centred_rows([p for p in pieces if p.line not in spanning])
    rows += [[ch for p in pieces if p.line == number for ch in p.chars] for number in sorted(spanning)]
    return [Row(chars, True) for chars in sorted(rows, key=lambda chars: min(ch["top"] for ch in chars))]


SPANNING_GAP = 0.5  # font sizes: text this close across a column boundary is one run (a note, a 合计 line)


def _spanning_lines(pieces: list[_Piece]) -> set[int]:
    """Lines whose text runs on across column boundaries (a note or signature line spanning the
    table): each is a row of its own, never part of the centred rows above or below it."""
    lines: dict[int, list[_Piece]] = {}
    for p in pieces:
        lines.setdefault(p.line, []).append(p)
    spanning = set()
    for number, line in lines.items():
        ordered = sorted(line, key=lambda p: p.col)
        if len(ordered) > 1 and all(right.chars[0]["x0"] - left.chars[-1]["x1"] < SPANNING_GAP * left.chars[-1]["size"]
                                    for left, right in zip(ordered, ordered[1:], strict=False)):
            spanning.add(number)
    return spanning


def _top_aligned(pieces: list[_Piece]) -> bool:
    """Cells aligned at the top, unless some cell's text sits half a line off the lines of a
    taller cell beside it (a short cell centred against a taller one): centred. Each piece is
    compared with the pieces of the lines around it only."""
    ordered = sorted(pieces, key=lambda p: p.top)
    tops = [p.top for p in ordered]
    height = {id(p): len(block) for block in _blocks(pieces) for p in block}  # lines of the piece's cell
    for p in ordered:
        size = p.bottom - p.top
        near = ordered[bisect.bisect_left(tops, p.top - 2 * size):bisect.bisect_left(tops, p.bottom)]
        # Against taller cells only: short cells of one centred row sit on one line together.
        beside = [abs(q.top - p.top) for q in near
                  if q.col != p.col and q.bottom > p.top and height[id(q)] > height[id(p)]]
        if beside and 0.3 * size < min(beside) < 0.9 * size:
            return False
    return True


def _top_aligned_rows(pieces: list[_Piece]) -> list[list[dict]]:
    """A line starts a row when its first column starts afresh, or two columns do (a new row
    under a merged 岗位); a line only continuing wrapped text, or adding a line to one column
    (measures written one per line), belongs to the row above."""
    rows: list[list[dict]] = []
    last: dict[int, _Piece] = {}
    lines: dict[int, list[_Piece]] = {}
    for p in pieces:
        lines.setdefault(p.line, []).append(p)
    first_col = min((p.col for p in pieces), default=0)
    for number in sorted(lines):
        line = lines[number]
        fresh = [p.col for p in line if not (p.col in last and last[p.col].wrapped)]
        if not rows or first_col in fresh or len(fresh) >= 2:
            rows.append([])
            last = {}
        for p in line:
            rows[-1].extend(p.chars)
            last[p.col] = p
    return rows


def _centred_rows(pieces: list[_Piece]) -> list[list[dict]]:
    rows = []
    for group in _components(_blocks(pieces)):
        cuts = _cuts(group)
        parts: list[list[dict]] = [[] for _ in range(len(cuts) + 1)]
        for block in group:
            for p in block:
                parts[bisect.bisect(cuts, (p.top + p.bottom) / 2)].extend(p.chars)
        rows += parts
    return rows


def _cuts(group: list[list[_Piece]]) -> list[float]:
    """Where rows of centred cells start inside a group of overlapping blocks (none when it is
    one row). The column with the most blocks gives one block per row; each cut is the line
    start that centres the row above on its own block (a cut through a line that looks
    wrapped costs a quarter line: CJK text filling a line exactly looks wrapped too)."""
    per_column: dict[int, list[list[_Piece]]] = {}
    for block in group:
        per_column.setdefault(block[0].col, []).append(block)
    anchor = max(sorted(per_column), key=lambda c: len(per_column[c]))
    marks = sorted(per_column[anchor], key=lambda b: b[0].top)
    text = _Text(sorted((p for block in group for p in block), key=lambda p: p.top))
    cuts: list[float] = []
    for above, below in zip(marks, marks[1:], strict=False):
        lo, hi = above[-1].bottom, below[0].top
        centre_above = (above[0].top + above[-1].bottom) / 2
        since = cuts[-1] if cuts else text.tops[0]
        line = above[0].bottom - above[0].top
        candidates = sorted({p.top for p in text.between(lo + 0.01, hi + 0.5)} | {hi})
        # A line that ends exactly at the cell's edge looks wrapped: that only tips a near tie.
        cuts.append(min(candidates, key=lambda y: abs(text.centre(since, y) - centre_above)
                        + (0 if text.clean(y, line) else 0.25 * line)))
    return _lead_cut(text, marks[0], cuts) + cuts


def _lead_cut(text: _Text, mark: list[_Piece], cuts: list[float]) -> list[float]:
    """A cut above the first row when the lines heading the group are not centred with it: the
    rest of a row a page break cut, at the top of the next page's part."""
    end = cuts[0] if cuts else float("inf")
    middle, line = (mark[0].top + mark[-1].bottom) / 2, mark[0].bottom - mark[0].top
    starts = [y for y in text.tops if text.tops[0] + 0.5 < y < mark[0].top - 0.5 and text.clean(y, line)]
    if not starts:
        return []
    best = min(starts, key=lambda y: abs(text.centre(y, end) - middle))
    gain = abs(text.centre(text.tops[0], end) - middle) - abs(text.centre(best, end) - middle)
    return [best] if gain > LEAD_GAIN * line else []


LEAD_GAIN = 1.0  # line heights the first row's centring must gain for its head to be cut off


class _Text:
    """The pieces of a group sorted by their tops, looked up by position."""

    def __init__(self, pieces: list[_Piece]) -> None:
        self.pieces = pieces
        self.tops = [p.top for p in pieces]

    def between(self, top: float, bottom: float) -> list[_Piece]:
        """Pieces whose top lies in [top, bottom)."""
        return self.pieces[bisect.bisect_left(self.tops, top):bisect.bisect_left(self.tops, bottom)]

    def centre(self, top: float, bottom: float) -> float:
        """The middle of the text between two cuts: where a row of centred cells has its centre."""
        inside = self.between(top - 0.5, bottom - 0.5)
        return (inside[0].top + max(p.bottom for p in inside)) / 2 if inside else top

    def clean(self, y: float, line: float) -> bool:
        """Whether a row may start at y: no line straddles it, no wrapped line continues past it."""
        near = self.between(y - 3 * line, y + 3 * line)
        for col in {p.col for p in near}:
            mine = [p for p in near if p.col == col]
            if any(p.top < y - 0.5 and p.bottom > y + 0.5 for p in mine):
                return False
            before = [p for p in mine if p.bottom <= y + 0.5]
            if before and max(before, key=lambda p: p.bottom).wrapped and any(p.top >= y - 0.5 for p in mine):
                return False
        return True
