"""Rows of a table drawn with horizontal rules only (三线表), from where its text sits.

Without rules between rows, a row is what its cells' text blocks say: in each column the
lines of one cell form a block (a blank line's height separates blocks), blocks of
different columns that overlap vertically belong to one row, whatever the vertical
alignment (top or centred). Where that joins several rows (a tall cell running on into the
next row's, as happens when cells are top-aligned), the column with the most blocks (the
序号, a 等级, usually) says how many rows there are, and each cut goes where the most columns
agree a cell ends: not inside a wrapped line, preferably where cells start.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from parsers.pdf.chars import WRAP_CHARS, centre, group_lines

BLANK_LINE = 0.8  # a vertical gap of this many font sizes between two lines of a column ends a block


@dataclass
class _Piece:
    """The part of one text line inside one column."""

    col: int
    chars: list[dict]
    top: float
    bottom: float
    wrapped: bool  # ran to the column's right edge: the next line continues it


def split_rows(chars: list[dict], ys: list[float], cols: list[float]) -> list[list[dict]]:
    """The characters of each row, top to bottom; rules (ys) always separate rows."""
    rows: list[list[dict]] = []
    for top, bottom in zip(ys, ys[1:], strict=False):
        band = [c for c in chars if top <= centre(c)[1] < bottom]
        rows += _band_rows(_pieces(band, cols))
    if chars and ys:  # text outside the rules' span (a table running on past the page's last rule)
        rows += _band_rows(_pieces([c for c in chars if not ys[0] <= centre(c)[1] < ys[-1]], cols))
    return [row for row in rows if row]


def _pieces(chars: list[dict], cols: list[float]) -> list[_Piece]:
    pieces = []
    for line in group_lines(chars):
        runs: dict[int, list[dict]] = {}
        for ch in line:
            runs.setdefault(min(max(bisect.bisect(cols, centre(ch)[0]) - 1, 0), len(cols) - 2), []).append(ch)
        for c, run in runs.items():
            last = run[-1]
            pieces.append(_Piece(c, run, min(ch["top"] for ch in run), max(ch["bottom"] for ch in run),
                                 cols[c + 1] - last["x1"] < WRAP_CHARS * last["size"]))
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


def _band_rows(pieces: list[_Piece]) -> list[list[dict]]:
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
    """Where rows start inside a group of overlapping blocks (none when it is one row).

    The column with the most blocks gives one block per row. Each cut is a line start no
    wrapped line runs across: for top-aligned cells the one where the next row's block
    starts; for centred cells the one that centres the row above on its own block."""
    per_column: dict[int, list[list[_Piece]]] = {}
    for block in group:
        per_column.setdefault(block[0].col, []).append(block)
    anchor = max(sorted(per_column), key=lambda c: len(per_column[c]))
    marks = sorted(per_column[anchor], key=lambda b: b[0].top)
    pieces = [p for block in group for p in block]
    start = min(p.top for p in pieces)
    top_aligned = marks[0][0].top - start <= 1.0
    cuts: list[float] = []
    for above, below in zip(marks, marks[1:], strict=False):
        lo, hi = above[-1].bottom, below[0].top
        if top_aligned:
            cuts.append(hi)
            continue
        target = (above[0].top + above[-1].bottom) - (cuts[-1] if cuts else start)
        line = above[0].bottom - above[0].top
        candidates = sorted({p.top for p in pieces if lo < p.top <= hi + 0.5} | {hi})
        cuts.append(min(candidates, key=lambda y: (abs(y - target) > 1.5 * line or not _clean(pieces, y),
                                                  abs(y - target))))
    return cuts


def _clean(pieces: list[_Piece], y: float) -> bool:
    """Whether a row may start at y: no line straddles it and no wrapped line continues past it."""
    for col in {p.col for p in pieces}:
        mine = [p for p in pieces if p.col == col]
        if any(p.top < y - 0.5 and p.bottom > y + 0.5 for p in mine):
            return False
        before = [p for p in mine if p.bottom <= y + 0.5]
        if before and max(before, key=lambda p: p.bottom).wrapped and any(p.top >= y - 0.5 for p in mine):
            return False
    return True
