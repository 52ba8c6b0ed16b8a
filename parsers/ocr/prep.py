"""Page images made ready for reading: decoded within limits, scaled, flattened, seal removed, deskewed.

Every step works at one scale — an A4 page at about 200 dpi — so the pixel sizes used by
the ruling-line and text steps hold for phone photos and 300 dpi scans alike. Images are
shrunk as they are decoded (a 12-megapixel photo or a 300 dpi scan never exists at full
size beside its copies), and a photo of a sheet lying on a desk is cut out of the frame
and its perspective undone before anything looks for a table.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np
from PIL import Image, ImageOps

from parsers.errors import fail

MAX_PIXELS = 40_000_000  # a 300 dpi A3 scan is 17.4 Mpx; beyond this is not a form page
PAGE_LONG_SIDE = 2339  # A4 long side at 200 dpi
# Long side an image is decoded to at most: a sheet filling 70% of a photo still keeps 200 dpi.
WORK_SIDE = 3300
EXIF_ORIENTATION = 0x0112  # the tag a phone sets instead of turning the pixels
A4 = 2 ** 0.5  # long side over short side of an A4 sheet
MAX_SPECKS = 3000  # one- and two-pixel dots on a page beyond which it is despeckled
MAX_SKEW = 5.0  # degrees; a larger angle is a photo of something else, leave it
FIND_SIDE = 800  # px: the long side of the copy the sheet of a photo is looked for on
MIN_SHEET, MAX_SHEET = 0.2, 0.95  # share of the frame a photographed sheet covers
A4_TOLERANCE = 0.15  # a sheet this close to A4 proportions is taken to be A4


@contextmanager
def _decoding() -> Iterator[None]:
    """PIL's failures as our codes; its own bomb warning silenced (our cap decides)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except Image.DecompressionBombError as exc:
        raise fail("image_too_large") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise fail("corrupt_file", "图片已损坏或格式无法识别,请重新扫描后上传") from exc


def load_frames(data: bytes, *, max_pixels: int = MAX_PIXELS, max_pages: int) -> Iterator[np.ndarray]:
    """Each page of a .jpg/.png/.tif (multi-page TIFF scans too) as BGR, decoded one at a time.

    Empty, over-long and broken images are refused here, before any page is read; a page
    over the pixel cap when its turn comes, before it is decoded.
    """
    if not data:
        raise fail("empty_file")
    with _decoding(), Image.open(io.BytesIO(data)) as img:
        frames = getattr(img, "n_frames", 1)
    if frames > max_pages:
        raise fail("too_many_pages", f"图片页数过多({frames}页),每个文件最多识别{max_pages}页")
    return _frames(data, frames, max_pixels)


def _frames(data: bytes, frames: int, max_pixels: int) -> Iterator[np.ndarray]:
    """Frame after frame, the file opened afresh for each so that no decoded frame outlives
    its page."""
    for index in range(frames):
        with _decoding(), Image.open(io.BytesIO(data)) as img:
            img.seek(index)
            if img.width * img.height > max_pixels:
                raise fail("image_too_large", f"图片尺寸过大({img.width}×{img.height} 像素),超出允许的 {max_pixels // 1_000_000} 百万像素")
            page = np.array(_shrunk(img))
        yield cv2.cvtColor(page, cv2.COLOR_RGB2BGR, dst=page)


def _shrunk(img: Image.Image) -> Image.Image:
    """The frame upright, as RGB, its long side at most WORK_SIDE, with few full-size copies
    alive: a JPEG is decoded at 1/2, 1/4 or 1/8 scale directly when that is still large
    enough (`draft`), anything else is reduced before it is converted or turned."""
    orientation = img.getexif().get(EXIF_ORIENTATION, 1)
    factor = WORK_SIDE / max(img.size)
    if factor < 1:
        img.draft("RGB", (round(img.width * factor), round(img.height * factor)))  # never below the size asked
    img.load()
    factor = WORK_SIDE / max(img.size)
    if factor < 1:
        size = (max(round(img.width * factor), 1), max(round(img.height * factor), 1))
        img = img.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    if img.mode != "RGB":
        img = img.convert("RGB")
    if orientation != 1:
        img = ImageOps.exif_transpose(img)
    return img


def to_page_scale(img: np.ndarray) -> np.ndarray:
    """Scale so the long side is that of an A4 page at 200 dpi."""
    h, w = img.shape[:2]
    factor = PAGE_LONG_SIDE / max(h, w)
    if abs(factor - 1) < 0.05:
        return img
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, (max(round(w * factor), 1), max(round(h * factor), 1)), interpolation=interp)


def flatten_page(img: np.ndarray) -> np.ndarray | None:
    """A photo of a sheet on a darker background, cut out and seen square-on at 200 dpi; None
    when no sheet stands out (a scan: the page is the whole image).

    The sheet is the largest bright region of the frame (Otsu on a small grey copy, so
    uneven light and the text on the sheet do not matter) whose outline is close to a
    quadrilateral; its corners map onto an A4 page (or the sheet's own proportions, when
    they are far from A4), which undoes the perspective of a photo taken at an angle.
    """
    h, w = img.shape[:2]
    scale = FIND_SIDE / max(h, w)
    if min(h, w) * scale < FIND_SIDE / 8:  # a strip: no sheet photographed flat is that narrow
        return None
    small = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))  # the text on the sheet
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = cv2.convexHull(max(contours, key=cv2.contourArea))
    share = cv2.contourArea(sheet) / (small.shape[0] * small.shape[1])
    if not MIN_SHEET <= share <= MAX_SHEET:
        return None
    quad = _quadrilateral(sheet)
    if quad is None or cv2.contourArea(quad) < 0.9 * cv2.contourArea(sheet):
        return None
    corners = _clockwise(quad.reshape(4, 2).astype(np.float32) / scale)
    top, right, bottom, left = (float(np.linalg.norm(corners[i] - corners[(i + 1) % 4])) for i in range(4))
    across, down = (top + bottom) / 2, (left + right) / 2
    ratio = max(across, down) / min(across, down)
    if abs(ratio - A4) / A4 < A4_TOLERANCE:
        ratio = A4
    long_side, short_side = PAGE_LONG_SIDE, round(PAGE_LONG_SIDE / ratio)
    size = (long_side, short_side) if across >= down else (short_side, long_side)
    target = np.float32([(0, 0), (size[0], 0), (size[0], size[1]), (0, size[1])])
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(img, matrix, size, flags=cv2.INTER_AREA, borderValue=(255, 255, 255))


def _quadrilateral(outline: np.ndarray) -> np.ndarray | None:
    """The outline simplified to four corners, if some tolerance gives exactly four."""
    perimeter = cv2.arcLength(outline, True)
    for tolerance in (0.01, 0.02, 0.03, 0.05):
        corners = cv2.approxPolyDP(outline, tolerance * perimeter, True)
        if len(corners) == 4:
            return corners
    return None


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Corners ordered top-left, top-right, bottom-right, bottom-left."""
    by_sum, by_diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[by_sum.argmin()], points[by_diff.argmin()], points[by_sum.argmax()], points[by_diff.argmax()]])


def remove_seal(img: np.ndarray) -> np.ndarray:
    """Lift red ink (seals, stamps over the table) off the page so it is neither read nor a rule.

    Red pixels take their red-channel value as grey: the seal's red turns white while
    black text under it, dark in every channel, stays dark.
    """
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    red = cv2.inRange(hsv, (0, 50, 40), (12, 255, 255)) | cv2.inRange(hsv, (160, 50, 40), (180, 255, 255))
    if not red.any():
        return img
    grey = img[:, :, 2].copy()
    grey[grey > 140] = 255  # the seal's faint edge too
    out = img.copy()
    out[red > 0] = grey[red > 0][:, None]
    return out


def binarize(img: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, robust to uneven scanner lighting."""
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def despeckle(img: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """A median filter for pages sprinkled with scanner specks, left alone otherwise:
    on a clean page it would only thin the hairline strokes of 宋体."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    specks = int((stats[1:n, cv2.CC_STAT_AREA] <= 2).sum())
    return cv2.medianBlur(img, 3) if specks > MAX_SPECKS else img


def skew_angle(ink: np.ndarray) -> float:
    """Angle of the long ruling lines (Hough on near-horizontal strokes), in degrees."""
    long_runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    width = ink.shape[1]
    lines = cv2.HoughLinesP(long_runs, 1, np.pi / 1800, threshold=150, minLineLength=width // 5, maxLineGap=25)
    if lines is None:
        return 0.0
    angles = []
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
        if abs(angle) <= MAX_SKEW:
            angles.append(angle)
    return float(np.median(angles)) if angles else 0.0


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre by a small angle, filling with white."""
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def deskew(img: np.ndarray) -> np.ndarray:
    half = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
    angle = skew_angle(binarize(half))  # half size: the angle is the same, Hough costs a quarter
    return rotate(img, angle) if abs(angle) >= 0.1 else img
