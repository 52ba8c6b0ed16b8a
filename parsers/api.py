"""The one entry point: file bytes and name in, the parse-output contract object out.

The format comes from the bytes (`sniff`), a reader per format yields a `GridDocument`,
and `table.interpret` turns every reader's output into the contract the same way.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
from collections.abc import Callable, Iterator

from parsers import sniff, table
from parsers.errors import ParseError, fail, out_of_memory
from parsers.grid import GridDocument
from parsers.model import ParsedForm

Reader = Callable[[bytes, str], GridDocument]


def _read(module: str) -> Reader:
    """A reader imported on first use: a .docx never pays for pdfplumber or the OCR engine."""
    return lambda data, fmt: importlib.import_module(module).read(data)


def _legacy(module: str) -> Reader:
    """Convert through LibreOffice, read the result, keep the original format."""

    def read(data: bytes, fmt: str) -> GridDocument:
        from parsers.legacy import convert

        doc = importlib.import_module(module).read(convert(data, fmt))
        doc.format = fmt
        return doc

    return read


def _image(data: bytes, fmt: str) -> GridDocument:
    from parsers import ocr

    if not ocr.available():
        raise fail("unsupported_format", "图片需要文字识别(OCR)组件才能读取,当前未安装,请上传 Word/Excel 原件")
    return ocr.read_image(data)


READERS: dict[str, Reader] = {
    "docx": _read("parsers.docx"),
    "xlsx": _read("parsers.xlsx"),
    "pdf": _read("parsers.pdf"),
    "doc": _legacy("parsers.docx"),
    "wps": _legacy("parsers.docx"),
    "xls": _read("parsers.xls"),  # natively, every shape of it: no LibreOffice needed
    "et": _legacy("parsers.xlsx"),
    "image": _image,
}
# The file name endings of the formats above, for what picks, lists or filters files before a
# byte is read (upload page, batch folders); the bytes alone decide how a file is read.
FORM_SUFFIXES = (
    ".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".pdf",
    ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp",  # "image": scans and photos
)


def parse_bytes(data: bytes, filename: str, *, level_standard: dict | None = None) -> ParsedForm:
    """Parse one submitted form; raises ParseError (never anything else) when it cannot."""
    with _young_objects_only():
        return _parse(data, filename, level_standard)


@contextlib.contextmanager
def _young_objects_only() -> Iterator[None]:
    """Collections during a parse look only at what the parse made: the objects already there
    (a server's or worker's whole heap, a caller's garbage) are frozen for its length
    (gc.freeze) and handed back after. A parse makes many small objects and no cycles of
    note; without this each collection it triggered walked the caller's heap too."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _parse(data: bytes, filename: str, level_standard: dict | None) -> ParsedForm:
    try:
        fmt = sniff.sniff(data, filename)
        reader = READERS.get(fmt)
        if reader is None:
            raise fail("unsupported_format")
        doc = reader(data, fmt)
        parsed = table.interpret(
            doc, file=filename, sha256=hashlib.sha256(data).hexdigest(), level_standard=level_standard
        )
        if doc.ocr:
            from parsers.ocr import ocr_warnings  # only scans pay for loading the OCR package

            parsed.warnings += ocr_warnings(doc.grids)
        return parsed
    except ParseError:
        raise
    except Exception as exc:  # a reader tripping over a malformed file: never a traceback
        raise fail("out_of_memory" if out_of_memory(exc) else "corrupt_file") from exc
