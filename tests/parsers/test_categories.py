"""The five risk types from full names and abbreviations; business areas to `domain`."""

from __future__ import annotations

import pytest

from parsers.categories import category, domain
from tests.parsers.builders import docx_form, parse_docx


@pytest.mark.parametrize(
    "label, expected",
    [
        ("思想道德风险", "思想道德"), ("思想道德", "思想道德"), ("思想", "思想道德"), ("思想类", "思想道德"),
        ("岗位职责风险", "岗位职责"), ("岗位", "岗位职责"), ("岗位类风险", "岗位职责"),
        ("业务流程", "业务流程"), ("流程", "业务流程"), ("流程风险", "业务流程"),
        ("制度机制风险", "制度机制"), ("制度", "制度机制"), ("制度类", "制度机制"),
        ("外部环境", "外部环境"), ("外部", "外部环境"),
        ("思想道德風險", "思想道德"),
        ("作风建设", "其他"),
        ("", None),
    ],
)
def test_types(label, expected):
    assert category(label) == expected


@pytest.mark.parametrize(
    "label, expected",
    [("行政审批类", "行政审批"), ("行政执法", "行政执法"), ("干部队伍管理类", "干部管理"),
     ("财务资产管理类", "财务资产"), ("工程建设", "其他"), (None, None)],
)
def test_domains(label, expected):
    assert domain(label) == expected


def test_type_label_kept_and_business_area_column_goes_to_domain():
    rows = [
        ["序号", "风险点", "风险类型", "风险类别", "防控措施"],
        ["1", "审批中违规办理", "岗位职责类", "行政审批类", "集体研究"],
        ["2", "执法中收受好处", "思想道德风险", "行政执法类", "廉政教育"],
    ]
    entries = parse_docx(docx_form(rows)).entries
    assert [(e.category, e.category_label, e.domain) for e in entries] == [
        ("岗位职责", "岗位职责类", "行政审批"),
        ("思想道德", "思想道德风险", "行政执法"),
    ]


def test_business_area_column_named_business_category():
    rows = [["序号", "业务类别", "风险点", "防控措施"], ["1", "财务资产管理类", "白条入账", "严格审核"]]
    entry = parse_docx(docx_form(rows)).entries[0]
    assert (entry.category, entry.domain) == (None, "财务资产")
