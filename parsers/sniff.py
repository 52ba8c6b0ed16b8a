"""Which format a file really is, decided from its bytes, and refusal of dangerous files.

Runs before any reader opens the file, so a zip bomb, an encrypted or macro-bearing
file or XML with external entities is refused here and never reaches python-docx,
openpyxl, pdfplumber or LibreOffice. The extension only tells 'wps'/'et' (Kingsoft)
apart from 'doc'/'xls', whose content is the same.
"""

from __future__ import annotations

import codecs
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

# How an XML parser tells the encoding before it can read the declaration (XML 1.0, appendix F):
# a byte-order mark, else the pattern of the first bytes, else the encoding declaration.
XML_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
)
XML_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),  # any markup, not only "<?": stricter than libxml2
    (b"\x4c\x6f\xa7\x94", "cp037"),  # "<?xm" in EBCDIC
)
XML_DECLARED = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,40})["']""")
# pdfminer follows /Prev and /XRefStm recursively and never remembers where it has been.
PDF_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})")
PDF_XREF_LINK = re.compile(rb"/(?:Prev|XRefStm)\s+(\d{1,12})")
PDF_XREF_OBJECT = re.compile(rb"\s*\d+\s+\d+\s+obj\b")
PDF_TRAILER_BYTES = 8192
PDF_LOOP = "PDF 文件结构已损坏(交叉引用表或页面树循环引用自身),无法读取,请重新导出 PDF 后上传"

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
    """The start of an XML or markup file as UTF-8 (or in its own ASCII-compatible encoding),
    read in the encoding an XML parser would use, so a DOCTYPE is seen in any of them."""
    for bom, codec in XML_BOMS:
        if head.startswith(bom):
            return _recode(head[len(bom):], codec)
    for pattern, codec in XML_PATTERNS:
        if head.startswith(pattern):
            return _recode(head, codec)
    declared = XML_DECLARED.match(head)
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:  # lxml cannot read it either
            return head
        if codec != "utf-8" and not codec.startswith(("utf-16", "utf-32")):  # e.g. utf-7, gb18030, cp500
            return _recode(head, codec)
    return head


def _recode(data: bytes, codec: str) -> bytes:
    return data.decode(codec, errors="ignore").encode("utf-8")


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
    _check_xref_chain(data)
    if b"/Encrypt" in data and _pdf_needs_password(data):
        raise fail("encrypted")
    return "pdf"


def _check_xref_chain(data: bytes) -> None:
    """Follow the cross-reference sections from the last startxref as pdfminer will; a section
    reached again from itself (a loop) or more sections than any real file has is damage."""
    at = data.rfind(b"startxref")
    start = PDF_STARTXREF.match(data, at) if at >= 0 else None
    if start is None:
        return  # no chain: pdfminer scans the objects, which ends
    stack: list[tuple[int, frozenset[int]]] = [(int(start.group(1)), frozenset())]
    visits = 0
    while stack:
        pos, above = stack.pop()
        if pos in above:
            raise fail("corrupt_file", PDF_LOOP)
        visits += 1
        if visits > limits.MAX_PDF_XREF_SECTIONS:
            raise fail("corrupt_file", PDF_LOOP)
        stack.extend((int(link), above | {pos}) for link in PDF_XREF_LINK.findall(_xref_trailer(data, pos)))


def _xref_trailer(data: bytes, pos: int) -> bytes:
    """The trailer of the xref table at `pos`, or the dictionary of the xref stream there (else b"")."""
    if data.startswith(b"xref", pos):
        start = data.find(b"trailer", pos)
    elif PDF_XREF_OBJECT.match(data, pos):
        start = pos
    else:
        return b""
    return _pdf_dictionary(data, data.find(b"<<", start)) if start >= 0 else b""


def _pdf_dictionary(data: bytes, start: int) -> bytes:
    """The << … >> beginning at `start`, nested dictionaries included (at most PDF_TRAILER_BYTES)."""
    if start < 0:
        return b""
    depth, pos, end = 0, start, min(len(data), start + PDF_TRAILER_BYTES)
    while pos < end - 1:
        pair = data[pos: pos + 2]
        if pair in (b"<<", b">>"):
            depth += 1 if pair == b"<<" else -1
            pos += 2
            if depth == 0:
                return data[start:pos]
        else:
            pos += 1
    return data[start:end]


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
    raw = data[: limits.XML_PROLOG_BYTES]
    head = _as_utf8(raw).lstrip()
    lowered = head.lower()
    if head.startswith(b"{\\rtf") and ext in ("doc", "wps"):
        return ext
    if not head.startswith(b"<") or ext not in ("doc", "wps", "xls", "et"):
        return None
    if b"<!entity" in lowered or LOCAL_FILE_LINK.search(_as_utf8(data).lower()):
        raise fail("unsafe_xml", "文件包含不安全的内容(外部实体或本机文件链接),已拒绝处理")
    office_xml = XML_2003["xls" if ext in ("xls", "et") else "doc"]
    if office_xml in lowered:
        _check_xml_prolog(raw)
        return ext
    if b"<html" in lowered or b"<table" in lowered:
        return ext
    return None
