"""Tables ruled only across (三线表): columns from the gaps the table's text never crosses.

Word's three-line style draws a rule above and below the header and one under the
table, nothing between columns; some forms rule every row but no columns. Such a table
has no lattice of rules, so its columns are read from where the text is not, and body
rows without a rule of their own start where the first column has text.
"""

from __future__ import annotations

import numpy as np

from parsers.ocr.cells import text_lines
from parsers.ocr.engine import Box
from parsers.ocr.rules import Lattice, segments

WIDE = 0.3  # share of the page width: a rule this long belongs to a table, not an underline
ALIGN = 40  # px: the rules of one table start and end within this of each other
MIN_GAP = 8  # px of x-range no text box touches: a column boundary
MIN_MARK = 8  # px: an ink run shorter than this in the first column is a speck, not a digit


def _groups(rules: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Rules (y, x0, x1) stacked with aligned ends, top to bottom."""
    groups: list[list[tuple[int, int, int]]] = []
    for rule in sorted(rules):
        for group in groups:
            y, x0, x1 = group[-1]
            if abs(rule[1] - x0) <= ALIGN and abs(rule[2] - x1) <= ALIGN:
                group.append(rule)
                break
        else:
            groups.append([rule])
    return groups


def _columns(boxes: list[Box], x0: int, x1: int) -> list[int]:
    """Column boundaries: the table's ends and the middle of every gap between its texts."""
    used = np.zeros(x1 - x0 + 1, dtype=bool)
    for b in boxes:
        used[max(int(b.x0) - x0, 0) : max(int(b.x1) - x0 + 1, 0)] = True
    inked = np.flatnonzero(used)
    if not inked.size:
        return [x0, x1]
    bounds = [x0]
    run_start = None
    for i in range(inked[0], inked[-1] + 1):
        if not used[i] and run_start is None:
            run_start = i
        elif used[i] and run_start is not None:
            if i - run_start >= MIN_GAP:
                bounds.append(x0 + (run_start + i) // 2)
            run_start = None
    return [*bounds, x1]


def _marks(ink: np.ndarray, first_col: tuple[int, int], top: int, bottom: int) -> list[float]:
    """Vertical centres of the ink runs in the first column (a digit is ~20 px tall)."""
    rows = ink[top:bottom, first_col[0] + 4 : first_col[1] - 4].any(axis=1)
    marks, start = [], None
    for y, inked in enumerate([*rows, False]):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            if y - start >= MIN_MARK:
                marks.append(top + (start + y) / 2)
            start = None
    return marks


def _rows(boxes: list[Box], rules: list[int], first_col: tuple[int, int], ink: np.ndarray) -> list[int]:
    """Row boundaries: every rule, plus one before each body line that opens a row.

    A line opens a row when it has something in the first column: detected text, or ink
    nearest to it (a lone 序号 digit is what detection misses most; a digit centred on a
    two-line row belongs to the nearer line).
    """
    bounds = [rules[0]]
    for i, (top, bottom) in enumerate(zip(rules, rules[1:], strict=False)):
        lines = text_lines([b for b in boxes if top < b.cy < bottom])
        if i > 0 and lines:  # the header band stays one row
            centres = [float(np.mean([b.cy for b in line])) for line in lines]
            opening = [any(b.cx < first_col[1] for b in line) for line in lines]
            for mark in _marks(ink, first_col, top, bottom):
                opening[int(np.argmin([abs(mark - c) for c in centres]))] = True
            if not any(opening):  # an empty first column: a row per line
                opening = [True] * len(lines)
            for prev, line, opens in zip(lines, lines[1:], opening[1:], strict=False):
                if opens:
                    bounds.append(round((max(b.y1 for b in prev) + min(b.y0 for b in line)) / 2))
        bounds.append(bottom)
    return bounds


def find_open_tables(
    ink: np.ndarray, h_rules: np.ndarray, v_rules: np.ndarray, ruled: list[Lattice], boxes: list[Box]
) -> list[Lattice]:
    """Tables drawn with at least three full-width rules and no column rules.

    `ink` is the binarized page with specks opened away; the masks come from `rule_masks`.
    """
    width = h_rules.shape[1]
    rules = [
        (int(y + h / 2), int(x), int(x + w))
        for x, y, w, h in segments(h_rules)
        if w >= WIDE * width and not any(lat.ys[0] - 8 <= y <= lat.ys[-1] + 8 for lat in ruled)
    ]
    tables = []
    for group in _groups(rules):
        if len(group) < 3:
            continue
        x0, x1 = min(r[1] for r in group), max(r[2] for r in group)
        ys = [r[0] for r in group]
        inside = [b for b in boxes if x0 <= b.cx <= x1 and ys[0] < b.cy < ys[-1]]
        xs = _columns(inside, x0, x1)
        if len(xs) < 3:
            continue
        tables.append(Lattice(xs=xs, ys=_rows(inside, ys, (xs[0], xs[1]), ink), h_rules=h_rules, v_rules=v_rules, ruled=False))
    return tables
