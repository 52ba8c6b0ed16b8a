"""Every kind of bad upload ends in one clear Chinese message and an English code, through
the same isolated path the service uses, and never reaches a reader it could hurt."""

from __future__ import annotations

import io
import zipfile

import pytest

from parsers import limits
from parsers.errors import MESSAGES, ParseError
from parsers.sandbox import parse_isolated
from parsers.sniff import sniff
from tests.parsers.badfiles import (
    XXE_DOCUMENT,
    encrypted_office,
    encrypted_pdf,
    form_docx,
    form_rows,
    form_xlsx,
    legacy_form,
    macro_docm,
    many_entries_zip,
    password_protected_doc,
    rezip,
    zip_bomb,
)
from tests.paths import SAMPLES


def refused(data: bytes, name: str) -> ParseError:
    """The error the user sees for this upload (sniff alone must already refuse it)."""
    with pytest.raises(ParseError) as early:
        sniff(data, name)
    with pytest.raises(ParseError) as caught:
        parse_isolated(data, name, timeout=30)
    assert caught.value.code == early.value.code
    assert caught.value.message == MESSAGES[caught.value.code]
    assert "Traceback" not in str(caught.value)
    return caught.value


def isolated_error(data: bytes, name: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_isolated(data, name, timeout=30)
    assert "Traceback" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_docx_and_xlsx(keep: float) -> None:
    for data, name in [(form_docx(form_rows(20)), "表.docx"), (form_xlsx(form_rows(20)), "表.xlsx")]:
        error = isolated_error(data[: int(len(data) * keep)], name)
        assert error.code == "corrupt_file"
        assert "已损坏" in error.message


def test_docx_with_a_garbled_document_part() -> None:
    data = rezip(form_docx(form_rows(3)), replace={"word/document.xml": b"<w:document><w:body><w:tbl>"})
    assert isolated_error(data, "表.docx").code == "corrupt_file"


def test_truncated_and_garbage_pdf() -> None:
    pdf = (SAMPLES / "p05_text_pdf.pdf").read_bytes()
    assert isolated_error(pdf[: len(pdf) // 3], "表.pdf").code == "corrupt_file"
    assert isolated_error(b"%PDF-1.7\n" + b"\x00garbage" * 500, "表.pdf").code == "corrupt_file"


def test_wrong_extension_still_parses() -> None:
    xlsx = (SAMPLES / "p07_gaozhongdi.xlsx").read_bytes()
    form = parse_isolated(xlsx, "风险表.docx")
    assert form.format == "xlsx"
    assert len(form.entries) == 7


def test_encrypted_office_file() -> None:
    error = refused(encrypted_office(form_docx(form_rows(2))), "加密.docx")
    assert error.code == "encrypted"
    assert "密码" in error.message


@pytest.mark.libreoffice
def test_password_protected_word_97_file() -> None:
    assert refused(password_protected_doc(legacy_form("doc")), "加密.doc").code == "encrypted"


def test_encrypted_pdf() -> None:
    error = refused(encrypted_pdf((SAMPLES / "p05_text_pdf.pdf").read_bytes()), "加密.pdf")
    assert error.code == "encrypted"


def test_pdf_restricted_by_an_owner_password_still_opens() -> None:
    restricted = encrypted_pdf((SAMPLES / "p05_text_pdf.pdf").read_bytes(), owner_only=True)
    assert sniff(restricted, "受限.pdf") == "pdf"
    assert len(parse_isolated(restricted, "受限.pdf").entries) == 5


def test_zip_bomb_of_zeros() -> None:
    bomb = zip_bomb(300)
    assert len(bomb) < 2 * 1024 * 1024
    assert refused(bomb, "炸弹.docx").code == "zip_bomb"


def test_one_highly_compressed_part_under_the_total_cap() -> None:
    quarter = limits.MAX_UNZIPPED_BYTES // (1024 * 1024) // 4
    assert refused(zip_bomb(quarter), "炸弹.docx").code == "zip_bomb"


def test_zip_with_too_many_entries() -> None:
    assert refused(many_entries_zip(limits.MAX_ZIP_ENTRIES + 10), "多.docx").code == "zip_bomb"


def test_external_entity_is_refused_never_resolved() -> None:
    data = rezip(form_docx(form_rows(2)), replace={"word/document.xml": XXE_DOCUMENT})
    error = refused(data, "xxe.docx")
    assert error.code == "unsafe_xml"
    assert "root:" not in str(error)


def test_entity_hidden_behind_a_long_prolog() -> None:
    padded = (
        b'<?xml version="1.0"?>'
        + b"<!--"
        + b" " * limits.XML_PROLOG_BYTES
        + b"-->"
        + XXE_DOCUMENT.split(b"?>", 1)[1]
    )
    data = rezip(form_docx(form_rows(2)), replace={"word/document.xml": padded})
    assert refused(data, "xxe.docx").code == "unsafe_xml"


def test_xlsx_with_entity_expansion_in_workbook() -> None:
    xlsx = form_xlsx(form_rows(2))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        part = archive.read("xl/workbook.xml")
    hostile = b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + part
    assert refused(rezip(xlsx, replace={"xl/workbook.xml": hostile}), "亿笑.xlsx").code == "unsafe_xml"


def test_macro_enabled_documents() -> None:
    assert refused(macro_docm(form_docx(form_rows(2))), "宏.docm").code == "macro_enabled"
    xlsm = rezip(form_xlsx(form_rows(2)), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    error = refused(xlsm, "宏.xlsx")
    assert error.code == "macro_enabled"
    assert "宏" in error.message


def test_oversized_file() -> None:
    huge = b"%PDF-1.4\n" + b"0" * limits.MAX_FILE_BYTES
    assert refused(huge, "大.pdf").code == "too_large"


def test_unknown_and_empty_files() -> None:
    assert refused(b"", "空.docx").code == "empty_file"
    assert refused("这是一段文字".encode(), "说明.txt").code == "unsupported_format"
    assert refused(b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "a.docx").code == "unsupported_format"
