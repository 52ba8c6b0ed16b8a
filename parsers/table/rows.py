"""Row classification: what each row below a table's header is.

Every non-empty row is an entry or one of the reasons below, so nothing is dropped
without a word: the reader turns every reason into a warning naming the row. A signature
line (科室负责人(签字):____) is told from a data row whose measure merely mentions 签字 or
审核 by its risk cell: a data row has a risk text of its own.
"""

from __future__ import annotations

import re
from enum import StrEnum

from parsers import categories
from parsers.grid import Cell, Grid
from parsers.table.layout import Layout, is_header, row_fields
from parsers.table.state import distinct, filled, joined
from parsers.text import key


class RowKind(StrEnum):
    ENTRY = "entry"
    EMPTY = "empty"
    HEADER = "header"  # the header again (a table running over pages)
    NEW_TABLE = "new_table"  # another header: a table stacked below in the same grid
    TOTAL = "total"  # 合计 / 小计
    END_MARK = "end_mark"  # 以下空白
    NOTE = "note"  # 注: / 说明:
    SIGNATURE = "signature"  # 科室负责人(签字):____
    SECTION = "section"  # 一、办公室 / 一、思想道德风险 across the table: the group below
    SEQ_ONLY = "seq_only"  # a number and nothing else
    NO_RISK = "no_risk"  # the risk cell says 无, or holds a number
    MERGED = "merged"  # the risk cell is merged down from the row above
    CONTINUATION = "continuation"  # measures only: more for the entry above
    NO_RISK_TEXT = "no_risk_text"  # content, but the risk cell is empty


_MARKS = re.compile(r"(?m)^(合计|小计|总计)|以下空白|以下无内容|此页无正文")
NOTE = re.compile(r"^(注|说明|备注|填表说明)\d?[:：]")
_SIGN_LABEL = re.compile(
    r"(签字|签名|签章|盖章|审核意见|审批意见|审核人|审批人|负责人|填表人|填报人|经办人|日期)\s*[)）]?\s*[:：]"
    r"|[(（](签字|签名|盖章|签章)[)）]|_{3,}|(?:^|\s)(审核|审批)\s*[:：]"
)
_SIGN_GATE = re.compile("[签章审负填经日_]")  # a character every label above has: a cheap test first
ENUM_PREFIX = re.compile(
    r"^([一二三四五六七八九十]+[、.]|\d+[、.]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十\d]+(部分|章|节)?)\s*"
)
_DEPARTMENT = re.compile(r"(科|室|处|股|局|队|所|站|中心|部|办|组|院|委|馆|厅|庭|车间|分局|支队)$")
_DEPARTMENT_ONLY = re.compile(r"(科|室|处|股|组|队|部)$")
_RISK_WORDS = re.compile(r"廉政|廉洁|风险")
_GENERIC_UNITS = {"科室", "处室", "部门", "机关", "单位"}  # "科室廉政风险防控排查表" names no department
_NO_RISK = re.compile(r"^([\d.,%/\-—–]+|无|暂无|没有)$")  # a numeric or 无 risk cell names no risk


def department_name(line: str) -> str | None:
    """A heading naming a department ("一、办公室", "财务科:", "办公室廉政风险点"), else None."""
    name = ENUM_PREFIX.sub("", line.strip()).rstrip(":：").strip()
    before, *rest = _RISK_WORDS.split(name, maxsplit=1)
    # Before 廉政…/风险…, only a department's own endings count: "某某局廉政风险点登记表" names the unit.
    suffix = _DEPARTMENT_ONLY if rest else _DEPARTMENT
    name = before.strip()
    if (2 <= len(name) <= 15 and suffix.search(name) and name not in _GENERIC_UNITS
            and not re.search(r"[:：,，。表]", name)):
        return name
    return None


def section_of(text: str) -> tuple[str, str] | None:
    """("department", name) or ("category", label) for a group heading, else None."""
    department = department_name(text)
    if department:
        return "department", department
    label = ENUM_PREFIX.sub("", text.strip())
    return ("category", label) if categories.is_category(label) else None


def _is_signature(row: list[Cell], cells: list[Cell], layout: Layout) -> bool:
    """Names or blanks to sign, not a data row: the risk cell holds no risk text of its own."""
    own = [c for c in distinct(row, layout.cols("risk")) if c.text.strip() and c.colspan < max(2, layout.width // 2)]
    if own:  # a risk text of its own: a signature line only if that text is itself a label to sign
        return any(_SIGN_GATE.search(c.text) and _SIGN_LABEL.search(c.text) for c in own)
    text = "  ".join(c.text for c in cells)
    return bool(_SIGN_GATE.search(text) and _SIGN_LABEL.search(text))


def _marker_kind(row: list[Cell], cells: list[Cell], layout: Layout) -> RowKind | None:
    keys = [key(c.text) for c in cells]
    if all(any(head[c.col] == k for head in layout.header_keys) for c, k in zip(cells, keys, strict=True)):
        return RowKind.HEADER  # the header again, whole or (a two-row header's second row) in part
    marks = _MARKS.search("\n".join(keys))  # one pass for 合计 at a cell's start and 以下空白 anywhere
    if marks:
        return RowKind.TOTAL if marks.group(1) else RowKind.END_MARK
    if NOTE.match(keys[0]):
        return RowKind.NOTE
    if _is_signature(row, cells, layout):
        return RowKind.SIGNATURE
    return None


def _shape_kind(cells: list[Cell], layout: Layout) -> RowKind | None:
    if len(cells) == 1 and (
        cells[0].colspan >= max(2, layout.width // 2)
        or (cells[0].col == 0 and 0 not in layout.cols("risk") and not key(cells[0].text).isdigit())
    ):
        return RowKind.SECTION
    seq = {id(c) for c in cells if c.col in layout.cols("seq")}
    if all(id(c) in seq for c in cells):
        return RowKind.SEQ_ONLY
    return None


def _without_risk(row: list[Cell], cells: list[Cell], layout: Layout, has_entry: bool) -> RowKind:
    seq_cols = layout.cols("seq")
    if joined(row, layout.measure_cols) and not joined(row, seq_cols) and has_entry:
        return RowKind.CONTINUATION  # a row broken across pages, or one more measure
    others = [c for c in cells if c.col not in seq_cols]
    if len(others) == 1 and section_of(others[0].text):
        return RowKind.SECTION  # 一 | 办公室 | | …: a numbered group row
    return RowKind.NO_RISK_TEXT


def classify(grid: Grid, r: int, layout: Layout, *, first: bool, has_entry: bool) -> RowKind:
    """What row r of the table is; `first` for the table's first data row, `has_entry` once
    the table has an entry the row could continue."""
    row = grid.rows[r]
    cells = filled(row)
    if not cells:
        return RowKind.EMPTY
    kind = _marker_kind(row, cells, layout) or _shape_kind(cells, layout)
    if kind is not None:
        return kind
    if not first and is_header(row, row_fields(row)):
        return RowKind.NEW_TABLE
    if distinct(row, layout.cols("risk"))[0].row != r:
        return RowKind.MERGED
    risk = joined(row, layout.cols("risk"))
    if not risk:
        return _without_risk(row, cells, layout, has_entry)
    return RowKind.NO_RISK if _NO_RISK.match(key(risk)) else RowKind.ENTRY
