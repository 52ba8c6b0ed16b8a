"""Word internals python-docx's table API gets wrong, read from raw WordprocessingML."""

from __future__ import annotations

import io
import zipfile

import docx as python_docx
import pytest

from parsers.docx import read
from parsers.errors import ParseError
from tests.parsers.builders import (
    HEADER,
    W_NS,
    C,
    R,
    docx_bytes,
    docx_form,
    p,
    parse_docx,
    risk_rows,
    tbl,
    tr,
)


def test_table_inside_a_content_control():
    body = f"<w:sdt><w:sdtPr/><w:sdtContent>{tbl([HEADER] + risk_rows(2))}</w:sdtContent></w:sdt>"
    form = parse_docx(docx_bytes(p("排查表"), body))
    assert [e.risk for e in form.entries] == ["第1个风险点:审批中违规办理", "第2个风险点:审批中违规办理"]


def test_rows_and_cells_inside_content_controls():
    row = "".join(f"<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>" for t in risk_rows(1)[0][1:])
    sdt_cell = "<w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt>"
    table = tbl([HEADER]).replace("</w:tbl>", f"<w:sdt><w:sdtContent><w:tr>{sdt_cell}{row}</w:tr></w:sdtContent></w:sdt></w:tbl>")
    entry = parse_docx(docx_bytes(p("排查表"), table)).entries[0]
    assert (entry.position, entry.owner, entry.source.row) == ("岗位1", "责任人1", 2)


def test_tracked_insertions_and_smart_tags_are_cell_text():
    ins = ('<w:p><w:r><w:t>审批中</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>违规</w:t></w:r></w:ins>'
           '<w:del w:id="2" w:author="a"><w:r><w:delText>删掉的</w:delText></w:r></w:del>'
           '<w:smartTag w:uri="u" w:element="e"><w:r><w:t>办理</w:t></w:r></w:smartTag></w:p>')
    rows = [HEADER, ["1", "科长", C(raw=ins), "高", "集体研究", "张三"]]
    assert parse_docx(docx_form(rows)).entries[0].risk == "审批中违规办理"


def test_grid_before_shifts_cells_to_their_columns():
    rows = [HEADER, R(["岗位1", "审批中违规办理", "高", "集体研究", "张三"], grid_before=1)]
    entry = parse_docx(docx_form(rows)).entries[0]
    assert (entry.position, entry.risk, entry.level, entry.owner) == ("岗位1", "审批中违规办理", "high", "张三")


def test_vertical_merge_fills_down():
    rows = [HEADER,
            ["1", C("出纳", vmerge="restart"), "坐支现金", "高", "当日存行", "刘芳"],
            ["2", C(vmerge="continue"), "白条入账", "中", "严格审核", "刘芳"]]
    entries = parse_docx(docx_form(rows)).entries
    assert [e.position for e in entries] == ["出纳", "出纳"]


def test_vertical_merge_continuing_in_the_first_row_does_not_crash():
    rows = [[C("序号", vmerge="continue"), "岗位", "风险点", "防控措施"], ["1", "出纳", "坐支现金", "当日存行"]]
    grid = read(docx_form(rows)).grids[0]
    assert grid.text(0, 0) == "序号"
    assert parse_docx(docx_form(rows)).entries[0].risk == "坐支现金"


def test_merged_risk_cell_over_several_measure_rows_is_one_entry():
    rows = [["序号", "风险点", "防控措施"],
            ["1", C("坐支现金", vmerge="restart"), "当日存行"],
            ["", C(vmerge="continue"), "每月核对"]]
    entries = parse_docx(docx_form(rows)).entries
    assert len(entries) == 1
    assert [m.text for m in entries[0].measures] == ["当日存行", "每月核对"]


def test_table_split_into_several_word_tables_joins():
    data = docx_bytes(p("排查表"), tbl([HEADER] + risk_rows(2)), p(""), tbl(risk_rows(2, start=3)))
    form = parse_docx(data)
    assert len(form.entries) == 4
    assert [(e.source.table, e.source.row) for e in form.entries] == [(0, 2), (0, 3), (1, 1), (1, 2)]


def test_split_table_with_repeated_header_skips_it():
    data = docx_bytes(p("排查表"), tbl([HEADER] + risk_rows(2)), tbl([HEADER] + risk_rows(1, start=3)))
    form = parse_docx(data)
    assert len(form.entries) == 3
    assert form.entries[2].source.row == 2


def test_risk_table_nested_in_a_layout_table():
    inner = tbl([HEADER] + risk_rows(2))
    outer = tbl([[C(raw=p("科室廉政风险防控排查表") + p("填报单位:甲局    科室:乙科"))], [C(raw=inner + p(""))]])
    form = parse_docx(docx_bytes(outer))
    assert len(form.entries) == 2
    assert (form.form.title, form.form.unit, form.form.department) == ("科室廉政风险防控排查表", "甲局", "乙科")
    assert form.entries[0].source.table is None
    assert form.entries[0].source.row == 2


def test_several_tables_each_after_a_department_heading():
    data = docx_bytes(
        p("单位廉政风险点登记表"), p("填报单位:甲局"),
        p("一、办公室"), tbl([HEADER] + risk_rows(2)),
        p("二、财务科"), tbl([HEADER] + risk_rows(1, start=3)),
    )
    form = parse_docx(data)
    assert [e.department for e in form.entries] == ["办公室", "办公室", "财务科"]
    assert [e.source.table for e in form.entries] == [0, 0, 1]
    assert form.form.department is None and form.form.unit == "甲局"


def test_individual_form_with_key_value_rows_inside_the_table():
    rows = [["姓名", "张三", "职务", "科长", "科室", "登记科"], HEADER] + risk_rows(2)
    form = parse_docx(docx_form(rows, before=("个人廉政风险防控排查表",)))
    assert (form.form.person, form.form.department) == ("张三", "登记科")
    assert [(e.person, e.department, e.source.row) for e in form.entries] == [("张三", "登记科", 3), ("张三", "登记科", 4)]
    assert form.entries[0].position == "岗位1"  # the 岗位 column wins over the 职务 line


def test_paragraphs_between_tables_are_lines_and_neighbours():
    doc = read(docx_bytes(p("标题"), tbl([["a", "b"]]), p("中间"), tbl([["c", "d"]]), p("结尾")))
    assert doc.lines == ["标题", "中间", "结尾"]
    assert [(g.before, g.after) for g in doc.grids] == [(["标题"], ["中间"]), (["中间"], ["结尾"])]


def test_line_breaks_inside_a_cell_are_kept_for_measures():
    br = '<w:p><w:r><w:t>1、当日存行</w:t><w:br/><w:t>2、每月核对</w:t></w:r></w:p>'
    rows = [["序号", "风险点", "防控措施"], ["1", "坐支现金", C(raw=br)]]
    assert [m.text for m in parse_docx(docx_form(rows)).entries[0].measures] == ["当日存行", "每月核对"]


def test_python_docx_made_form_with_gridspan_title_row():
    document = python_docx.Document()
    document.add_paragraph("科室廉政风险防控排查表")
    table = document.add_table(rows=3, cols=4)
    title = table.cell(0, 0).merge(table.cell(0, 3))
    title.text = "登记注册科"
    for c, text in enumerate(["序号", "岗位", "廉政风险点", "防控措施"]):
        table.cell(1, c).text = text
    for c, text in enumerate(["1", "科长", "违规核准", "1、比对;2、复核"]):
        table.cell(2, c).text = text
    out = io.BytesIO()
    document.save(out)
    entry = parse_docx(out.getvalue()).entries[0]
    assert (entry.risk, entry.source.row, len(entry.measures)) == ("违规核准", 3, 2)


def test_not_a_zip_is_corrupt():
    with pytest.raises(ParseError) as caught:
        read(b"PK\x03\x04 not really a zip")
    assert caught.value.code == "corrupt_file"


def test_entities_are_never_expanded():
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "展开了">]><w:document xmlns:w="{W_NS}"><w:body>'
           "<w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", xml)
    assert "展开了" not in " ".join(read(out.getvalue()).lines)


def test_risk_table_with_a_small_table_inside_one_cell_still_parses():
    inner = tbl([["措施", "时限"], ["集体研究", "长期"]])
    rows = [HEADER, ["1", "科长", "审批中违规办理", "高", C(raw=p("1、公开;2、复核") + inner + p("")), "张三"]]
    form = parse_docx(docx_bytes(p("排查表"), tbl(rows)))
    entry = form.entries[0]
    assert (entry.risk, entry.level, [m.text for m in entry.measures]) == ("审批中违规办理", "high", ["公开", "复核"])
    assert entry.source.table == 0


def test_measure_rows_under_a_merged_risk_keep_their_own_owner_and_deadline():
    rows = [["序号", "风险点", "防控措施", "责任人", "完成时限"],
            ["1", C("坐支现金", vmerge="restart"), "当日存行", "刘芳", "长期坚持"],
            ["", C(vmerge="continue"), "建立对账制度", "王强", "2024年6月30日"]]
    entry = parse_docx(docx_form(rows)).entries[0]
    assert (entry.owner, entry.deadline) == ("刘芳", "长期坚持")
    assert [(m.text, m.owner, m.deadline) for m in entry.measures] == [
        ("当日存行", None, None), ("建立对账制度", "王强", "2024-06-30")]


@pytest.mark.parametrize("row", [["序号", C("风险点", span=100_000_000)], R(["风险点"], grid_before=10**9)])
def test_absurd_spans_are_refused_before_any_allocation(row):
    with pytest.raises(ParseError) as caught:
        read(docx_bytes(tbl([row], cols=2)))
    assert caught.value.code == "too_large"


def test_row_deleted_with_tracked_changes_is_not_read():
    deleted = tr(risk_rows(1)[0]).replace("<w:tr>", '<w:tr><w:trPr><w:del w:id="9" w:author="a"/></w:trPr>')
    table = tbl([HEADER] + risk_rows(1, start=2)).replace("</w:tblGrid>", "</w:tblGrid>" + deleted)
    form = parse_docx(docx_bytes(p("排查表"), table))
    assert [(e.risk, e.source.row) for e in form.entries] == [("第2个风险点:审批中违规办理", 2)]


def test_page_header_and_footer_lines_count_as_text_around_the_body():
    margins = {"header1": p("填报单位:甲局"), "header2": p("填报单位:甲局"), "footer1": p("填表人:李四")}
    data = docx_bytes(p("科室廉政风险防控排查表"), tbl([HEADER] + risk_rows(1)), margins=margins)
    doc = read(data)
    assert doc.lines == ["填报单位:甲局", "科室廉政风险防控排查表", "填表人:李四"]
    form = parse_docx(data)
    assert (form.form.title, form.form.unit, form.form.person) == ("科室廉政风险防控排查表", "甲局", "李四")


def test_strict_open_xml_document():
    data = docx_form([HEADER] + risk_rows(1))
    strict = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(strict, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item).replace(W_NS.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main"))
    assert parse_docx(strict.getvalue()).entries[0].position == "岗位1"
