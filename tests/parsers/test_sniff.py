"""Format detection from content, not from the name the user gave the file."""

from __future__ import annotations

import random

import pytest

from parsers.errors import ParseError
from parsers.sniff import sniff
from tests.parsers.badfiles import form_docx, form_rows, form_xlsx, legacy_form, word_2003_xml
from tests.paths import SAMPLES


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("p01_keshi_standard.docx", "docx"),
        ("p02_title_merged_header_row3.xlsx", "xlsx"),
        ("p05_text_pdf.pdf", "pdf"),
    ],
)
def test_samples_are_recognised(name: str, fmt: str) -> None:
    assert sniff((SAMPLES / name).read_bytes(), name) == fmt


def test_wrong_extension_is_ignored() -> None:
    docx_bytes, xlsx_bytes = form_docx(form_rows(2)), form_xlsx(form_rows(2))
    assert sniff(xlsx_bytes, "风险表.docx") == "xlsx"
    assert sniff(docx_bytes, "风险表.pdf") == "docx"
    assert sniff(docx_bytes, "no-extension") == "docx"
    assert sniff((SAMPLES / "p05_text_pdf.pdf").read_bytes(), "scan.xlsx") == "pdf"


@pytest.mark.parametrize(
    "magic",
    [
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"II*\x00\x08\x00",
        b"MM\x00*\x00\x08",
        b"BM6\x00",
    ],
)
def test_photos_go_to_ocr(magic: bytes) -> None:
    assert sniff(magic + b"\x00" * 100, "photo.jpg") == "image"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.docx", "empty_file"),
        (b"just some text\n", "a.docx", "unsupported_format"),
        (b"PK\x03\x04 truncated", "a.docx", "corrupt_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.doc", "corrupt_file"),
    ],
)
def test_refusals(data: bytes, name: str, code: str) -> None:
    with pytest.raises(ParseError) as caught:
        sniff(data, name)
    assert caught.value.code == code


@pytest.mark.libreoffice
def test_legacy_formats_and_kingsoft_extensions() -> None:
    doc, xls = legacy_form("doc"), legacy_form("xls")
    assert sniff(doc, "表.doc") == "doc"
    assert sniff(doc, "表.WPS") == "wps"  # Kingsoft Writer files are Word 97 inside
    assert sniff(xls, "表.xls") == "xls"
    assert sniff(xls, "表.et") == "et"
    assert sniff(xls, "表.wps") == "xls"  # the content wins over a name that disagrees
    assert sniff(doc, "表.docx") == "doc"


def test_xls_saved_as_html_or_spreadsheetml() -> None:
    html = "<html><body><table><tr><td>风险点</td></tr></table></body></html>".encode()
    spreadsheetml = (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    assert sniff(html, "表.xls") == "xls"
    assert sniff(b"\xef\xbb\xbf" + html, "表.et") == "et"
    assert sniff(spreadsheetml, "表.xls") == "xls"
    assert sniff(word_2003_xml([]), "表.doc") == "doc"
    with pytest.raises(
        ParseError
    ) as caught:  # an Excel XML named .doc is nothing LibreOffice should guess at
        sniff(spreadsheetml, "表.doc")
    assert caught.value.code == "unsupported_format"
    with pytest.raises(ParseError) as caught:
        sniff(html, "page.html")
    assert caught.value.code == "unsupported_format"


def test_rtf_and_utf16_html_under_a_word_name() -> None:
    assert sniff(b"{\\rtf1\\ansi \\u39118?}", "表.doc") == "doc"
    assert sniff("<html><table><tr><td>风险</td></tr></table></html>".encode("utf-16"), "表.wps") == "wps"
    with pytest.raises(ParseError) as caught:
        sniff(b"{\\rtf1 text}", "说明.rtf")
    assert caught.value.code == "unsupported_format"


def test_html_linking_local_files_is_refused() -> None:
    html = "<html><body><table><tr><td><img src='FILE:///etc/passwd'></td></tr></table></body></html>"
    for encoded in (html.encode(), html.encode("utf-16")):
        with pytest.raises(ParseError) as caught:
            sniff(encoded, "表.xls")
        assert caught.value.code == "unsafe_xml"
        assert "本机文件" in caught.value.message


@pytest.mark.parametrize(
    "build",
    [
        lambda: form_docx(form_rows(3)),
        lambda: form_xlsx(form_rows(3)),
        pytest.param(lambda: legacy_form("doc"), marks=pytest.mark.libreoffice),
        pytest.param(lambda: legacy_form("xls"), marks=pytest.mark.libreoffice),
    ],
)
def test_damaged_containers_give_a_code_never_an_exception(build) -> None:
    """Bytes flipped (mostly in the first parts' headers and deflate blocks), some files cut short."""
    original, rng = build(), random.Random(7)
    outcomes = set()
    for attempt in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(min(len(data), 4096) if rng.random() < 0.7 else len(data))] = rng.randrange(
                256
            )
        if attempt % 5 == 0:
            data = data[: rng.randrange(len(data))]
        try:
            outcomes.add(sniff(bytes(data), "表.docx"))
        except ParseError as error:
            outcomes.add(error.code)
    assert "corrupt_file" in outcomes
    assert outcomes <= {
        "docx",
        "xlsx",
        "doc",
        "xls",
        "corrupt_file",
        "unsupported_format",
        "zip_bomb",
        "unsafe_xml",
        "encrypted",
    }


@pytest.mark.parametrize("head", [b"GIF89a", b"GIF87a", b"RIFF\x10\x00\x00\x00WEBPVP8 "], ids=["gif89", "gif87", "webp"])
def test_gif_and_webp_are_images_to_read(head):
    assert sniff(head + b"\x00" * 64, "照片") == "image"


def test_unsupported_file_is_told_that_images_are_accepted_too():
    with pytest.raises(ParseError) as caught:
        sniff(b"just some text\n", "a.txt")
    assert "照片" in caught.value.message and ".jpg" in caught.value.message


@pytest.mark.parametrize("bof", [b"\x09\x00\x04\x00", b"\x09\x02\x06\x00", b"\x09\x04\x06\x00"], ids=["biff2", "biff3", "biff4"])
def test_excel_2_to_4_files_are_xls_without_an_ole_container(bof):
    assert sniff(bof + b"\x00" * 64, "旧表.xls") == "xls"
    assert sniff(bof + b"\x00" * 64, "旧表.et") == "et"
