"""填表日期 and 完成时限: ISO dates when they are dates, the words as written otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from parsers.dates import deadline, iso_date
from tests.parsers.builders import docx_form, parse_docx


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024年3月5日", "2024-03-05"), ("2024.3.5", "2024-03-05"), ("2024-03-05", "2024-03-05"),
        ("2024/3/5", "2024-03-05"), ("２０２４年３月５日", "2024-03-05"), ("二〇一二年十二月二十日", "2012-12-20"),
        (dt.date(2024, 3, 5), "2024-03-05"), (dt.datetime(2024, 3, 5, 0, 0), "2024-03-05"),
        ("2024.12", None), ("2024年2月30日", None), ("长期坚持", None),
    ],
)
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("2024年3月5日", "2024-03-05"), ("2024.12", "2024.12"), ("2024年底前", "2024年底前"),
     ("长期坚持", "长期坚持"), ("立即", "立即"), ("每季度", "每季度"), ("2024年3月5日前", "2024年3月5日前"), ("", None)],
)
def test_deadline(value, expected):
    assert deadline(value) == expected


def test_filled_on_and_deadline_end_to_end():
    rows = [["序号", "风险点", "防控措施", "完成时限"],
            ["1", "审批中违规办理", "集体研究", "2024.6.30"],
            ["2", "登记不及时", "限时办结", "长期坚持"]]
    form = parse_docx(docx_form(rows, before=("排查表", "填报单位:甲局    填表日期:2012年6月8日")))
    assert form.form.filled_on == "2012-06-08"
    assert [e.deadline for e in form.entries] == ["2024-06-30", "长期坚持"]
