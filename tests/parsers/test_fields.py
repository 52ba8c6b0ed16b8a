"""One synonym table: headers in any wording, spacing, script and order; header lines."""

from __future__ import annotations

import random

import pytest

from parsers.fields import column_field, header_values
from tests.parsers.builders import docx_form, parse_docx


@pytest.mark.parametrize(
    "header, field",
    [
        ("风险点", "risk"), ("廉政风险点", "risk"), ("风险点描述", "risk"), ("风险内容", "risk"), ("主要风险点", "risk"),
        ("风险等级", "level"), ("风险级别", "level"), ("等级", "level"), ("风险程度", "level"),
        ("防控措施", "measures"), ("防范措施", "measures"), ("预防措施", "measures"), ("风险防控措施", "measures"),
        ("责任人", "owner"), ("责任主体", "owner"), ("责任领导", "owner"),
        ("监控责任人", "supervisor"), ("监督人", "supervisor"), ("监控主体", "supervisor"),
        ("职权事项", "duty"), ("岗位职责", "duty"), ("工作环节", "duty"), ("权力事项", "duty"),
        ("风险类型", "category"), ("风险类别", "category"), ("类别", "category"), ("业务类别", "domain"),
        ("表现形式", "manifestation"), ("完成时限", "deadline"), ("时限", "deadline"),
        ("科室", "department"), ("部门", "department"), ("岗位", "position"), ("职务", "position"),
        ("姓名", "person"), ("序号", "seq"),
        ("前期预防", "phase:前期预防"), ("中期监控", "phase:中期监控"), ("后期处置", "phase:后期处置"),
        ("风 险 点", "risk"), ("風險等級", "level"), ("防控措施\n(前期、中期、后期)", "measures"),
        ("廉政风险等级", "level"), ("监督责任人", "supervisor"),
        ("第1个风险点:审批中违规办理", None), ("对举报投诉的违法经营案件不及时核查", None), ("", None),
    ],
)
def test_column_synonyms(header, field):
    assert column_field(header) == field


def test_header_line_fields():
    assert header_values("填报单位:甲局    科室：乙科    填表日期:2012年6月8日") == [
        ("unit", "甲局"), ("department", "乙科"), ("filled_on", "2012年6月8日")]
    assert header_values("姓 名:张三  职务:科长") == [("person", "张三"), ("position", "科长")]
    assert header_values("科室负责人审核意见:            分管领导签字:") == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_column_order_with_synonyms(seed):
    columns = [("序 号", "1"), ("工作环节", "审批"), ("主要风险点", "违规审批"), ("风险程度", "较高"),
               ("防范措施", "1、集体研究;2、公开结果"), ("责任领导", "王局长"), ("监督人", "纪检组长"),
               ("时限", "2024年底前"), ("表现形式", "降低标准"), ("风险类别", "岗位")]
    random.Random(seed).shuffle(columns)
    form = parse_docx(docx_form([[h for h, _ in columns], [v for _, v in columns]]))
    e = form.entries[0]
    assert (e.duty, e.risk, e.level, e.owner, e.supervisor, e.deadline, e.manifestation, e.category) == (
        "审批", "违规审批", "high", "王局长", "纪检组长", "2024年底前", "降低标准", "岗位职责")
    assert [m.text for m in e.measures] == ["集体研究", "公开结果"]


@pytest.mark.parametrize("date", ["2012年6月8日", "2012.6.8", "2012-06-08", "2012/6/8", "二〇一二年六月八日"])
def test_header_lines_become_form_fields(date):
    rows = [["序号", "风险点", "防控措施"], ["1", "违规审批", "集体研究"]]
    form = parse_docx(docx_form(rows, before=("科室廉政风险防控排查表", f"单位名称:甲局    部门:乙科    填表人:李四    填表日期:{date}")))
    assert (form.form.unit, form.form.department, form.form.person, form.form.filled_on) == ("甲局", "乙科", "李四", "2012-06-08")
    assert form.entries[0].department == "乙科"
    assert form.entries[0].person is None  # 填表人 fills the form, it is not the entry's person


def test_individual_form_header_lines_apply_to_entries():
    rows = [["序号", "岗位职责", "风险点", "防控措施"], ["1", "审批", "违规审批", "集体研究"]]
    form = parse_docx(docx_form(rows, before=("个人廉政风险防控排查表", "姓名:张三    科室:乙科    职务:科长")))
    e = form.entries[0]
    assert (form.form.person, e.person, e.position, e.department, e.duty) == ("张三", "张三", "科长", "乙科", "审批")


def test_wide_header_with_columns_nobody_knows():
    header = ["序号", "岗位", "风险点", "发生概率", "危害程度", "风险值", "备注一", "备注二", "风险等级", "防控措施"]
    row = ["1", "出纳", "坐支现金", "0.3", "大", "9", "", "", "高", "当日存行"]
    form = parse_docx(docx_form([header, row], before=("排查表", "填报单位(盖章):甲局")))
    assert (form.entries[0].risk, form.entries[0].level, form.form.unit) == ("坐支现金", "high", "甲局")


@pytest.mark.parametrize("header, field", [("事前防控措施", "phase:前期预防"), ("中期监督", "phase:中期监控"),
                                           ("事后处置", "phase:后期处置"), ("后期处置责任人", "owner")])
def test_phase_columns_in_other_words(header, field):
    assert column_field(header) == field


def test_unknown_label_ends_the_value_before_it():
    assert header_values("科室:登记注册科 负责人:张三 填表日期:2012年6月8日") == [
        ("department", "登记注册科"), ("filled_on", "2012年6月8日")]


@pytest.mark.parametrize("cell, field", [("权力运行中可能存在的廉政风险点", "risk"), ("加强制度建设完善防控措施", None),
                                         ("存在收受礼品的廉政风险", None)])
def test_long_cells_are_headers_only_when_they_end_with_risk_point(cell, field):
    assert column_field(cell) == field
