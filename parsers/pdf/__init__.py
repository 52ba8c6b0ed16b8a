"""Text PDFs to grids with pdfplumber, repairing what Word/WPS/LibreOffice exports do to tables.

pdfplumber finds ruled tables well but leaves the rest to us: a table running over
pages arrives as one table per page (with a repeated header row, and a row broken at
the page foot leaving a fragment on the next page: `pages`); fake-bold, Kangxi-radical
and symbol-font glyphs (`chars`); three-line tables without vertical rules (`tables`).
Pages without a usable text layer go to OCR when engineer C's `parsers.ocr` is
available, else the file is refused as scanned.
"""

from __future__ import annotations

import io
import logging
import re
from enum import Enum

import pdfplumber
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from parsers import limits
from parsers.errors import ParseError, fail
from parsers.grid import Grid, GridDocument
from parsers.pdf.chars import inside, page_chars, text_lines
from parsers.pdf.pages import Line, assemble
from parsers.pdf.tables import PageTable, RunningTable, page_tables
from parsers.sniff import PDF_LOOP

# pdfminer warns about every broken font or operator; that is the file's problem, and the
# user already gets one clear message: keep its warnings off a bare stderr.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

CID_SHARE = 0.1  # more than this share of undecodable glyphs: the page needs OCR
MIN_PAGE_CHARS = 10  # fewer characters on a page with an image: a scan with a stamp or page number
# A page whose text is read but holds no table, with images covering this much of it, is read
# by OCR — a scanned form pasted under a typed header — unless the text layer of the PDF
# holds a table elsewhere: then the picture is a letterhead, a photo or a seal beside a form
# already read, and recognising it would cost seconds and hundreds of MB for nothing.
IMAGE_PAGE_SHARE = 0.3
# This many characters of the text layer lying on the page's pictures: the text layer already
# gives the picture's text (a scan with its recognised text under it, a background image), so
# the picture is not recognised again.
OVERLAID_CHARS = 20
# A three-line table (rules at its head and foot only) says nothing of where one row ends:
# rows are cut where the text sits, and the rare wrong cut joins two risk points into one
# entry or splits one into two with no text lost. Said once, so the reviewer knows to look.
ROWS_INFERRED = "第{pages}页的表格没有行间框线,各行按文字位置划分,请核对有无两个风险点被合为一条或一个被拆成两条"


class Picture(Enum):
    """A page that is mostly a picture (and holds no table in its text layer)."""

    UNREAD = "unread"  # its text is not in the text layer: a form pasted as a picture, maybe
    READ = "read"  # the text layer carries text over it: already read


PageRead = tuple[list[PageTable], list[Line], Picture | None]  # tables, free lines, mostly a picture
MARGIN = 0.08  # share of the page height at top and bottom where running headers and footers sit
BARE_REFERENCE = re.compile(rb"(?<![0-9])(\d{1,10})\s+\d{1,5}\s+obj\s*(\d{1,10})\s+\d{1,5}\s+R\s*endobj")


def read(data: bytes) -> GridDocument:
    """The tables (as grids) and the free text lines of a PDF."""
    try:
        _check_structure(data)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.MAX_PDF_PAGES:
                raise fail("too_many_pages")
            running = RunningTable()  # a three-line table's columns, carried to the page it runs on to
            pages = [_read_page_once(page, running) for page in pdf.pages]
    except ParseError:
        raise
    except (PdfminerException, MalformedPDFException, PSException, ValueError, KeyError, TypeError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        raise fail("encrypted" if isinstance(cause, PDFPasswordIncorrect) else "corrupt_file") from None
    read_pages = {number: page for number, page in enumerate(pages, 1) if page is not None}
    tables_read = any(tables for tables, _, _ in read_pages.values())
    pictured = [number for number, (_, _, picture) in read_pages.items() if picture is Picture.UNREAD]
    overlaid = [number for number, (_, _, picture) in read_pages.items() if picture is Picture.READ]
    scanned = [n for n in range(1, len(pages) + 1) if n not in read_pages or (n in pictured and not tables_read)]
    document = assemble([(tables, lines) for n, (tables, lines, _) in read_pages.items() if n not in scanned])
    if pictured and tables_read:
        document.warnings.append(("pdf_image_not_read", f"第{_pages(pictured)}页的图片未做文字识别(该页文字已读取,表格已在其他页读取)"))
    if overlaid:
        document.warnings.append(("pdf_image_not_read", f"第{_pages(overlaid)}页的图片未做文字识别(图片上的文字已在文字层中读取)"))
    inferred = [n for n, (tables, _, _) in read_pages.items()
                if n not in scanned and any(not t.ruled and len(t.rows) > 1 for t in tables)]
    if inferred:
        document.warnings.append(("pdf_rows_inferred", ROWS_INFERRED.format(pages=_pages(inferred))))
    if scanned:
        _add_ocr(document, data, scanned, all_scanned=len(scanned) == len(pages))
    return document


def _pages(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _check_structure(data: bytes) -> None:
    """Loops pdfminer would follow without end, found on the bare objects before pdfplumber opens
    the file (whose close() walks the pages even after a refusal). sniff checked the xref chain."""
    doc = PDFDocument(PDFParser(io.BytesIO(data)))
    _check_reference_chains(data, doc)
    _check_page_tree(doc.catalog.get("Pages"))


def _check_reference_chains(data: bytes, doc: PDFDocument) -> None:
    """An object that is only a reference (`1 0 obj 2 0 R endobj`) makes pdfminer follow it, and it
    follows a loop of them for ever (resolve1 has no bound). Find every such object — in the file's
    text, then among the compressed ones — and refuse a loop before anything resolves one."""
    alias = {int(src): int(dst) for src, dst in BARE_REFERENCE.findall(data)}
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            try:
                compressed = xref.get_pos(objid)[0] is not None
                target = doc.getobj(objid) if compressed and objid not in alias else None
            except (PSException, KeyError, ValueError, TypeError):  # a broken object is the reader's to report
                continue
            if isinstance(target, PDFObjRef):
                alias[objid] = target.objid
    ends: set[int] = set()  # objects known to lead out of every chain
    for start in alias:
        path: set[int] = set()
        node = start
        while node in alias and node not in ends:
            if node in path:
                raise fail("corrupt_file", PDF_LOOP)
            path.add(node)
            node = alias[node]
        ends |= path


def _check_page_tree(root: object) -> None:
    """Walk the page tree as bare objects before any page is read: a node inside itself is damage
    (sniff has already refused a looping xref chain), more nodes than the page cap allows too many."""
    stack: list[tuple[object, frozenset[int]]] = [(root, frozenset())]
    nodes = 0
    while stack:
        ref, above = stack.pop()
        objid = getattr(ref, "objid", None)
        if objid in above:
            raise fail("corrupt_file", PDF_LOOP)
        node = resolve1(ref)
        if not isinstance(node, dict):
            continue
        nodes += 1
        if nodes > limits.MAX_PDF_PAGE_NODES:
            raise fail("too_many_pages")
        kids = resolve1(node.get("Kids"))
        if isinstance(kids, list):
            inner = above | {objid} if isinstance(objid, int) else above
            stack.extend((kid, inner) for kid in kids)


def _read_page_once(page, running: RunningTable) -> PageRead | None:
    """Read a page and drop pdfplumber's caches of it, so a long PDF does not pile up in memory."""
    try:
        return _read_page(page, running)
    finally:
        page.close()


def _read_page(page, running: RunningTable) -> PageRead | None:
    """Tables and lines of one page and whether it is mostly a picture (IMAGE_PAGE_SHARE) whose
    text the text layer does not already give, or None when the page has no usable text layer."""
    chars = page_chars(page)
    garbage = sum(1 for c in chars if c["text"].startswith("(cid:"))
    if not chars or garbage > CID_SHARE * len(chars) or (len(chars) < MIN_PAGE_CHARS and page.images):
        return None
    tables = page_tables(page, chars, running)
    pictured = None
    if not tables and _image_share(page) >= IMAGE_PAGE_SHARE:
        over = sum(1 for c in chars if any(inside(c, (i["x0"], i["top"], i["x1"], i["bottom"])) for i in page.images))
        pictured = Picture.READ if over >= OVERLAID_CHARS else Picture.UNREAD
    free = [c for c in chars if not any(inside(c, t.box) for t in tables)]
    edge = MARGIN * page.height
    lines = [Line(page.page_number, top, text, margin=not edge < top < page.height - edge) for top, text in text_lines(free)]
    return tables, lines, pictured


def _image_share(page) -> float:
    area = sum(
        max(0.0, min(image["x1"], page.width) - max(image["x0"], 0.0))
        * max(0.0, min(image["bottom"], page.height) - max(image["top"], 0.0))
        for image in page.images
    )
    return area / (page.width * page.height)


def _first_page(grid: Grid) -> int:
    return next((page for page in grid.row_pages if page is not None), 0)


def _add_ocr(document: GridDocument, data: bytes, pages: list[int], *, all_scanned: bool) -> None:
    """Read pages without a text layer by OCR (engineer C's module), if it is installed."""
    try:
        from parsers import ocr
    except ImportError:
        ocr = None
    if ocr is None or not ocr.available():
        if all_scanned:
            raise fail("scanned_pdf")
        listed = "、".join(str(p) for p in pages)
        document.warnings.append(("pages_need_ocr", f"第{listed}页为扫描图像,未能识别其中内容"))
        return
    grids = ocr.read_pdf_pages(data, pages)
    for grid in grids:
        grid.ocr = True
    document.grids = sorted([*document.grids, *grids], key=_first_page)  # in page order; the sort is stable
    document.ocr = True
    if all_scanned:
        document.format = "pdf-scanned"
