"""The recognition engine: RapidOCR's PP-OCR models, which ship inside the wheel.

Detection and recognition are called separately so the page reader can decide the
page's orientation from the detected boxes, split boxes at ruling lines and crop each
box from the cleaned page before recognising it. The engine is built once per process
(`_engine` is cached): loading the models costs more than reading a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

# Detection runs on the page scaled to this long side: 10.5 pt text at 200 dpi stays
# about 16 px high, enough for the detector, at a third of the time and memory of full
# size. Recognition still reads each box cropped from the full-size page.
DETECT_SIDE = 1280
# ... and in horizontal bands of this height (px at detection scale), overlapping by
# BAND_OVERLAP: the detector's memory grows with the pixels it is given (~300 MB for a
# whole page at 1280), so bands bound it whatever the page. A text line belongs to the
# band that holds its centre away from the overlap, and the overlap is taller than any
# line, so every line is found whole exactly once.
BAND = 448
BAND_OVERLAP = 64


@dataclass(slots=True)
class Box:
    """An axis-aligned text box in page pixels, with what was read in it."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""
    score: float = 0.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


# A speck beside a line of Chinese is read as a stray dot or quote; no form writes one there.
_STRAY = re.compile(r"^[.·'`]+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[.·'`]+$")
# Nor punctuation around a one-character cell (高、 → 高): the level and tick cells.
_LONE = re.compile(r"^[\s.·'`、，,。:：;；]*([\u4e00-\u9fff])[\s.·'`、，,。:：;；]*$")
# The recogniser hears a space between a digit and an ideograph (第 12 项) the page does not have.
_DIGIT_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=\d)|(?<=\d)\s+(?=[\u4e00-\u9fff])")


def _tidy(text: str) -> str:
    text = _DIGIT_GAP.sub("", _STRAY.sub("", text.strip()))
    return _LONE.sub(r"\1", text)


def available() -> bool:
    """Whether OCR can run here: the engine and OpenCV import."""
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # "max": the detector never enlarges what it is given (by default it would blow a band
    # up until its short side is 736 px). One thread: onnxruntime's pool threads spin while
    # they wait, which on a busy or pinned core cost as much CPU as the work (a 300 dpi page:
    # 6.7 s of CPU with two threads, 3.6 s with one), and parses running side by side
    # already keep both cores busy.
    return RapidOCR(max_side_len=DETECT_SIDE, det_limit_type="max", intra_op_num_threads=1,
                    inter_op_num_threads=1, print_verbose=False)


def detect(img: np.ndarray) -> list[Box]:
    """Text boxes on the page (in its pixels), without reading them; see BAND."""
    import cv2

    h, w = img.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(h, w))
    small = img if scale == 1 else cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    boxes = []
    for top, bottom, own_top, own_bottom in _bands(small.shape[0]):
        found, _ = _engine().text_det(np.ascontiguousarray(small[top:bottom]))
        for quad in [] if found is None else found:
            pts = np.asarray(quad, dtype=float)
            x0, x1 = pts[:, 0].min(), pts[:, 0].max()
            y0, y1 = pts[:, 1].min() + top, pts[:, 1].max() + top
            if own_top <= (y0 + y1) / 2 < own_bottom:
                boxes.append(Box(x0 / scale, y0 / scale, x1 / scale, y1 / scale))
    return boxes


def _bands(height: int) -> list[tuple[int, int, int, int]]:
    """(top, bottom, own top, own bottom) of each band: what the detector sees, and the part
    of it whose lines are kept (the rest is seen whole by a neighbour)."""
    if height <= BAND + BAND_OVERLAP:
        return [(0, height, 0, height)]
    count = -(-(height - BAND_OVERLAP) // BAND)
    step = -(-height // count)
    bands = []
    for i in range(count):
        own_top, own_bottom = i * step, min((i + 1) * step, height)
        top, bottom = max(own_top - BAND_OVERLAP, 0), min(own_bottom + BAND_OVERLAP, height)
        bands.append((top, bottom, own_top, own_bottom))
    return bands


def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Read each crop as one text line: text and confidence (0–1).

    Calls the recogniser directly (`text_rec`) so the crops go through in batches.
    """
    usable = [i for i, crop in enumerate(crops) if crop.size and min(crop.shape[:2]) >= 4]
    out = [("", 0.0)] * len(crops)
    if usable:
        found, _ = _engine().text_rec([crops[i] for i in usable])
        for i, (text, score, *_) in zip(usable, found, strict=True):
            out[i] = (_tidy(str(text)), float(score))
    return out


def upside_down(crops: list[np.ndarray]) -> bool:
    """Majority vote of the line-direction classifier over sample text lines."""
    votes = 0
    for crop in crops:
        found, _ = _engine()(crop, use_det=False, use_cls=True, use_rec=False)
        if found:
            label, score = found[0]
            if float(score) >= 0.6:
                votes += 1 if label == "180" else -1
    return votes > 0
