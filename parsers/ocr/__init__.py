"""Scanned forms: image-only PDF pages and photos read into the shared `Grid` form.

`read_pdf_pages` serves `parsers.pdf` for pages without a usable text layer (`read_pdf`
gives the same as a GridDocument, with the notes on pages that hold no table);
`read_image` serves `parsers.api` for .jpg/.png/.tif uploads; `ocr_warnings` turns the
recognition confidence kept on every cell into the warnings a reviewer needs.
"""

from parsers.ocr.confidence import ocr_warnings
from parsers.ocr.engine import available
from parsers.ocr.reader import read_image, read_pdf, read_pdf_pages

__all__ = ["available", "ocr_warnings", "read_image", "read_pdf", "read_pdf_pages"]
