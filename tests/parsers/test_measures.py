"""Measures split into one item per measure; numbers inside a measure never split it."""

from __future__ import annotations

import pytest

from parsers.measures import split
from tests.parsers.builders import docx_form, parse_docx


def texts(cell: str) -> list[str]:
    return [text for _, text in split(cell)]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("1、严格审批;2、集体研究。", ["严格审批", "集体研究"]),
        ("1、严格审批。\n2、集体研究。\n3、结果公开。", ["严格审批", "集体研究", "结果公开"]),
        ("1、严格审批。 2、集体研究。", ["严格审批", "集体研究"]),
        ("1.严格审批；2.集体研究", ["严格审批", "集体研究"]),
        ("1.严格审批.2.集体研究.", ["严格审批", "集体研究"]),
        ("(1)严格审批(2)集体研究", ["严格审批", "集体研究"]),
        ("（1）严格审批；（2）集体研究", ["严格审批", "集体研究"]),
        ("①严格审批②集体研究③结果公开", ["严格审批", "集体研究", "结果公开"]),
        ("一、严格审批；二、集体研究", ["严格审批", "集体研究"]),
        ("一是严格审批；二是集体研究", ["严格审批", "集体研究"]),
        ("严格审批\n集体研究", ["严格审批", "集体研究"]),
        ("严格审批;集体研究；结果公开", ["严格审批", "集体研究", "结果公开"]),
        ("严格执行回避制度。", ["严格执行回避制度"]),
        ("1、严格执行回避制度", ["严格执行回避制度"]),
    ],
)
def test_enumerations_and_separators(cell, expected):
    assert texts(cell) == expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("1、超过1.5万元的支出集体研究;2、按2024.3.5通知执行",
         ["超过1.5万元的支出集体研究", "按2024.3.5通知执行"]),
        ("1、落实第3条规定;2、(2024年)底前完成", ["落实第3条规定", "(2024年)底前完成"]),
        ("①执行财务制度第2条、第3条②单笔1.5万元以上集体研究",
         ["执行财务制度第2条、第3条", "单笔1.5万元以上集体研究"]),
    ],
)
def test_numbers_inside_a_measure_do_not_split(cell, expected):
    assert texts(cell) == expected


def test_a_single_sentence_with_numbers_stays_whole():
    assert texts("对超过1.5万元的支出按2024.3.5文件第3条集体研究") == ["对超过1.5万元的支出按2024.3.5文件第3条集体研究"]


def test_longest_run_of_one_style_wins():
    # "(1)" and "(2)" sit inside item 1 of the 1、2、3 list: the 1、2、3 run is longer.
    assert texts("1、按要求(1)登记(2)复核;2、公示结果;3、存档备查") == ["按要求(1)登记(2)复核", "公示结果", "存档备查"]


def test_phase_prefixes_inside_a_cell():
    got = split("前期预防:1、开展教育;2、健全制度。中期监控:定期检查。后期处置：严肃追责")
    assert got == [("前期预防", "开展教育"), ("前期预防", "健全制度"), ("中期监控", "定期检查"), ("后期处置", "严肃追责")]


def test_split_before_normalising_circled_numbers_end_to_end():
    rows = [["序号", "岗位", "风险点", "防控措施"], ["1", "会计", "审核不严", "①审核凭证②复核账目"]]
    entry = parse_docx(docx_form(rows)).entries[0]
    assert [m.text for m in entry.measures] == ["审核凭证", "复核账目"]


def test_risk_text_is_never_split():
    rows = [["序号", "岗位", "风险点", "防控措施"], ["1", "会计", "1、审核不严;2、以白条入账", "1、审核凭证;2、复核账目"]]
    entry = parse_docx(docx_form(rows)).entries[0]
    assert entry.risk == "1、审核不严;2、以白条入账"
    assert len(entry.measures) == 2


def test_short_phase_prefixes_and_ordinal_words():
    assert split("事前:加强教育。事中：定期检查;事后防控措施:追责") == [
        ("前期预防", "加强教育"), ("中期监控", "定期检查"), ("后期处置", "追责")]
    assert texts("第一，加强学习；第二，健全制度") == ["加强学习", "健全制度"]


def test_a_lead_in_line_is_not_a_measure_but_a_lead_sentence_is():
    assert texts("采取以下措施:1、公开;2、复核") == ["公开", "复核"]
    assert texts("严格执行制度。1、公开;2、复核") == ["严格执行制度", "公开", "复核"]


def test_phase_names_on_their_own_line():
    assert split("前期预防\n1、学习;2、教育\n后期处置\n追责") == [
        ("前期预防", "学习"), ("前期预防", "教育"), ("后期处置", "追责")]
