"""Recognised text placed into a lattice: the `Grid` every other reader also produces.

Each text box goes to the cell holding its centre; a cell's boxes are put back into
lines and the lines joined the way the form wrote them (a wrapped line continues, a new
numbered measure starts a new line). Cells with ink but no text — the lone digits of a
序号 column the detector tends to miss — are cropped and read again on their own.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import cv2
import numpy as np

from parsers.grid import Cell, Grid
from parsers.ocr.engine import Box, recognize
from parsers.ocr.rules import Lattice

MIN_SCORE = 0.5  # a re-read below this is noise, not text
# A line starting like this begins a new item rather than continuing the one above.
_NEW_ITEM = re.compile(r"^\s*(\d{1,2}\s*[、.．)）:：]|[（(]\s*\d{1,2}\s*[)）]|[①-⑳]|[一二三四五六七八九十]+、|(前期|中期|后期)\S{0,2}[:：])")
_ENDS_ITEM = re.compile(r"[。；;:：!！?？]$")


def text_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into visual lines, top to bottom, each left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        line = lines[-1] if lines else None
        if line and abs(box.cy - np.mean([b.cy for b in line])) <= 0.5 * max(box.height, line[0].height):
            line.append(box)
        else:
            lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def join_line(line: list[Box]) -> str:
    """One visual line; a wide gap between boxes (填报单位:…   科室:…) stays a space."""
    out = ""
    prev: Box | None = None
    for box in line:
        if prev is not None and box.x0 - prev.x1 > 0.8 * min(box.height, prev.height):
            out += " "
        out += box.text
        prev = box
    return out


def cell_text(boxes: list[Box], right: float) -> str:
    """The cell's text: wrapped lines joined, hard breaks kept as "\\n"."""
    out = ""
    prev_end = right
    for line in text_lines(boxes):
        text = join_line(line)
        if out:
            short = right - prev_end > 2.5 * line[0].height
            hard = short or _ENDS_ITEM.search(out) or _NEW_ITEM.match(text)
            out += "\n" if hard else ""
        out += text
        prev_end = line[-1].x1
    return out


def _reread(clean: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> tuple[str, float | None]:
    """Read a cell the detector found empty: ("", None) when it is blank, confidence 0
    when it holds ink that cannot be read (a reviewer must look at it)."""
    inset = 6
    crop = clean[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
    if crop.size == 0:
        return "", None
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    marks = [s for s in stats[1:n] if s[4] >= 20 and s[3] >= 8]
    if not marks or gray.min() > 160:
        return "", None
    pad = 8
    left = max(min(s[0] for s in marks) - pad, 0)
    top = max(min(s[1] for s in marks) - pad, 0)
    right = max(s[0] + s[2] for s in marks) + pad
    bottom = max(s[1] + s[3] for s in marks) + pad
    [(text, score)] = recognize([cv2.medianBlur(crop[top:bottom, left:right], 3)])  # specks off a lone mark
    return (text, score) if text and score >= MIN_SCORE else ("", 0.0)


def build_grid(lattice: Lattice, boxes: list[Box], clean: np.ndarray, page: int | None) -> Grid:
    """The grid of one table from the boxes whose centres fall inside it."""
    xs, ys = lattice.xs, lattice.ys
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    slots: dict[tuple[int, int], list[Box]] = {}
    for box in boxes:
        r, c = bisect_right(ys, box.cy) - 1, bisect_right(xs, box.cx) - 1
        slots.setdefault((r, c), []).append(box)
    rows: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for r, c, rs, cs in lattice.spans():
        x0, y0, x1, y1 = xs[c], ys[r], xs[c + cs], ys[r + rs]
        inside = [b for rr in range(r, r + rs) for cc in range(c, c + cs) for b in slots.get((rr, cc), [])]
        if inside:
            text, confidence = cell_text(inside, x1), min(b.score for b in inside)
        else:
            text, confidence = _reread(clean, x0, y0, x1, y1)
        cell = Cell(text, r, c, rs, cs, page=page, bbox=(x0, y0, x1, y1), confidence=confidence)
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                rows[rr][cc] = cell
    return Grid(
        rows=[[cell or Cell("", r, c, page=page) for c, cell in enumerate(row)] for r, row in enumerate(rows)],
        row_numbers=[None] * n_rows,
        row_pages=[page] * n_rows,
        ocr=True,
    )
