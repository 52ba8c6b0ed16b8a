"""Excel internals: merges, hidden and instruction sheets, formulas, dates, numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from parsers.errors import ParseError
from parsers.xlsx import read
from tests.parsers.builders import HEADER, parse_xlsx, risk_rows, sheet, xlsx_bytes


def test_title_and_header_line_merged_above_the_header():
    def build(wb):
        sheet(wb, "Sheet1", [["廉政风险点登记表"], ["单位名称:甲局    科室:财务科"], HEADER] + risk_rows(2),
              merges=("A1:F1", "A2:F2"))
    form = parse_xlsx(xlsx_bytes(build))
    assert (form.form.title, form.form.unit, form.form.department) == ("廉政风险点登记表", "甲局", "财务科")
    assert [(e.source.sheet, e.source.row, e.source.table) for e in form.entries] == [("Sheet1", 4, None), ("Sheet1", 5, None)]


def test_merged_cells_span_and_fill_down():
    def build(wb):
        sheet(wb, "表", [HEADER, ["1", "出纳", "坐支现金", "高", "存行", "刘芳"], ["2", None, "白条入账", "中", "审核", None]],
              merges=("B2:B3", "F2:F3"))
    grid = read(xlsx_bytes(build)).grids[0]
    assert grid.rows[2][1] is grid.rows[1][1] and grid.rows[1][1].rowspan == 2
    entries = parse_xlsx(xlsx_bytes(build)).entries
    assert [(e.position, e.owner) for e in entries] == [("出纳", "刘芳"), ("出纳", "刘芳")]


def test_hidden_and_instruction_sheets_are_skipped():
    def build(wb):
        sheet(wb, "填表说明", [["风险点", "防控措施"], ["示例风险", "示例措施"]])
        hidden = sheet(wb, "旧表", [HEADER] + risk_rows(1))
        hidden.sheet_state = "hidden"
        sheet(wb, "登记表", [HEADER] + risk_rows(1, start=5))
    form = parse_xlsx(xlsx_bytes(build))
    assert [e.risk for e in form.entries] == ["第5个风险点:审批中违规办理"]


def test_one_sheet_per_department():
    def build(wb):
        sheet(wb, "办公室", [HEADER] + risk_rows(1))
        sheet(wb, "财务科", [HEADER] + risk_rows(2, start=2))
    form = parse_xlsx(xlsx_bytes(build))
    assert [(e.department, e.source.sheet) for e in form.entries] == [
        ("办公室", "办公室"), ("财务科", "财务科"), ("财务科", "财务科")]


def test_dates_numbers_and_1904_mode():
    def build(wb):
        wb.epoch = CALENDAR_MAC_1904
        sheet(wb, "Sheet1", [["序号", "风险点", "防控措施", "完成时限"],
                             [1, "坐支现金", "每1.5万元以上集体研究", dt.datetime(2024, 6, 30)],
                             [2.0, "白条入账", "审核", "长期坚持"]])
    data = xlsx_bytes(build)
    grid = read(data).grids[0]
    assert [grid.text(1, 0), grid.text(2, 0), grid.text(1, 3)] == ["1", "2", "2024-06-30"]
    assert [e.deadline for e in parse_xlsx(data).entries] == ["2024-06-30", "长期坚持"]


def _with_cached_value(data: bytes, value: str | None) -> bytes:
    """openpyxl writes formulas without results; add one the way Excel stores it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if value is not None and item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + value.encode() + rb"</v>", content)
                content = content.replace(b't="str"', b"")
            dst.writestr(item, content)
    return out.getvalue()


def _formula_book(wb):
    sheet(wb, "Sheet1", [["序号", "风险点", "防控措施"], ["=1", "坐支现金", "存行"]])


def test_formula_reads_its_cached_value():
    form = parse_xlsx(_with_cached_value(xlsx_bytes(_formula_book), "1"))
    assert read(_with_cached_value(xlsx_bytes(_formula_book), "1")).grids[0].text(1, 0) == "1"
    assert "formula_without_value" not in [w.code for w in form.warnings]


def test_formula_without_cached_value_reads_empty_and_warns():
    form = parse_xlsx(xlsx_bytes(_formula_book))
    warning = next(w for w in form.warnings if w.code == "formula_without_value")
    assert "Sheet1!A2" in warning.message
    assert form.entries[0].risk == "坐支现金"


def test_two_row_header_with_phase_columns_and_tick_levels():
    def build(wb):
        sheet(wb, "Sheet1", [
            ["序号", "风险点", "风险等级", None, None, "防控措施", None, None],
            [None, None, "高", "中", "低", "前期预防", "中期监控", "后期处置"],
            ["1", "串通抬价", None, "√", None, "询价比价", "合同审查", "追回差价"],
        ], merges=("A1:A2", "B1:B2", "C1:E1", "F1:H1"))
    entry = parse_xlsx(xlsx_bytes(build)).entries[0]
    assert (entry.level, entry.level_label, entry.source.row) == ("medium", "中", 3)
    assert [(m.phase, m.text) for m in entry.measures] == [
        ("前期预防", "询价比价"), ("中期监控", "合同审查"), ("后期处置", "追回差价")]


def test_formatted_empty_rows_below_the_table_are_trimmed():
    def build(wb):
        ws = sheet(wb, "Sheet1", [HEADER] + risk_rows(1))
        ws.cell(row=5000, column=30).number_format = "0.00"
    grid = read(xlsx_bytes(build)).grids[0]
    assert (grid.n_rows, grid.n_cols) == (2, 6)


def _raw_xlsx(sheet_xml: str, *, strings: str = "", styles: str = "", workbook_pr: str = "") -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/></Types>',
        "xl/workbook.xml": f'<workbook {ns} {rel_ns}>{workbook_pr}<sheets>'
        '<sheet name="财务科" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{sheet_xml}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f"<sst {ns}>{strings}</sst>",
        "xl/styles.xml": f"<styleSheet {ns}>{styles}</styleSheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, xml in parts.items():
            zf.writestr(name, xml)
    return out.getvalue()


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def test_hand_written_parts_inline_strings_rich_text_custom_date_format_1904():
    strings = ('<si><r><t>坐支</t></r><r><t>现金</t></r><rPh><t>ざし</t></rPh></si>'
               '<si><t>1、存行_x000D_\n2、对账</t></si>')
    styles = ('<numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
              '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>')
    serial = (dt.date(2024, 3, 5) - dt.date(1904, 1, 1)).days  # 1904 mode counts from 1904-01-01
    sheet_xml = (
        "<row>" + "".join(_inline(h) for h in ("序号", "风险点", "防控措施", "完成时限")) + "</row>"
        '<row><c><v>1</v></c><c t="s"><v>0</v></c><c t="s"><v>1</v></c>' + f'<c s="1"><v>{serial}</v></c></row>'
    )
    data = _raw_xlsx(sheet_xml, strings=strings, styles=styles, workbook_pr='<workbookPr date1904="1"/>')
    form = parse_xlsx(data)
    entry = form.entries[0]
    assert (entry.risk, entry.deadline, entry.department, entry.source.row) == ("坐支现金", "2024-03-05", "财务科", 2)
    assert [m.text for m in entry.measures] == ["存行", "对账"]


def test_a_sheet_reaching_the_far_corner_is_refused_not_allocated():
    sheet_xml = ('<row r="1"><c r="A1" t="inlineStr"><is><t>风险点</t></is></c></row>'
                 '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(ParseError) as caught:
        read(_raw_xlsx(sheet_xml))
    assert caught.value.code == "too_large"


def test_sheets_declaring_different_departments_give_the_form_none():
    def build(wb):
        sheet(wb, "Sheet1", [["填报单位:甲局    科室:办公室"], HEADER] + risk_rows(1))
        sheet(wb, "Sheet2", [["填报单位:甲局    科室:财务科"], HEADER] + risk_rows(1, start=2))
    form = parse_xlsx(xlsx_bytes(build))
    assert [e.department for e in form.entries] == ["办公室", "财务科"]
    assert (form.form.department, form.form.unit) == (None, "甲局")


def test_strict_open_xml_workbook():
    sheet_xml = "<row>" + "".join(_inline(h) for h in ("风险点", "防控措施")) + "</row><row>" + \
        "".join(_inline(v) for v in ("坐支现金", "存行")) + "</row>"
    data = _raw_xlsx(sheet_xml)
    strict = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(strict, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item).replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"
            ).replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                      b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    assert parse_xlsx(strict.getvalue()).entries[0].risk == "坐支现金"


def test_two_tables_stacked_in_one_sheet_each_read_with_its_own_header():
    def build(wb):
        sheet(wb, "Sheet1", [
            ["序号", "岗位", "风险点", "风险等级", "防控措施"],
            ["1", "出纳", "坐支现金", "高", "当日存行"],
            [],
            ["序号", "风险点", "防控措施", "责任人", "风险等级"],
            ["1", "白条入账", "严格审核", "刘芳", "中"],
        ])
    entries = parse_xlsx(xlsx_bytes(build)).entries
    assert [(e.risk, e.position, e.owner, e.level, e.source.row) for e in entries] == [
        ("坐支现金", "出纳", None, "high", 2), ("白条入账", None, "刘芳", "medium", 5)]
