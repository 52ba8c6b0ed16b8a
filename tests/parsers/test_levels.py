"""Levels in every notation; the direction of 一级/三级 from the legend, the standard, or assumed."""

from __future__ import annotations

import pytest

from parsers.levels import LevelReader, legend_highest_rank
from tests.parsers.builders import C, docx_bytes, docx_form, p, parse_docx, tbl


@pytest.mark.parametrize(
    "label, level, scheme",
    [
        ("高", "high", "gao-zhong-di"), ("中", "medium", "gao-zhong-di"), ("低", "low", "gao-zhong-di"),
        ("较高", "high", "gao-zhong-di"), ("一般", "medium", "gao-zhong-di"), ("较低", "low", "gao-zhong-di"),
        ("高风险", "high", "gao-zhong-di"),
        ("A", "high", "abc"), ("B级", "medium", "abc"), ("c", "low", "abc"),
        ("红色", "high", "hong-cheng-huang"), ("橙", "medium", "hong-cheng-huang"), ("黄色", "low", "hong-cheng-huang"),
        ("★★★", "high", "stars"), ("★★", "medium", "stars"), ("★", "low", "stars"),
        ("一级", "high", "yiji-highest"), ("Ⅱ级", "medium", "yiji-highest"), ("3", "low", "yiji-highest"),
        ("較高", "high", "gao-zhong-di"),
    ],
)
def test_notations(label, level, scheme):
    reading = LevelReader().read(label)
    assert (reading.level, reading.scheme) == (level, scheme)


def test_unknown_label_reads_as_none():
    assert LevelReader().read("待定").level is None


@pytest.mark.parametrize(
    "note, rank",
    [
        ("注:风险等级分为一级、二级、三级,一级为最高,二级次之,三级最低。", 1),
        ("注：风险等级分为三级，三级为最高风险。", 3),
        ("说明:一级风险最低,三级风险最高", 3),
        ("风险等级由高到低依次为三级、二级、一级", 3),
        ("风险等级由低到高依次为一级、二级、三级", 3),
        ("本表按高、中、低填写", None),
    ],
)
def test_legend_direction(note, rank):
    assert legend_highest_rank([note]) == rank


def test_sanji_highest_legend_reverses_ordinals():
    reader = LevelReader(legend_rank=3)
    assert [reader.read(x).level for x in ("一级", "二级", "三级")] == ["low", "medium", "high"]
    assert reader.read("三级").scheme == "sanji-highest"


def test_level_standard_decides_without_legend():
    reader = LevelReader(standard={"highest": "三级"})
    assert reader.read("三级").level == "high"
    assert not reader.read("三级").assumed
    listed = LevelReader(standard={"high": ["重点"], "medium": ["关注"], "low": ["一般关注"]})
    assert listed.read("重点").level == "high"
    assert listed.read("一般关注").level == "low"


def test_legend_wins_over_standard():
    reader = LevelReader(legend_rank=1, standard={"highest": "三级"})
    assert reader.read("一级").level == "high"


ROWS = [["序号", "岗位", "风险点", "风险等级", "防控措施"],
        ["1", "科长", "审批中违规办理", "一级", "集体研究"],
        ["2", "科员", "登记不及时", "三级", "限时办结"]]


def test_form_legend_below_table_sets_direction():
    form = parse_docx(docx_form(ROWS, after=("注:风险等级分为三级,三级为最高。",)))
    assert [e.level for e in form.entries] == ["low", "high"]
    assert form.form.level_scheme == "sanji-highest"
    assert not [w for w in form.warnings if w.code == "level_direction_assumed"]


def test_no_legend_no_standard_assumes_yiji_and_warns():
    form = parse_docx(docx_form(ROWS))
    assert [e.level for e in form.entries] == ["high", "low"]
    assert [w.code for w in form.warnings].count("level_direction_assumed") == 1


def test_level_standard_argument_applies_to_the_form():
    form = parse_docx(docx_form(ROWS), level_standard={"highest": "三级", "high": ["三级"]})
    assert [e.level for e in form.entries] == ["low", "high"]
    assert form.form.level_scheme == "sanji-highest"


def test_tick_columns_under_a_level_header():
    rows = [
        [C("序号", vmerge="restart"), C("风险点", vmerge="restart"), C("风险等级", span=3), C("防控措施", vmerge="restart")],
        [C(vmerge="continue"), C(vmerge="continue"), "高", "中", "低", C(vmerge="continue")],
        ["1", "审批中违规办理", "√", "", "", "集体研究"],
        ["2", "登记不及时", "", "", "✓", "限时办结"],
    ]
    form = parse_docx(docx_bytes(p("排查表"), tbl(rows)))
    assert [(e.level, e.level_label) for e in form.entries] == [("high", "高"), ("low", "低")]
    assert form.form.level_scheme == "ticks"
    assert [e.source.row for e in form.entries] == [3, 4]


def test_missing_and_unreadable_levels_are_warned():
    rows = [ROWS[0], ["1", "科长", "审批中违规办理", "", "集体研究"], ["2", "科员", "登记不及时", "很重要", "限时办结"]]
    form = parse_docx(docx_form(rows))
    codes = [w.code for w in form.warnings]
    assert "level_missing" in codes and "level_unreadable" in codes
    assert form.entries[1].level is None and form.entries[1].level_label == "很重要"
    assert next(w for w in form.warnings if w.code == "level_unreadable").location["row"] == 3


@pytest.mark.parametrize(
    "note, rank",
    [
        ("风险发生概率较低,且风险发生后造成危害程度轻微的定为一级,由科室领导进行监控。", 3),
        ("发生概率高、危害严重的风险定为一级。", 1),
        ("经研究确定为二级。", None),
    ],
)
def test_legend_describing_what_a_rank_means(note, rank):
    assert legend_highest_rank([note]) == rank


@pytest.mark.parametrize("label, level", [("高(3分)", "high"), ("中【一般】", "medium"), ("一级(最高)", "high"), ("蓝色", "low")])
def test_labels_with_remarks_in_brackets(label, level):
    assert LevelReader().read(label).level == level


def test_level_standard_written_loosely():
    reader = LevelReader(standard={"highest": 3, "high": "重点"})
    assert (reader.read("三级").level, reader.read("重点").level) == ("high", "high")
