"""Tables from ruling lines: find the lines by morphology, cluster them into a lattice.

A lattice is the row and column boundaries of one ruled table plus, for every inner
boundary, whether a line is really drawn there. A boundary drawn in some columns but
not in others is a merged cell; `Lattice.spans` turns that into merged areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from parsers.ocr.engine import Box

MIN_RULE = 40  # px at 200 dpi: longer than any stroke of a 10.5 pt character, shorter than a one-line row
MERGE_TOL = 12  # px: line positions closer than this are the same boundary
PRESENT = 0.6  # share of a boundary segment that must be inked to count as a drawn rule


@dataclass(slots=True)
class Lattice:
    xs: list[int]  # column boundaries, left to right
    ys: list[int]  # row boundaries, top to bottom
    h_rules: np.ndarray  # horizontal-rule mask (page size)
    v_rules: np.ndarray
    ruled: bool = True  # False: boundaries inferred from the text (open tables), never merges

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def contains(self, box: Box) -> bool:
        """Whether a text box belongs to this table (its centre lies inside)."""
        return self.xs[0] <= box.cx <= self.xs[-1] and self.ys[0] <= box.cy <= self.ys[-1]

    def _drawn(self, mask: np.ndarray, fixed: int, lo: int, hi: int, horizontal: bool) -> bool:
        margin = max(3, (hi - lo) // 8)
        lo, hi = lo + margin, hi - margin
        if hi <= lo:
            return True
        band = mask[fixed - 5 : fixed + 6, lo:hi] if horizontal else mask[lo:hi, fixed - 5 : fixed + 6]
        inked = band.any(axis=0 if horizontal else 1)
        return float(inked.mean()) >= PRESENT

    def spans(self) -> list[tuple[int, int, int, int]]:
        """Merged areas as (row, col, rowspan, colspan), one per drawn cell, top-left first."""
        n_rows, n_cols = len(self.ys) - 1, len(self.xs) - 1
        if not self.ruled:
            return [(r, c, 1, 1) for r in range(n_rows) for c in range(n_cols)]
        parent = list(range(n_rows * n_cols))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for r in range(n_rows):
            for c in range(n_cols):
                here = r * n_cols + c
                if r + 1 < n_rows and not self._drawn(self.h_rules, self.ys[r + 1], self.xs[c], self.xs[c + 1], True):
                    parent[find(here + n_cols)] = find(here)
                if c + 1 < n_cols and not self._drawn(self.v_rules, self.xs[c + 1], self.ys[r], self.ys[r + 1], False):
                    parent[find(here + 1)] = find(here)
        areas: dict[int, list[int]] = {}
        for i in range(n_rows * n_cols):
            areas.setdefault(find(i), []).append(i)
        out = []
        for members in areas.values():
            rows = [i // n_cols for i in members]
            cols = [i % n_cols for i in members]
            out.append((min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))
        return sorted(out)


def rule_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: long thin runs of ink that text does not make."""
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (MIN_RULE, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, MIN_RULE)))
    # Bridge the small gaps blur and noise leave in a printed line.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    return horizontal, vertical


def _cluster(values: list[float]) -> list[int]:
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= MERGE_TOL:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [round(float(np.mean(g))) for g in groups]


def _close(bounds: list[int], start: int, end: int) -> list[int]:
    """Boundaries with the far ends of the crossing rules added where no rule closes the table."""
    if bounds[0] - start > MIN_RULE:
        bounds = [start, *bounds]
    if end - bounds[-1] > MIN_RULE:
        bounds = [*bounds, end]
    return bounds


def segments(mask: np.ndarray) -> np.ndarray:
    """Connected line pieces as rows of (x, y, w, h)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:n, :4]


def find_lattices(h_rules: np.ndarray, v_rules: np.ndarray) -> list[Lattice]:
    """Every ruled table on the page, top to bottom, from the masks of `rule_masks`.

    A table is one connected web of rules; only its own rules count, so a frame around
    the page (a photo's page edge) does not swallow the table inside it.
    """
    both = cv2.dilate(h_rules | v_rules, np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    lattices = []
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        if w < 200 or h < 80:
            continue
        own = labels[y : y + h, x : x + w] == i
        hs = [s for s in segments(h_rules[y : y + h, x : x + w] & own) if s[2] >= MIN_RULE * 2]
        vs = [s for s in segments(v_rules[y : y + h, x : x + w] & own) if s[3] >= MIN_RULE]
        ys = _cluster([y + sy + sh / 2 for _, sy, _, sh in hs])
        xs = _cluster([x + sx + sw / 2 for sx, _, sw, _ in vs])
        if hs and vs:  # open sides: rows ruled past the outermost column rule (no outer border)
            xs = _close(xs, min(x + s[0] for s in hs), max(x + s[0] + s[2] for s in hs))
            ys = _close(ys, min(y + s[1] for s in vs), max(y + s[1] + s[3] for s in vs))
        if len(ys) >= 2 and len(xs) >= 2 and (len(ys) >= 3 or len(xs) >= 3):
            lattices.append(Lattice(xs=xs, ys=ys, h_rules=h_rules, v_rules=v_rules))
    return sorted(lattices, key=lambda lat: lat.ys[0])
