"""parse_bytes: one entry point for every format; scans carry their recognition warnings."""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from parsers.errors import ParseError
from parsers.ocr import available
from tests.parsers import scans
from tests.parsers.builders import HEADER, docx_form, risk_rows


def test_docx_bytes_under_any_name_are_read_as_docx():
    form = parse_bytes(docx_form([HEADER] + risk_rows(2)), "风险表.bin")
    assert (form.format, form.file, len(form.entries)) == ("docx", "风险表.bin", 2)
    assert len(form.sha256) == 64


def test_broken_document_part_is_a_corrupt_file_not_a_traceback():
    data = docx_form([HEADER] + risk_rows(1)).replace(b"word/document.xml", b"word/documenX.xml")
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, "x.docx")
    assert caught.value.code == "corrupt_file"


@pytest.mark.ocr
@pytest.mark.skipif(not available(), reason="OCR engine not installed")
def test_photo_of_a_form_is_parsed_with_ocr_warnings():
    form = scans.DrawnForm(
        title="预算股廉政风险点排查表",
        header=["填报单位:某某县财政局        科室:预算股"],
        cells=[["序号", "岗位", "风险点", "风险等级", "防控措施"],
               ["1", "股长", "预算编制审核不严", "高", "1、严格执行预算编制程序；2、实行集体审核制度"]],
        widths=[0.6, 1.1, 3, 1, 3.6],
    )
    parsed = parse_bytes(scans.png(scans.draw_form(form)), "photo.png")
    assert parsed.entries[0].level == "high"
    assert "ocr" in [w.code for w in parsed.warnings]
