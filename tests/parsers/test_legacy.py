"""Legacy and Kingsoft files through real LibreOffice, and what happens without it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from parsers import parse_bytes
from parsers.errors import ParseError
from parsers.legacy import convert
from parsers.sniff import sniff
from tests.parsers.badfiles import LEGACY_ROWS, legacy_form, word_2003_xml

HTML_XLS = (
    "<html><head><meta charset='utf-8'></head><body><p>科室廉政风险防控排查表</p><table border=1>"
    "<tr><td>序号</td><td>岗位</td><td>廉政风险点</td><td>风险等级</td><td>防控措施</td><td>责任人</td></tr>"
    "<tr><td>1</td><td>科员</td><td>审批把关不严</td><td>高</td><td>1、严格审批;2、定期公开</td><td>张三</td></tr>"
    "</table></body></html>"
).encode()


def risks(form) -> list[str]:
    return [entry.risk for entry in form.entries]


@pytest.mark.libreoffice
@pytest.mark.parametrize(("legacy", "kingsoft"), [("doc", "wps"), ("xls", "et")])
def test_office_97_file_and_its_kingsoft_rename(legacy: str, kingsoft: str) -> None:
    old = legacy_form(legacy)
    as_legacy = parse_bytes(old, f"风险表.{legacy}")
    assert as_legacy.format == legacy
    assert risks(as_legacy) == [row[2] for row in LEGACY_ROWS]
    as_kingsoft = parse_bytes(old, f"风险表.{kingsoft}")  # Kingsoft files are Word/Excel 97 inside
    assert as_kingsoft.format == kingsoft
    assert risks(as_kingsoft) == risks(as_legacy)


@pytest.mark.libreoffice
def test_xls_that_is_really_html() -> None:
    form = parse_bytes(HTML_XLS, "导出.xls")
    assert form.format == "xls"
    [entry] = form.entries
    assert (entry.risk, entry.level) == ("审批把关不严", "high")
    assert [m.text for m in entry.measures] == ["严格审批", "定期公开"]


@pytest.mark.libreoffice
def test_word_2003_xml_saved_as_doc() -> None:
    form = parse_bytes(word_2003_xml(LEGACY_ROWS), "风险表.doc")
    assert form.format == "doc"
    assert risks(form) == [row[2] for row in LEGACY_ROWS]


@pytest.mark.libreoffice
def test_parallel_conversions_do_not_share_a_profile() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda fmt: convert(legacy_form(fmt), fmt), ["doc", "xls"]))
    assert [sniff(data, "out") for data in results] == ["docx", "xlsx"]


@pytest.mark.libreoffice
def test_conversion_output_is_checked() -> None:
    with pytest.raises(ParseError) as caught:
        convert(b"\x00\x01 not a word file", "doc")
    assert caught.value.code == "conversion_failed"


@pytest.mark.libreoffice
def test_conversion_time_limit_kills_libreoffice() -> None:
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        convert(HTML_XLS, "xls", timeout=0.05)
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 5


def test_without_libreoffice_a_legacy_file_gets_a_clear_message(monkeypatch, tmp_path) -> None:
    doc_like = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ParseError) as caught:
        convert(doc_like, "doc")
    assert caught.value.code == "libreoffice_missing"
    assert "需要安装LibreOffice" in caught.value.message
    with pytest.raises(ParseError) as caught:
        parse_bytes(word_2003_xml(LEGACY_ROWS), "风险表.doc")
    assert caught.value.code == "libreoffice_missing"
    assert sniff(HTML_XLS, "导出.xls") == "xls"  # detection itself needs no LibreOffice
    assert risks(parse_bytes(HTML_XLS, "导出.xls")) == ["审批把关不严"]  # nor does reading an .xls


def test_only_legacy_formats_are_converted() -> None:
    with pytest.raises(ParseError) as caught:
        convert(b"anything", "pdf")
    assert caught.value.code == "unsupported_format"
