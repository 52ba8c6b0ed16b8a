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
PARSE_MEMORY_MB = 500  # address-space limit of the isolated parse
