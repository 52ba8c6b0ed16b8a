"""Rows to entries: what is skipped, what is joined, what is warned; kinds and refusals."""

from __future__ import annotations

import random

import pytest

from parsers.errors import ParseError
from parsers.grid import Cell, Grid, GridDocument
from parsers.table import interpret
from tests.parsers.builders import HEADER, C, docx_bytes, docx_form, p, parse_docx, risk_rows, tbl


def _doc(texts: list[list[str]], lines: tuple[str, ...] = ("排查表",), **grid) -> GridDocument:
    g = Grid.from_texts(texts, table=0, **grid)
    g.before = list(lines)
    return GridDocument(format="docx", grids=[g], lines=list(lines))


def test_rows_that_are_not_entries_are_skipped():
    rows = [
        ["廉政风险防控排查表", "", "", "", "", ""],
        HEADER,
        *risk_rows(1),
        ["", "", "", "", "", ""],
        ["2", "", "", "", "", ""],
        HEADER,  # repeated on the next page
        *risk_rows(1, start=3),
        ["合计", "", "", "", "", ""],
        ["小 计", "2", "", "", "", ""],
        ["以下空白", "", "", "", "", ""],
        ["注:本表由科室填写", "", "", "", "", ""],
        ["科室负责人审核意见:", "", "分管领导签字:", "", "", ""],
    ]
    form = interpret(_doc(rows), file="x.docx")
    assert [e.source.row for e in form.entries] == [3, 7]
    assert "row_skipped" not in [w.code for w in form.warnings]
    assert [(w.location["row"], w.code) for w in form.warnings if w.code.startswith("row_")] == [
        (5, "row_seq_only"), (6, "row_header"), (8, "row_total"), (9, "row_total"),
        (10, "row_end_mark"), (11, "row_note"), (12, "row_signature")]
    assert next(w.message for w in form.warnings if w.code == "row_header") == "第6行是重复的表头,未作为风险点读取"


def test_row_with_data_but_no_risk_is_skipped_with_a_warning():
    rows = [HEADER, *risk_rows(1), ["2", "岗位2", "", "高", "", "李四"]]
    form = interpret(_doc(rows), file="x.docx")
    assert len(form.entries) == 1
    warning = next(w for w in form.warnings if w.code == "row_skipped")
    assert warning.location == {"table": 0, "sheet": None, "page": None, "row": 3}
    assert "第3行" in warning.message


def test_fragment_row_without_risk_or_number_adds_measures_to_the_row_before():
    rows = [["序号", "风险点", "防控措施"], ["1", "坐支现金", "1、当日存行;"], ["", "", "2、每月核对"]]
    form = interpret(_doc(rows), file="x.pdf")
    assert [m.text for m in form.entries[0].measures] == ["当日存行", "每月核对"]


def test_section_rows_name_the_department_of_the_rows_below():
    rows = [
        [C("序号"), C("岗位"), C("风险点"), C("防控措施")],
        [C("一、办公室", span=4)],
        ["1", "主任", "会议费超标", "定额结算"],
        [C("二、财务科", span=4)],
        ["2", "出纳", "坐支现金", "当日存行"],
    ]
    form = parse_docx(docx_bytes(p("单位廉政风险点登记表"), tbl(rows)))
    assert [(e.department, e.position) for e in form.entries] == [("办公室", "主任"), ("财务科", "出纳")]


def test_two_row_header_without_merges_as_pdf_tables_arrive():
    rows = [["序号", "风险点", "防控措施", "", "", "责任人"],
            ["", "", "前期预防", "中期监控", "后期处置", ""],
            ["1", "串通抬价", "询价比价", "合同审查", "追回差价", "刘芳"]]
    entry = interpret(_doc(rows), file="x.pdf").entries[0]
    assert [m.phase for m in entry.measures] == ["前期预防", "中期监控", "后期处置"]
    assert entry.owner == "刘芳"


def test_single_row_tick_columns():
    rows = [["序号", "风险点", "高", "中", "低", "防控措施"], ["1", "串通抬价", "", "", "√", "询价比价"]]
    entry = interpret(_doc(rows), file="x.docx").entries[0]
    assert (entry.level, entry.level_label) == ("low", "低")


def test_source_page_from_pdf_cells():
    g = Grid.from_texts([["序号", "风险点", "防控措施"], ["1", "坐支现金", "存行"]], table=0, row_numbers=[None, None])
    g.rows[1][1].page = 2
    g.before = ["排查表"]
    entry = interpret(GridDocument(format="pdf", grids=[g]), file="x.pdf").entries[0]
    assert (entry.source.page, entry.source.row, entry.source.table) == (2, None, 0)


def test_power_list_gives_powers_and_no_entries():
    rows = [["序号", "职权名称", "职权内容", "承办岗位", "法律依据"],
            ["1", "企业名称核准", "对企业名称预先核准", "登记员", "《企业名称登记管理规定》"]]
    form = parse_docx(docx_form(rows, before=("行政职权目录",)))
    assert (form.form.kind, form.entries) == ("power_list", [])
    power = form.powers[0]
    assert (power.name, power.content, power.subject, power.basis, power.source.row) == (
        "企业名称核准", "对企业名称预先核准", "登记员", "《企业名称登记管理规定》", 2)
    assert form.to_json()["powers"][0]["subject"] == "登记员"
    assert "level_missing" not in [w.code for w in form.warnings]


@pytest.mark.parametrize("measure", ["经办、审核、审批三岗分设", "由科室负责人签字后报批", "加盖公章后存档",
                                     "审核:每月检查一次", "采购结果报纪检组备案"])
def test_measures_mentioning_review_or_signature_keep_their_row(measure):
    rows = [HEADER, ["1", "会计", "虚报冒领", "高", measure, "张三"], ["2", "出纳", "坐支现金", "中", "当日存行", "李四"],
            [C("科室负责人(签字):", span=3), C("分管领导(签字):", span=3)]]
    form = parse_docx(docx_form(rows, after=("科室负责人(签字):____   分管领导(签字):____",)))
    assert [(e.risk, [m.text for m in e.measures]) for e in form.entries] == [
        ("虚报冒领", [measure]), ("坐支现金", ["当日存行"])]
    assert [w.location["row"] for w in form.warnings if w.code == "row_signature"] == [4]


def test_phase_prefixes_inside_measure_cells_set_the_phase_and_never_make_a_header():
    header = ["序号", "岗位", "姓名", "职权事项", "风险点", "类型", "等级", "措施", "责任人", "时限"]
    cell = "前期预防:三岗分设\n中期监控:每月对账\n后期处置:追究责任"
    rows = [header, ["1", "会计", "张三", "报销审核", "虚报冒领", "业务流程", "高", cell, "张三", "长期"],
            ["2", "出纳", "李四", "现金管理", "坐支现金", "岗位职责", "中", cell, "李四", "长期"]]
    form = parse_docx(docx_form(rows))
    assert [[(m.phase, m.text) for m in e.measures] for e in form.entries] == [
        [("前期预防", "三岗分设"), ("中期监控", "每月对账"), ("后期处置", "追究责任")]] * 2


@pytest.mark.parametrize("matter", ["事项", "风险事项", "三重一大事项"])
def test_leadership_matter_column_is_the_duty_and_the_description_the_risk(matter):
    rows = [["序号", matter, "风险描述", "风险等级", "防控措施"],
            ["1", "重大事项决策", "个人说了算,未经集体研究", "高", "集体决策"]]
    entry = parse_docx(docx_form(rows, before=("领导班子三重一大廉政风险排查表",))).entries[0]
    assert (entry.duty, entry.risk, entry.manifestation) == ("重大事项决策", "个人说了算,未经集体研究", None)


def test_blank_level_and_type_cells_stay_null_whatever_the_legend_or_section_says():
    rows = [["序号", "风险点", "风险类型", "风险等级", "防控措施"], ["一、思想道德风险", "", "", "", ""],
            ["1", "收受礼金", "", "", "登记上交"], ["2", "坐支现金", "岗位职责", "一级", "当日存行"]]
    form = interpret(_doc(rows, lines=("排查表", "注:风险等级分为三级,一级为最高")), file="x.docx")
    assert [(e.category, e.category_label, e.level, e.level_label) for e in form.entries] == [
        (None, None, None, None), ("岗位职责", "岗位职责", "high", "一级")]
    assert next(w for w in form.warnings if w.code == "level_missing").location["row"] == 3


def test_document_without_a_risk_table_is_refused():
    data = docx_bytes(p("关于廉政工作的汇报"), p("一、加强领导。"), tbl([["时间", "地点"], ["6月", "会议室"]]))
    with pytest.raises(ParseError) as caught:
        parse_docx(data)
    assert caught.value.code == "not_a_form"
    assert "未找到风险点表格" in caught.value.message


def test_empty_template_is_refused_with_the_same_code():
    with pytest.raises(ParseError) as caught:
        parse_docx(docx_form([HEADER, ["1", "", "", "", "", ""], ["2", "", "", "", "", ""]]))
    assert caught.value.code == "not_a_form"


def test_form_without_level_column_says_so():
    form = parse_docx(docx_form([["序号", "风险点", "防控措施"], ["1", "坐支现金", "存行"]]))
    assert form.form.level_scheme is None
    assert [w.code for w in form.warnings] == ["level_missing"]


def test_reader_warnings_are_passed_on():
    doc = _doc([["风险点", "防控措施"], ["坐支现金", "存行"]])
    doc.warnings.append(("pages_need_ocr", "第2页为扫描图像"))
    assert ("pages_need_ocr", "第2页为扫描图像") in [(w.code, w.message) for w in interpret(doc, file="x").warnings]


def test_merged_cell_objects_are_read_once():
    shared = Cell("1、存行;2、核对", 1, 2, colspan=2)
    g = Grid(rows=[[Cell("风险点", 0, 0), Cell("防控措施", 0, 1), Cell("防控措施", 0, 2)],
                   [Cell("坐支现金", 1, 0), shared, shared]], table=0, row_numbers=[1, 2])
    g.rows[0][2] = g.rows[0][1]
    entry = interpret(GridDocument(format="docx", grids=[g]), file="x").entries[0]
    assert [m.text for m in entry.measures] == ["存行", "核对"]


def test_section_rows_naming_a_risk_type_label_the_rows_below():
    rows = [["序号", "风险点", "防控措施"], ["一、思想道德风险", "", ""], ["1", "收受礼金", "登记上交"],
            ["二、制度机制风险", "", ""], ["2", "个人说了算", "集体决策"]]
    form = interpret(_doc(rows), file="x.docx")
    assert [(e.category, e.category_label) for e in form.entries] == [
        ("思想道德", "思想道德风险"), ("制度机制", "制度机制风险")]


def test_header_lines_in_a_borderless_table_above_the_risk_table():
    info = tbl([["填报单位:甲局", "科室:乙科"], ["填表人:李四", "填表日期:2012.6.8"]])
    form = parse_docx(docx_bytes(p("科室廉政风险防控排查表"), info, tbl([HEADER] + risk_rows(1))))
    assert (form.form.title, form.form.unit, form.form.department, form.form.person, form.form.filled_on) == (
        "科室廉政风险防控排查表", "甲局", "乙科", "李四", "2012-06-08")
    assert form.entries[0].department == "乙科"
    assert form.entries[0].source.table == 1


def test_signature_row_inside_the_table_fills_the_form_fields_it_names():
    rows = [HEADER, *risk_rows(1), ["填表人:李四", "", "审核人:王五", "", "填表日期:2012年6月8日", ""]]
    form = interpret(_doc(rows), file="x.docx")
    assert (form.form.person, form.form.filled_on, len(form.entries)) == ("李四", "2012-06-08", 1)


def test_label_value_card_form_is_one_entry():
    rows = [
        ["姓名", "张三", "职务", "科长"],
        ["岗位职责", C("负责登记审批", span=3)],
        ["风险点", C("利用审批权为亲友办理登记提供便利", span=3)],
        ["风险等级", C("高", span=3)],
        ["防控措施", C("1、执行回避制度\n2、接受群众监督", span=3)],
    ]
    form = parse_docx(docx_bytes(p("个人廉政风险点登记卡"), tbl(rows)))
    e = form.entries[0]
    assert (e.person, e.position, e.duty, e.risk, e.level) == ("张三", "科长", "负责登记审批", "利用审批权为亲友办理登记提供便利", "high")
    assert [m.text for m in e.measures] == ["执行回避制度", "接受群众监督"]
    assert (e.source.table, e.source.row) == (0, 3)
    assert form.form.person == "张三"


def test_signature_table_below_the_risk_table():
    signature = tbl([["填表人", "李四", "审核人", "王五"], ["填表日期", "2012年6月8日", "", ""]])
    form = parse_docx(docx_bytes(p("排查表"), tbl([HEADER] + risk_rows(1)), signature))
    assert (form.form.person, form.form.filled_on, len(form.entries)) == ("李四", "2012-06-08", 1)


def test_headings_and_sheet_names_that_name_a_department_before_the_form_words():
    data = docx_bytes(p("科室廉政风险防控排查表"), p("办公室廉政风险点"), tbl([HEADER] + risk_rows(1)),
                      p("财务科风险防控措施"), tbl([HEADER] + risk_rows(1, start=2)))
    form = parse_docx(data)
    assert [e.department for e in form.entries] == ["办公室", "财务科"]
    assert form.form.department is None


def test_numbered_group_rows_name_the_department_below():
    rows = [["序号", "科室", "风险点", "防控措施"], ["一", "办公室", "", ""], ["1", "", "会议费超标", "定额结算"],
            ["二", "财务科", "", ""], ["2", "", "坐支现金", "当日存行"]]
    form = interpret(_doc(rows), file="x.docx")
    assert [e.department for e in form.entries] == ["办公室", "财务科"]
    assert "row_skipped" not in [w.code for w in form.warnings]


def test_annex_number_above_the_title_is_not_the_title():
    form = parse_docx(docx_form([HEADER] + risk_rows(1), before=("附表2", "岗位廉政风险防控登记表")))
    assert form.form.title == "岗位廉政风险防控登记表"


def test_statistics_table_in_a_report_is_not_a_risk_table():
    data = docx_bytes(p("关于廉政风险防控工作的总结"),
                      tbl([["科室", "风险点数量", "措施条数"], ["办公室", "12", "15"], ["财务科", "8", "9"]]))
    with pytest.raises(ParseError) as caught:
        parse_docx(data)
    assert caught.value.code == "not_a_form"


def test_risk_cell_saying_none_makes_no_entry():
    rows = [HEADER, *risk_rows(1), ["2", "司机", "无", "", "", ""], ["3", "门卫", "/", "", "", ""]]
    form = interpret(_doc(rows), file="x.docx")
    assert [e.position for e in form.entries] == ["岗位1"]
    assert "row_skipped" not in [w.code for w in form.warnings]


def test_unit_form_with_everything_at_once():
    """Traditional script, annex line, two-row header with tick levels and phase columns,
    departments merged down, a total row, a legend and a signature line."""
    rows = [
        [C("科室", vmerge="restart"), C("崗 位", vmerge="restart"), C("廉政風險點", vmerge="restart"),
         C("風險等級", span=3), C("防控措施", span=3)],
        [C(vmerge="continue"), C(vmerge="continue"), C(vmerge="continue"), "一級", "二級", "三級", "事前", "事中", "事後"],
        [C("辦公室", vmerge="restart"), "主任", "會議費開支不規範", "", "√", "", "年度計劃審批", "定額結算", "追究責任"],
        [C(vmerge="continue"), "文書", "來文登記不及時", "", "", "√", "登記簿管理", "催辦", "通報"],
        ["合計", "", "2", "", "", "", "", "", ""],
    ]
    form = parse_docx(docx_bytes(p("附件3"), p("單位廉政風險防控登記表"), p("填報單位：某某縣財政局"), tbl(rows),
                                 p("注：風險等級分為三級，三級為最高。"), p("填表人：李四    審核人：王五")))
    assert (form.form.title, form.form.unit, form.form.person) == ("单位廉政风险防控登记表", "某某县财政局", "李四")
    assert form.form.level_scheme == "ticks"
    got = [(e.department, e.position, e.risk, e.level, e.level_label, [(m.phase, m.text) for m in e.measures])
           for e in form.entries]
    assert got == [
        ("办公室", "主任", "会议费开支不规范", "medium", "二级",
         [("前期预防", "年度计划审批"), ("中期监控", "定额结算"), ("后期处置", "追究责任")]),
        ("办公室", "文书", "来文登记不及时", "high", "三级",
         [("前期预防", "登记簿管理"), ("中期监控", "催办"), ("后期处置", "通报")]),
    ]


def test_two_risk_columns_are_risk_and_manifestation():
    rows = [["序号", "风险点", "风险描述", "防控措施"], ["1", "违规审批", "对不符合条件的申请予以审批", "集体研究"]]
    entry = interpret(_doc(rows), file="x.docx").entries[0]
    assert (entry.risk, entry.manifestation) == ("违规审批", "对不符合条件的申请予以审批")


def test_title_naming_the_unit_gives_no_department():
    form = parse_docx(docx_form([HEADER] + risk_rows(1), before=("某某市交通运输局廉政风险点登记表",)))
    assert (form.form.title, form.entries[0].department) == ("某某市交通运输局廉政风险点登记表", None)


@pytest.mark.parametrize("cell, level, label", [("□高 ☑中 □低", "medium", "中"), ("■一级 □二级 □三级", "high", "一级"),
                                                ("√低 □中 □高", "low", "低")])
def test_level_options_ticked_inside_one_cell(cell, level, label):
    rows = [["风险点", "风险等级", "防控措施"], ["坐支现金", cell, "存行"]]
    form = interpret(_doc(rows, lines=("排查表", "注:一级为最高")), file="x.docx")
    assert (form.entries[0].level, form.entries[0].level_label, form.form.level_scheme) == (level, label, "ticks")


def test_risk_type_ticked_inside_one_cell():
    rows = [["风险点", "风险类型", "防控措施"], ["坐支现金", "□思想道德 ☑岗位职责 □制度机制", "存行"]]
    entry = interpret(_doc(rows), file="x.docx").entries[0]
    assert (entry.category, entry.category_label) == ("岗位职责", "岗位职责")


def test_risk_column_under_another_name_is_guessed_with_a_warning():
    rows = [["序号", "岗位", "内容", "等级", "防控措施"], ["1", "出纳", "收入款项不及时入账坐支现金", "高", "当日存行"]]
    form = interpret(_doc(rows), file="x.docx")
    assert (form.entries[0].risk, form.entries[0].level) == ("收入款项不及时入账坐支现金", "high")
    warning = next(w for w in form.warnings if w.code == "risk_column_guessed")
    assert "内容" in warning.message and warning.location["row"] == 1


_WORDS = ["序号", "岗位", "风险点", "风险等级", "防控措施", "责任人", "科室", "高", "一级", "√", "□高 ☑中", "1、甲;2、乙",
          "前期预防", "", " ", "合计", "注:一级为最高", "姓名", "张三", "填表日期:2012.6.8", "一、办公室", "无", "12",
          "风险类别", "行政审批类", "长期坚持", "职权名称", "法律依据", "内容", "很长的一段风险描述文字没有标点符号"]


def test_any_grid_gives_a_form_or_a_parse_error_never_a_crash():
    rnd = random.Random(7)
    for _ in range(1500):
        h, w = rnd.randint(1, 7), rnd.randint(1, 6)
        grid = Grid.from_texts([[rnd.choice(_WORDS) for _ in range(w)] for _ in range(h)], table=0)
        for _ in range(rnd.randint(0, 3)):  # merged areas anywhere
            r, c = rnd.randrange(h), rnd.randrange(w)
            origin = grid.rows[r][c]
            origin.rowspan, origin.colspan = rnd.randint(1, h - r), rnd.randint(1, w - c)
            for rr in range(r, r + origin.rowspan):
                for cc in range(c, c + origin.colspan):
                    grid.rows[rr][cc] = origin
        grid.before = [rnd.choice(_WORDS) for _ in range(rnd.randint(0, 2))]
        try:
            form = interpret(GridDocument(format="docx", grids=[grid], lines=list(grid.before)), file="x")
        except ParseError as exc:
            assert exc.code == "not_a_form"
        else:
            assert form.entries or form.powers
            assert all(e.risk for e in form.entries) and all(p.name for p in form.powers)


def test_a_table_after_the_risk_table_that_cannot_be_read_is_named_not_dropped():
    lost = tbl([["", "", "事前预防", "中期监控"], ["3", "坐支现金", "当日存行", "每月对账"]])
    signature = tbl([["填表人", "李四", "审核人", "王五"]])
    form = parse_docx(docx_bytes(p("排查表"), tbl([HEADER] + risk_rows(2)), lost, signature))
    [warning] = [w for w in form.warnings if w.code == "table_unread"]
    assert warning.message == "有一个表格未能识别表头,其中第1、2行的内容未读取,请核对"
    assert warning.location == {"table": 1, "sheet": None, "page": None, "row": 1}
    assert form.form.person == "李四"  # the signature table below is read, and warns of nothing


def test_rows_above_a_later_tables_header_are_named_not_dropped():
    """A header split by a page break: its first line went with the page before, so the rows of
    the next page's part come before the header found further down (a repeated one)."""
    later = tbl([["3", "会计", "坐支现金", "高", "当日存行", "张三"], ["4", "出纳", "公款私存", "低", "每月对账", "李四"],
                 HEADER, ["5", "科长", "虚报冒领", "中", "三岗分设", "王五"]])
    form = parse_docx(docx_bytes(p("排查表"), tbl([HEADER] + risk_rows(2)), p("二、办公室"), later))
    [warning] = [w for w in form.warnings if w.code == "row_above_header"]
    assert warning.message == "表格第1、2行在表头之上,未作为风险点读取,请核对"
    assert [e.risk for e in form.entries][-1] == "虚报冒领"


def test_the_rest_of_a_cut_row_above_a_repeated_header_is_named():
    """A three-line PDF: the rest of a row the page break cut sits right above the header the
    next page repeats, with no rule between, so the reader joins it to the header's cells. It
    is named in a warning, never swallowed into the header in silence (seed 100200)."""
    rows = [HEADER, ["1", "会计", "在报销审核中擅自降低标准", "高", "严格执行《会计法》和财务", "张三"],
            ["", "", "办理\n" + HEADER[2], "", "管理制度\n" + HEADER[4], ""], ["2", "出纳", "坐支现金", "低", "当日存行", "李四"]]
    rows[2][:2], rows[2][3], rows[2][5] = HEADER[:2], HEADER[3], HEADER[5]
    grid = Grid(rows=[[Cell(text, r, c) for c, text in enumerate(row)] for r, row in enumerate(rows)], table=0)
    form = interpret(GridDocument(format="pdf", grids=[grid]), file="x.pdf")
    [warning] = [w for w in form.warnings if w.code == "row_above_labels"]
    assert warning.message == "第3行表头之上的“办理、管理制度”未读取(可能是上一行被分页截断的内容),请核对"
    assert [e.risk for e in form.entries] == ["在报销审核中擅自降低标准", "坐支现金"]
