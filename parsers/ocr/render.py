"""PDF pages rendered to images for recognition, within page and pixel limits."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from parsers.errors import fail
from parsers.ocr.prep import WORK_SIDE

DPI = 200


def page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise fail("corrupt_file") from exc
    try:
        return len(pdf)
    finally:
        pdf.close()


def render_pages(data: bytes, pages: list[int]) -> Iterator[tuple[int, np.ndarray]]:
    """(1-based page number, BGR image at about 200 dpi, its long side at most WORK_SIDE) for
    each requested page: a poster-sized page is rendered no larger than a photo is decoded."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise fail("corrupt_file") from exc
    try:
        for number in pages:
            page = pdf[number - 1]
            width, height = page.get_size()  # points
            scale = min(DPI / 72, WORK_SIDE / max(width, height, 1))
            rgb = page.render(scale=scale).to_numpy()[:, :, :3]
            page.close()
            # pdfium renders BGR(A) by default, which is what OpenCV expects.
            yield number, np.ascontiguousarray(rgb)
    finally:
        pdf.close()
