"""Hostile structure the format readers would chase: a PDF whose cross-reference chain or page
tree contains itself, and XML whose DOCTYPE hides in an encoding found only as an XML parser
finds it. Each is refused before any reader walks it, fast, with a clear Chinese message."""

from __future__ import annotations

import time

import pytest

from parsers import limits
from parsers.errors import ParseError
from parsers.sandbox import parse_isolated
from parsers.sniff import PDF_LOOP, sniff
from tests.parsers.badfiles import XXE_DOCUMENT, form_docx, form_rows, rezip, word_2003_xml

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def pdf(objects: list[bytes], *, prev: str | None = None) -> bytes:
    """A tiny PDF; `prev`: "self" (the trailer's /Prev names its own section) or "earlier" (a real
    incremental save: a second section whose /Prev names the first)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"

    def section(link: int | None) -> int:
        at = len(out)
        out.extend(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.extend(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        link_text = b"/Prev %d " % (at if link == -1 else link) if link is not None else b""
        out.extend(b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, link_text))
        return at

    first = section(-1 if prev == "self" else None)
    last = section(first) if prev == "earlier" else first
    out += b"startxref\n%d\n%%%%EOF\n" % last
    return bytes(out)


# The probe's file: 345 bytes, /Prev names its own xref, the page tree lists itself among its kids.
SELF_LOOPING_PDF = pdf([CATALOG, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>", PAGE], prev="self")
PAGE_TREE_LOOP_PDF = pdf([CATALOG, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", PAGE,
                          b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>"])


def refused_as_damaged(data: bytes) -> ParseError:
    start = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        parse_isolated(data, "循环.pdf", timeout=30)
    assert time.perf_counter() - start < 5
    assert caught.value.code == "corrupt_file"
    assert caught.value.message == PDF_LOOP
    return caught.value


def test_the_345_byte_pdf_with_a_looping_xref_is_refused_as_damaged_before_any_reader() -> None:
    assert len(SELF_LOOPING_PDF) == 345
    with pytest.raises(ParseError) as early:
        sniff(SELF_LOOPING_PDF, "循环.pdf")  # pdfminer never sees it
    assert early.value.message == PDF_LOOP
    refused_as_damaged(SELF_LOOPING_PDF)


def test_a_page_tree_containing_itself_is_refused_before_any_page_is_read() -> None:
    assert sniff(PAGE_TREE_LOOP_PDF, "树.pdf") == "pdf"  # the xref chain is sound
    refused_as_damaged(PAGE_TREE_LOOP_PDF)


def test_objects_that_only_refer_to_each_other_are_refused_not_followed_for_ever() -> None:
    # 2 0 obj is "3 0 R" and 3 0 obj is "2 0 R": pdfminer's resolve1 followed them until the time limit
    refused_as_damaged(pdf([CATALOG, b"3 0 R", b"2 0 R"]))


def test_a_real_incremental_save_is_not_a_loop() -> None:
    data = pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE], prev="earlier")
    assert sniff(data, "增量.pdf") == "pdf"
    with pytest.raises(ParseError) as caught:  # an empty page: read, found no form
        parse_isolated(data, "增量.pdf", timeout=30)
    assert caught.value.code != "corrupt_file"


def test_too_many_xref_sections_are_damage() -> None:
    body = bytearray(pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE]))
    tail = body.rindex(b"startxref")
    previous = int(body[tail:].split()[1])
    del body[tail:]
    for _ in range(limits.MAX_PDF_XREF_SECTIONS + 1):
        at = len(body)
        body += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\n" % previous
        previous = at
    body += b"startxref\n%d\n%%%%EOF\n" % previous
    with pytest.raises(ParseError) as caught:
        sniff(bytes(body), "多.pdf")
    assert caught.value.code == "corrupt_file"


XXE_BODY = XXE_DOCUMENT.split(b"?>", 1)[1]


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-16-le without a BOM", ('<?xml version="1.0" encoding="UTF-16"?>' + XXE_BODY.decode()).encode("utf-16-le")),
        ("utf-16-be without a BOM", ('<?xml version="1.0" encoding="UTF-16"?>' + XXE_BODY.decode()).encode("utf-16-be")),
        ("utf-16-le, DOCTYPE first", XXE_BODY.decode().strip().encode("utf-16-le")),
        ("utf-32-le without a BOM", ('<?xml version="1.0" encoding="UTF-32"?>' + XXE_BODY.decode()).encode("utf-32-le")),
        ("utf-7 declared", b'<?xml version="1.0" encoding="UTF-7"?>' + XXE_BODY.replace(b"<", b"+ADw-")),
        ("ebcdic", ('<?xml version="1.0" encoding="IBM037"?>' + XXE_BODY.decode()).encode("cp037")),
    ],
)
def test_doctype_in_any_encoding_an_xml_parser_reads_is_refused(encoding: str, data: bytes) -> None:
    docx = rezip(form_docx(form_rows(2)), replace={"word/document.xml": data})
    with pytest.raises(ParseError) as caught:
        sniff(docx, "编码.docx")
    assert caught.value.code == "unsafe_xml", encoding


def test_office_2003_xml_in_utf16_without_a_bom_is_checked_too() -> None:
    text = word_2003_xml(form_rows(2)).decode()
    head, rest = text.split("?>", 1)
    hostile = (head.replace("UTF-8", "UTF-16") + '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest)
    with pytest.raises(ParseError) as caught:
        sniff(hostile.encode("utf-16-le"), "旧版.doc")
    assert caught.value.code == "unsafe_xml"


def test_plain_utf16_and_declared_chinese_encodings_still_pass() -> None:
    good = form_docx(form_rows(2))
    assert sniff(good, "表.docx") == "docx"
    import io
    import zipfile

    part = zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml").decode()
    utf16 = part.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    assert sniff(rezip(good, replace={"word/document.xml": utf16}), "表.docx") == "docx"
    gbk = part.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    assert sniff(rezip(good, replace={"word/document.xml": gbk}), "表.docx") == "docx"
