"""Which format a file really is, decided from its bytes, and refusal of dangerous files.

Runs before any reader opens the file, so a zip bomb, an encrypted or macro-bearing
file or XML with external entities is refused here and never reaches python-docx,
openpyxl, pdfplumber or LibreOffice. The extension only tells 'wps'/'et' (Kingsoft)
apart from 'doc'/'xls', whose content is the same.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import PurePath

import msoffcrypto
import olefile

from parsers import limits
from parsers.errors import fail

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
# BOF records of Excel 2.x, 3.0, 4.0 worksheets and of a bare BIFF5+ stream: .xls without an OLE container.
BIFF_BOFS = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")
# What zipfile and zlib raise on a damaged archive (a bad header, a garbled deflate stream).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError)
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject")
# A link LibreOffice would follow into the server's own files while converting HTML/XML.
LOCAL_FILE_LINK = re.compile(rb"""(?:src|href|data|source)\s*=\s*["']?\s*file:""")
XML_2003 = {  # the namespaces of Office 2003 XML, by the legacy format they stand in for
    "doc": b"http://schemas.microsoft.com/office/word/2003/wordml",
    "xls": b"urn:schemas-microsoft-com:office:spreadsheet",
}

# Everything an XML document may hold before its root element, except a DOCTYPE.
PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_:]")


def sniff(data: bytes, filename: str) -> str:
    """The contract format of `data` ('docx', 'xlsx', 'pdf', 'doc', 'xls', 'wps', 'et')
    or 'image' for photos; raises ParseError for everything refused."""
    if not data:
        raise fail("empty_file")
    if len(data) > limits.MAX_FILE_BYTES:
        raise fail("too_large")
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data, ext)
    if b"%PDF-" in data[:1024]:
        return _sniff_pdf(data)
    if data.startswith(IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if is_biff_stream(data):
        return "et" if ext == "et" else "xls"
    markup = _sniff_markup(data, ext)
    if markup:
        return markup
    raise fail("unsupported_format")


def is_biff_stream(data: bytes) -> bool:
    """An Excel 2.x–4.0 file (or a bare BIFF5+ stream): a BOF record with its short length."""
    return data[:2] in BIFF_BOFS and 4 <= int.from_bytes(data[2:4], "little") <= 20


def _sniff_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS:
        raise fail("corrupt_file") from None
    _check_zip_shape(infos)
    names = {info.filename for info in infos}
    if any(info.flag_bits & 0x1 for info in infos):
        raise fail("encrypted")
    content_types = _read_part(archive, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
    lowered = content_types.lower()
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
        t in lowered for t in MACRO_CONTENT_TYPES
    ):
        raise fail("macro_enabled")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")):
            _check_xml_prolog(_read_part(archive, info, limits.XML_PROLOG_BYTES))
    if "word/document.xml" in names or b"wordprocessingml.document.main" in lowered:
        return "docx"
    if "xl/workbook.xml" in names or b"spreadsheetml.sheet.main" in lowered:
        return "xlsx"
    raise fail("unsupported_format")


def _check_zip_shape(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse bomb-shaped archives from the central directory alone; zipfile never inflates
    an entry past its declared size, so these figures bound what any reader will unpack."""
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise fail("zip_bomb")
    if sum(info.file_size for info in infos) > limits.MAX_UNZIPPED_BYTES:
        raise fail("zip_bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ZIP_RATIO_MIN_BYTES and ratio > limits.MAX_ZIP_RATIO:
            raise fail("zip_bomb")


def _read_part(archive: zipfile.ZipFile, part: str | zipfile.ZipInfo, limit: int = -1) -> bytes:
    """The part's bytes (the first `limit` of them); a damaged part is a corrupt file."""
    try:
        with archive.open(part) as stream:
            return stream.read(limit)
    except ZIP_ERRORS:
        raise fail("corrupt_file") from None


def _check_xml_prolog(head: bytes) -> None:
    """A DOCTYPE (the only place entities can be declared) before the root element → refuse."""
    head = _as_utf8(head)
    pos = 0
    while match := PROLOG_ITEM.match(head, pos):
        pos = match.end()
    rest = head[pos:]
    if rest[:9].upper() == b"<!DOCTYPE" or b"<!ENTITY" in head.upper():
        raise fail("unsafe_xml")
    if not ROOT_ELEMENT.match(rest) and len(head) >= limits.XML_PROLOG_BYTES:
        raise fail("unsafe_xml")  # a prolog longer than we look may hide a DOCTYPE


def _as_utf8(head: bytes) -> bytes:
    """The start of a text file as UTF-8 without a byte-order mark (Office also writes UTF-16)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def _sniff_ole(data: bytes, ext: str) -> str:
    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, TypeError):  # olefile raises these on broken headers/FAT
        raise fail("corrupt_file") from None
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        raise fail("encrypted")
    if "worddocument" in streams:
        fmt = "wps" if ext == "wps" else "doc"
    elif "workbook" in streams or "book" in streams:
        fmt = "et" if ext == "et" else "xls"
    else:
        raise fail("unsupported_format")
    if _ole_encrypted(data):
        raise fail("encrypted")
    return fmt


def _ole_encrypted(data: bytes) -> bool:
    """Word 97 / Excel 97 password protection (RC4 / XOR), as msoffcrypto-tool reads it."""
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # a file msoffcrypto cannot read is left to LibreOffice
        return False


def _sniff_pdf(data: bytes) -> str:
    if b"/Encrypt" in data and _pdf_needs_password(data):
        raise fail("encrypted")
    return "pdf"


def _pdf_needs_password(data: bytes) -> bool:
    """Owner-password-only PDFs open without a password and are read; only a user password refuses."""
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except PDFPasswordIncorrect:
        return True
    except Exception:  # broken PDFs are the reader's to report as corrupt
        return False
    return False


def _sniff_markup(data: bytes, ext: str) -> str | None:
    """Files saved by Word/Excel as HTML, RTF or 2003 XML (WordprocessingML, SpreadsheetML)
    under a legacy extension: LibreOffice converts them like the real thing."""
    head = _as_utf8(data[: limits.XML_PROLOG_BYTES]).lstrip()
    lowered = head.lower()
    if head.startswith(b"{\\rtf") and ext in ("doc", "wps"):
        return ext
    if not head.startswith(b"<") or ext not in ("doc", "wps", "xls", "et"):
        return None
    if b"<!entity" in lowered or LOCAL_FILE_LINK.search(_as_utf8(data).lower()):
        raise fail("unsafe_xml", "文件包含不安全的内容(外部实体或本机文件链接),已拒绝处理")
    office_xml = XML_2003["xls" if ext in ("xls", "et") else "doc"]
    if office_xml in lowered:
        _check_xml_prolog(head)
        return ext
    if b"<html" in lowered or b"<table" in lowered:
        return ext
    return None
