"""PDF pages rendered to images for recognition, within page and pixel limits."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from parsers.errors import fail
from parsers.ocr.prep import MAX_PIXELS

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
    """(1-based page number, BGR image at about 200 dpi) for each requested page."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise fail("corrupt_file") from exc
    try:
        for number in pages:
            page = pdf[number - 1]
            width, height = page.get_size()  # points
            scale = DPI / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            rgb = page.render(scale=scale).to_numpy()[:, :, :3]
            page.close()
            # pdfium renders BGR(A) by default, which is what OpenCV expects.
            yield number, np.ascontiguousarray(rgb)
    finally:
        pdf.close()
