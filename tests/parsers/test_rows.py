"""The row classifier and the layout reader on their own: one RowKind per row."""

from __future__ import annotations

from parsers.grid import Grid
from parsers.table.layout import find_layout
from parsers.table.rows import RowKind, classify


def test_every_row_gets_its_kind():
    texts = [
        ["序号", "岗位", "风险点", "风险等级", "防控措施"],
        ["1", "会计", "虚报冒领", "高", "由科室负责人签字后报批"],
        ["", "", "", "", "每月对账"],
        ["一、办公室", "", "", "", ""],
        ["序号", "岗位", "风险点", "风险等级", "防控措施"],
        ["2", "司机", "无", "", ""],
        ["3", "", "", "", ""],
        ["4", "出纳", "", "高", ""],
        ["合计", "", "2", "", ""],
        ["以下空白", "", "", "", ""],
        ["注:一级为最高", "", "", "", ""],
        ["科室负责人(签字):", "", "分管领导(签字):", "", ""],
        ["", "", "", "", ""],
    ]
    grid = Grid.from_texts(texts, table=0)
    layout, start = find_layout(grid)
    kinds = [classify(grid, r, layout, first=r == start, has_entry=r > start) for r in range(start, grid.n_rows)]
    assert kinds == [RowKind.ENTRY, RowKind.CONTINUATION, RowKind.SECTION, RowKind.HEADER, RowKind.NO_RISK,
                     RowKind.SEQ_ONLY, RowKind.NO_RISK_TEXT, RowKind.TOTAL, RowKind.END_MARK, RowKind.NOTE,
                     RowKind.SIGNATURE, RowKind.EMPTY]


def test_a_risk_cell_merged_down_marks_the_row_merged():
    grid = Grid.from_texts([["风险点", "防控措施"], ["坐支现金", "当日存行"], ["", "每月对账"]], table=0)
    merged = grid.rows[1][0]
    merged.rowspan = 2
    grid.rows[2][0] = merged
    layout, start = find_layout(grid)
    assert classify(grid, 2, layout, first=False, has_entry=True) is RowKind.MERGED


def test_layout_reads_a_power_list_and_a_matter_column():
    powers = Grid.from_texts([["序号", "职权名称", "职权内容", "承办岗位", "设定依据"], ["1", "许可", "审查", "科员", "法"]])
    layout, _ = find_layout(powers)
    assert (layout.kind, layout.cols("power_name"), layout.cols("position"), layout.cols("legal_basis")) == (
        "power_list", [1], [3], [4])
    leaders = Grid.from_texts([["序号", "风险事项", "风险描述", "防控措施"], ["1", "重大事项决策", "个人说了算", "集体决策"]])
    layout, _ = find_layout(leaders)
    assert (layout.cols("duty"), layout.cols("risk"), layout.cols("manifestation")) == ([1], [2], [])

