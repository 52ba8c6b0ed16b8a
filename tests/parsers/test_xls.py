"""Excel .xls read natively (no LibreOffice at parse time): BIFF8, BIFF5, BIFF4, BIFF2, and
HTML or SpreadsheetML saved under .xls."""

from __future__ import annotations

import shutil
import struct

import pytest

from parsers import parse_bytes
from parsers.sniff import sniff
from tests.parsers import formgen

ROWS = [["科室廉政风险防控排查表"], ["序号", "岗位", "廉政风险点", "风险等级", "防控措施"],
        ["1", "会计", "虚报冒领", "高", "1、三岗分设;2、由科室负责人签字后报批"], ["2", "出纳", "坐支现金", "低", "当日存行"]]
WANT = [("会计", "虚报冒领", "high", ["三岗分设", "由科室负责人签字后报批"]), ("出纳", "坐支现金", "low", ["当日存行"])]


def _got(form) -> list:
    return [(e.position, e.risk, e.level, [m.text for m in e.measures]) for e in form.entries]


@pytest.fixture
def no_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))


def _record(op: int, data: bytes) -> bytes:
    return struct.pack("<HH", op, len(data)) + data


def biff(version: int, rows: list[list[str]]) -> bytes:
    """A one-sheet Excel 2.x, 4.0 (a worksheet file) or 5.0/95 (a workbook stream, sheet 财务科)
    file, text in GBK (code page 936)."""
    cells = b""
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            raw = text.encode("gbk")
            if version == 2:
                cells += _record(0x0004, struct.pack("<HH3sB", r, c, b"\0\0\0", len(raw)) + raw)
            else:
                cells += _record(0x0204, struct.pack("<HHHH", r, c, 15, len(raw)) + raw)
    codepage, end = _record(0x0042, struct.pack("<H", 936)), _record(0x000A, b"")
    if version < 5:
        return _record({2: 0x0009, 4: 0x0409}[version], struct.pack("<HHH", 0, 0x0010, 0)) + codepage + cells + end

    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHH", 0x0500, kind, 2412, 1993))

    name = "财务科".encode("gbk")

    def workbook(sheet_at: int) -> bytes:
        sheet = _record(0x0085, struct.pack("<IBBB", sheet_at, 0, 0, len(name)) + name)
        return bof(0x0005) + codepage + sheet + end

    return workbook(len(workbook(0))) + bof(0x0010) + cells + end


@pytest.mark.parametrize("version", [2, 4, 5])
def test_excel_2_4_and_95_files(version, no_libreoffice):
    data = biff(version, ROWS)
    assert sniff(data, "old.xls") == "xls"
    form = parse_bytes(data, "old.xls")
    assert (form.format, form.form.title, _got(form)) == ("xls", "科室廉政风险防控排查表", WANT)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="makes its .xls with LibreOffice")
def test_excel_97_files_with_merges(monkeypatch, tmp_path):
    forms = [formgen.generate(seed) for seed in (43, 77, 1004)]  # merged 岗位, two-row headers, ticks
    files = formgen.xls_files(forms)
    monkeypatch.setenv("PATH", str(tmp_path))  # read with no LibreOffice in reach
    for form, data in zip(forms, files, strict=True):
        parsed = parse_bytes(data, "form.xls")
        assert parsed.format == "xls"
        assert formgen.compare(parsed, form) == [], form.seed


def test_spreadsheetml_saved_as_xls(no_libreoffice):
    ss = 'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
    cells = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{t}</Data></Cell>' for t in row) + "</Row>" for row in ROWS[1:2])
    data = (f'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:'
            f'office:spreadsheet" {ss}><Worksheet ss:Name="财务科"><Table>'
            f'<Row><Cell ss:MergeAcross="4"><Data ss:Type="String">{ROWS[0][0]}</Data></Cell></Row>{cells}'
            '<Row><Cell><Data ss:Type="Number">1</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">会计</Data>'
            '</Cell><Cell><Data ss:Type="String">虚报冒领</Data></Cell><Cell><Data ss:Type="String">高</Data></Cell>'
            '<Cell><Data ss:Type="String">三岗分设</Data></Cell></Row>'
            '<Row><Cell><Data ss:Type="Number">2</Data></Cell><Cell ss:Index="3"><Data ss:Type="String">坐支现金</Data>'
            '</Cell><Cell><Data ss:Type="String">低</Data></Cell><Cell><Data ss:Type="String">当日存行</Data></Cell></Row>'
            "</Table></Worksheet></Workbook>").encode()
    form = parse_bytes(data, "导出.xls")
    assert (form.format, _got(form)) == ("xls", [("会计", "虚报冒领", "high", ["三岗分设"]),
                                                 ("会计", "坐支现金", "low", ["当日存行"])])
    assert form.entries[0].department == "财务科"  # the sheet's name


def test_html_saved_as_xls(no_libreoffice):
    data = ("<html><head><meta charset='utf-8'></head><body><p>科室廉政风险防控排查表</p><table border=1>"
            "<tr><th>序号</th><th>岗位</th><th>廉政风险点</th><th>风险等级</th><th>防控措施</th></tr>"
            "<tr><td>1</td><td rowspan=2>会计</td><td>虚报冒领</td><td>高</td><td>1、三岗分设<br>2、由科室负责人签字后报批</td></tr>"
            "<tr><td>2</td><td>坐支现金</td><td>低</td><td>当日存行</td></tr></table>"
            "<p>科室负责人(签字):____</p></body></html>").encode()
    form = parse_bytes(data, "导出.xls")
    assert (form.format, form.form.title) == ("xls", "科室廉政风险防控排查表")
    assert _got(form) == [WANT[0], ("会计", *WANT[1][1:])]


def test_html_spans_claiming_millions_of_cells_are_refused(no_libreoffice):
    data = ("<table>" + "<tr><td rowspan=1000 colspan=1000>x</td></tr>" * 5 + "</table>").encode()
    with pytest.raises(Exception) as caught:
        parse_bytes(data, "bomb.xls")
    assert caught.value.code == "too_large"
