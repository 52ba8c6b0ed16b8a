"""One page image read end to end: upright, clean, ruled tables found, text placed.

The order matters: red seal pixels go first (they would be read as text and break
ruling lines), then deskew (the lattice assumes straight rules), then orientation from
the detected text lines, then the tables (ruled lattices, and rule-only 三线表 whose
columns come from the text), then recognition of each box from the page with its rules
erased and, on a speckled scan, the specks filtered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from parsers.grid import Grid
from parsers.ocr import engine
from parsers.ocr.cells import build_grid, join_line, text_lines
from parsers.ocr.engine import Box
from parsers.ocr.open_tables import find_open_tables
from parsers.ocr.prep import binarize, deskew, despeckle, flatten_page, remove_seal, to_page_scale
from parsers.ocr.rules import Lattice, find_lattices, rule_masks

MIN_BOX_SCORE = 0.3  # below this a box is smudge or seal residue, not text
ORIENTATION_SAMPLES = 9
MIN_SIDE = 200  # px at page scale: a quarter of the narrowest table a form fits in


@dataclass(slots=True)
class PageRead:
    grids: list[Grid] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the page's text outside its tables, in order


def _sideways(boxes: list[Box]) -> bool:
    """Text lines run top to bottom: the page was scanned turned by 90°."""
    tall = sum(1 for b in boxes if b.height > 2 * b.width)
    wide = sum(1 for b in boxes if b.width > 2 * b.height)
    return tall > wide


def _crop(img: np.ndarray, box: Box, pad: int = 5) -> np.ndarray:
    h, w = img.shape[:2]
    return img[max(int(box.y0) - pad, 0) : min(int(box.y1) + pad, h), max(int(box.x0) - pad, 0) : min(int(box.x1) + pad, w)]


def upright(img: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """The page turned so its text reads left to right, with its detected text boxes."""
    boxes = engine.detect(img)
    if _sideways(boxes):
        img = np.ascontiguousarray(np.rot90(img, -1))
        boxes = engine.detect(img)
    samples = sorted(boxes, key=lambda b: b.width, reverse=True)[:ORIENTATION_SAMPLES]
    if samples and engine.upside_down([_crop(img, b) for b in samples]):
        h, w = img.shape[:2]
        img = np.ascontiguousarray(img[::-1, ::-1])
        boxes = [Box(w - b.x1, h - b.y1, w - b.x0, h - b.y0) for b in boxes]
    return img, boxes


def _split_at_rules(box: Box, lattices: list[Lattice]) -> list[Box]:
    """A detected box running across a drawn column rule is two texts, one per cell."""
    for lat in lattices:
        if not lat.contains(box):
            continue
        y = int(box.cy)
        for x in lat.xs[1:-1]:
            if box.x0 + 8 < x < box.x1 - 8 and lat.v_rules[y, x]:
                left = Box(box.x0, box.y0, x - 4, box.y1)
                right = Box(x + 4, box.y0, box.x1, box.y1)
                return _split_at_rules(left, lattices) + _split_at_rules(right, lattices)
    return [box]


def read_page(img: np.ndarray, page: int | None) -> PageRead:
    """The page's tables as grids (with the lines around each) and its other text."""
    flat = flatten_page(img)
    img = to_page_scale(img) if flat is None else flat
    if min(img.shape[:2]) < MIN_SIDE:  # a strip, not a page: nothing a form could be read from
        return PageRead()
    img = deskew(remove_seal(img))
    img, boxes = upright(img)
    ink = binarize(img)
    h_rules, v_rules = rule_masks(ink)
    lattices = find_lattices(h_rules, v_rules)
    solid = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # scanner specks off
    lattices = sorted(lattices + find_open_tables(solid, h_rules, v_rules, lattices, boxes), key=lambda lat: lat.ys[0])
    clean = despeckle(img, ink).copy()
    for lat in lattices:  # only there: a large title's long strokes also pass as rules
        x0, y0, x1, y1 = lat.bbox
        area = (slice(max(y0 - 8, 0), y1 + 8), slice(max(x0 - 8, 0), x1 + 8))
        clean[area][(h_rules[area] | v_rules[area]) > 0] = 255
    pieces = [piece for b in boxes for piece in _split_at_rules(b, lattices)]
    readings = engine.recognize([_crop(clean, b) for b in pieces])
    for box, (text, score) in zip(pieces, readings, strict=True):
        box.text, box.score = text, score
    read = [b for b in pieces if b.text and b.score >= MIN_BOX_SCORE]

    result = PageRead()
    outside = [b for b in read if not any(lat.contains(b) for lat in lattices)]
    placed_lines = [(line[0].cy, join_line(line)) for line in text_lines(outside)]
    result.lines = [text for _, text in placed_lines]
    for i, lat in enumerate(lattices):
        grid = build_grid(lat, [b for b in read if lat.contains(b)], clean, page)
        top, bottom = lat.ys[0], lat.ys[-1]
        above = lattices[i - 1].ys[-1] if i else -1
        below = lattices[i + 1].ys[0] if i + 1 < len(lattices) else img.shape[0] + 1
        grid.before = [t for y, t in placed_lines if above < y < top]
        grid.after = [t for y, t in placed_lines if bottom < y < below]
        result.grids.append(grid)
    return result
