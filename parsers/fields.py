"""The one synonym table: every column and header label the contract knows.

Matching is on `text.key` (NFKC, simplified, no white space), so "風 險 點" and
"风险点" are the same header. An exact synonym wins; otherwise a synonym the header
ends with, the longest first ("监控责任人" beats "责任人"), then any contained one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.model import PHASES
from parsers.text import key

# Table columns -> contract field. Phase columns map to "phase:<name>".
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "No.", "No"),
    "department": ("科室", "部门", "处室", "科室名称", "部门名称", "所在科室", "所在部门", "责任科室", "责任部门", "单位部门"),
    "position": ("岗位", "职务", "岗位名称", "风险岗位", "工作岗位", "职位"),
    "person": ("姓名", "岗位人员", "人员姓名", "在岗人员"),
    "duty": ("职权事项", "岗位职责", "工作环节", "权力事项", "工作职责", "主要职责", "职责", "业务环节", "权力运行环节", "工作事项", "职权", "风险环节", "职责内容",
             "事项", "三重一大事项", "决策事项", "事项名称", "具体事项"),
    "risk": ("风险点", "廉政风险点", "风险点描述", "风险内容", "主要风险点", "风险描述", "廉政风险", "风险点名称", "存在的风险点", "风险点内容", "具体风险点", "廉政风险点描述", "风险事项", "风险隐患",
             "主要风险", "风险名称", "风险源", "存在风险"),
    "manifestation": ("表现形式", "风险表现形式", "主要表现形式", "具体表现", "风险表现"),
    "category": ("风险类型", "风险类别", "类别", "类型", "风险种类", "风险分类"),
    "domain": ("业务类别", "业务领域", "业务类型", "业务范围"),
    "level": ("风险等级", "风险级别", "等级", "风险程度", "级别", "风险等级评定", "风险评级", "等次", "风险等次"),
    "measures": ("防控措施", "防范措施", "预防措施", "风险防控措施", "廉政风险防控措施", "主要防控措施", "防控办法", "措施", "对策", "防控对策"),
    "owner": ("责任人", "责任主体", "责任领导", "防控责任人", "责任单位", "负责人"),
    "supervisor": ("监控责任人", "监督人", "监控主体", "监督责任人", "监控人", "监督主体", "监督责任领导", "监督领导", "监控责任领导",
                   "监督负责人", "监控负责人"),
    "deadline": ("完成时限", "时限", "完成时间", "整改时限", "落实时限", "完成期限", "时间要求", "期限"),
    "phase:前期预防": ("前期预防", "事前预防", "前期防范"),
    "phase:中期监控": ("中期监控", "事中监控", "中期监督"),
    "phase:后期处置": ("后期处置", "事后处置", "后期处理"),
    # 职权目录 (power list)
    "power_name": ("职权名称", "权力名称", "权力事项名称"),
    "power_content": ("职权内容", "权力内容"),
    "handler": ("办理主体", "实施主体", "承办机构"),
    "legal_basis": ("法律依据", "设定依据", "依据"),
}

# Header-line labels above a table ("填报单位:…  科室:…") -> form field.
FORM_LABELS: dict[str, tuple[str, ...]] = {
    "unit": ("填报单位", "单位名称", "单位", "填表单位", "所在单位"),
    "department": ("科室", "部门", "所在科室", "所在部门", "科室名称", "处室", "填报科室", "填报部门"),
    "person": ("姓名",),
    "filler": ("填表人", "填报人", "填写人"),
    "position": ("职务", "岗位", "职位"),
    "filled_on": ("填表日期", "填报日期", "日期", "填表时间", "填报时间"),
}

_PHASE_HEADER = re.compile(r"^(?:(前期|事前)|(中期|事中)|(后期|事后))")
_COUNT = re.compile(r"(数|数量|个数|总数|条数|比例|占比|率)$")  # "风险点数量" counts risks, it lists none
_NOT_A_HEADER = re.compile(r"[\d:;,。]")  # digits or sentence punctuation: a data cell
_NEXT_LABEL = re.compile(r"\s+[^\s:：]{1,8}[:：]")  # "科室:登记科 负责人:张三": another label ends the value
_GAP = re.compile(r"\s{2,}|\u3000")  # what separates a value from unlabelled text after it
_BRACKETS = re.compile(r"[(\[【<《].*?[)\]】>》]")


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key(s): name for name, synonyms in table.items() for s in synonyms}


_COLUMN_EXACT = _index(COLUMNS)
_FORM_EXACT = _index(FORM_LABELS)


@lru_cache(maxsize=16384)
def column_field(header: str) -> str | None:
    """The contract field a table header names, or None."""
    k = _BRACKETS.sub("", key(header)).rstrip(":*※")  # "风险等级*": a footnote mark
    if not k or len(k) > 16:
        return None
    if k in _COLUMN_EXACT:
        return _COLUMN_EXACT[k]
    if _NOT_A_HEADER.search(k) or _COUNT.search(k):
        return None
    # Chinese headers are head-final: "廉政风险等级" is a level, "防控措施责任人" an owner. A long
    # cell is a header only when it ends with 风险点 ("权力运行中可能存在的廉政风险点"): measures
    # and risk texts in data rows end with 措施 or 风险 often enough.
    contained = [(k.endswith(s), len(s), name) for s, name in _COLUMN_EXACT.items()
                 if len(s) >= 2 and s in k and (len(k) <= 10 or (k.endswith(s) and s.endswith("风险点")))]
    name = max(contained, key=lambda t: t[:2])[2] if contained else None
    phase = _PHASE_HEADER.match(k)
    if phase and name in (None, "measures"):  # 事前防控措施, 中期监督
        return "phase:" + PHASES[next(i for i in range(3) if phase.group(i + 1))]
    return name


def form_field(label: str) -> str | None:
    """The form field a header-line label names ("填报单位" -> "unit"), exact match only."""
    return _FORM_EXACT.get(key(label).rstrip(":"))


def _form_label_pattern() -> re.Pattern[str]:
    """`label:` occurrences in a header line, longest labels first."""
    labels = sorted({s for synonyms in FORM_LABELS.values() for s in synonyms}, key=len, reverse=True)
    spaced = "|".join(r"\s*".join(label) for label in labels)
    return re.compile("(" + spaced + r")\s*(?:[(（][^)）]{0,8}[)）])?\s*[:：]")  # 填报单位(盖章):


_FORM_LABEL = _form_label_pattern()


def header_values(line: str) -> list[tuple[str, str]]:
    """(form field, value) pairs of a header line: "填报单位:甲局    科室:乙科" -> unit, department."""
    marks = list(_FORM_LABEL.finditer(line))
    if not marks:
        return []
    out = []
    for m, stop in zip(marks, [m.start() for m in marks[1:]] + [len(line)], strict=True):
        value = _NEXT_LABEL.split(_GAP.split(line[m.end():stop].strip())[0])[0].strip("_＿ ")
        name = form_field(m.group(1))
        if value and name:
            out.append((name, value))
    return out
