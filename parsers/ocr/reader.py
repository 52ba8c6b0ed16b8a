"""The OCR readers' entry points: limits, page loop, and the GridDocument/Grid results.

Heavy imports (OpenCV, the models) happen inside the functions so that importing
`parsers.ocr` stays cheap and `available()` can answer on a machine without them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from parsers import limits
from parsers.errors import fail
from parsers.grid import Grid, GridDocument
from parsers.ocr.engine import available

if TYPE_CHECKING:
    import numpy as np

MAX_PAGES = 50  # a form runs to a few pages; hundreds of scanned pages is a book
# Seconds for one file, checked between pages: stop before the sandbox's hard kill so
# the message says the scan was too long rather than that processing timed out.
TIME_LIMIT = 0.8 * limits.PARSE_TIMEOUT
NO_TABLE = "ocr_no_table"


def _require_engine() -> None:
    if not available():
        raise fail("ocr_failed", "扫描件识别组件未安装(rapidocr_onnxruntime、opencv),无法读取扫描件,请联系管理员")


def read_image(data: bytes, *, max_pages: int = MAX_PAGES, time_limit: float = TIME_LIMIT) -> GridDocument:
    """A photo or scan of a form (.jpg/.png/.tif..., every page of a multi-page TIFF)."""
    _require_engine()
    from parsers.ocr.prep import load_frames

    return _read_pages(enumerate(load_frames(data, max_pages=max_pages), 1), time_limit)


def read_pdf(
    data: bytes,
    pages: list[int] | None = None,
    *,
    max_pages: int = MAX_PAGES,
    time_limit: float = TIME_LIMIT,
) -> GridDocument:
    """Scanned PDF pages (1-based; all when None) read into grids and text lines."""
    _require_engine()
    from parsers.ocr.render import page_count, render_pages

    total = page_count(data)
    wanted = list(range(1, total + 1)) if pages is None else [p for p in pages if 1 <= p <= total]
    if len(wanted) > max_pages:
        raise fail("too_many_pages", f"扫描件页数过多({len(wanted)}页),每个文件最多识别{max_pages}页")
    return _read_pages(render_pages(data, wanted), time_limit)


def read_pdf_pages(data: bytes, pages: list[int] | None = None) -> list[Grid]:
    """The grids of the given scanned PDF pages (1-based), for `parsers.pdf`."""
    return read_pdf(data, pages).grids


def _read_pages(pages: Iterable[tuple[int, np.ndarray]], time_limit: float) -> GridDocument:
    """Read page after page within the time limit.

    A page without a ruled table (a cover letter) gives no grid: its text goes to
    `lines`, and to the `before` of the next grid (or `after` of the last) so header
    lines on it still reach the table interpretation.
    """
    from parsers.ocr.page import read_page

    doc = GridDocument(format="pdf-scanned", ocr=True)
    pending: list[str] = []  # text of table-less pages waiting for the next grid
    started = time.monotonic()
    for number, image in pages:
        if time.monotonic() - started > time_limit:
            raise fail("timeout", f"扫描件识别超时(超过{int(time_limit)}秒),请拆分文件或上传原件")
        page = read_page(image, number)
        doc.lines.extend(page.lines)
        if not page.grids:
            doc.warnings.append((NO_TABLE, f"第{number}页未发现表格(如封面、说明),已跳过该页的表格识别"))
            pending.extend(page.lines)
            continue
        page.grids[0].before[:0] = pending
        pending = []
        doc.grids.extend(page.grids)
    if pending and doc.grids:
        doc.grids[-1].after.extend(pending)
    return doc
