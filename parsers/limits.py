"""Every cap the parsers enforce, in one place, so refusals are consistent and tunable.

They guard the machine, not the form: a genuine risk form is a few hundred kB, a few
pages and a few hundred table rows; these allow roughly a hundred times that.
"""

from __future__ import annotations

MAX_FILE_BYTES = 50 * 1024 * 1024  # raw upload size (matches the web upload cap)

# Zip containers (.docx/.xlsx), checked from the central directory before any reader opens them.
MAX_ZIP_ENTRIES = 5_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed/compressed of one large entry; real OOXML stays below ~50
ZIP_RATIO_MIN_BYTES = 1024 * 1024  # small entries may compress as well as they like

XML_PROLOG_BYTES = 64 * 1024  # how far into an XML part a DOCTYPE may hide before the root element

MAX_PDF_PAGES = 300
MAX_PDF_PAGE_NODES = 2 * MAX_PDF_PAGES  # page-tree nodes (pages and their parents) walked before reading
MAX_PDF_XREF_SECTIONS = 100  # cross-reference sections (one per incremental save) followed
LEGACY_TIMEOUT = 60.0  # seconds for one LibreOffice conversion
PARSE_TIMEOUT = 120.0  # seconds for one isolated parse
# Memory budgets of an isolated parse: what its child may add to the zygote's resident memory.
# LibreOffice, started by the child for a legacy file, has the same budget for itself.
PARSE_MEMORY_MB = 500
# A file that may need OCR (an image, a PDF holding images) gets its own budget. Measured
# (bench/ocr_bench.py): a 300 dpi A4 scan or a 12-megapixel photo peaks ~250 MB above the
# zygote, a 40-megapixel image (the pixel cap) ~400 MB; this leaves room beside that.
OCR_MEMORY_MB = 800
# Default sum of the budgets of every parse child running at once on the machine
# (parsers.pool.MemoryPool; the service sets its own from LIANFANG_PARSE_MEMORY_TOTAL_MB).
PARSE_MEMORY_TOTAL_MB = 2000
