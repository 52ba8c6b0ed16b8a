"""The document kinds, each declared once: name, Chinese label, parameters, who may issue it.

Everything that offers or describes a kind reads it from here: the 文书 page (its tabs and
form fields), /api/v1's OpenAPI description, `lianfang generate` (its choices and options),
`service.documents` (numbering, the office-only check, the template to load), the 待办
notices and `templates_docx/build.py` (which templates to write). The module that builds a
kind is `service.documents.<name>`. Pure data and no imports beyond the standard library, so
the CLI can build its options from it without loading the documents stack.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter a kind takes, as the page labels it and the CLI explains it."""

    name: str
    label: str  # the page's label
    help: str  # the CLI's: 中文 (English)
    required: bool = False  # the page must choose a value (a unit: no 全部单位)
    many: bool = False  # a list (one item a line on the page, a repeated option on the CLI)
    on_form: bool = True  # False: passed by another page (the 风险库's filters), not asked on the 文书 page


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # also the module under service.documents that builds it
    label: str  # what users call it; the first part of its file name
    hint: str  # the page's one line about it
    params: tuple[Param, ...]
    numbered: bool = False  # takes a 文号 when issued
    office_only: bool = False  # speaks for the office (its 文号, its name): only the office may issue it
    notice: bool = False  # addressed to a unit, which sees it among its 待办
    template: str | None = None  # the bundled .docx template; None: written without one
    output: str = ".docx"

    @property
    def tab_label(self) -> str:
        return f"{self.label}(Excel)" if self.output == ".xlsx" else self.label

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


CAMPAIGN = Param("campaign", "年度工作", "工作任务名称,默认最新 (Campaign name; latest when omitted)")
STAGE = Param("stage", "阶段", "阶段名称,不填为全部阶段 (Stage name; all stages when omitted)")
UNIT = Param("unit", "单位", "单位名称或编号 (Unit name or id)")
DEPARTMENT = Param("department", "科室", "科室 (Department)")
POSITION = Param("position", "岗位", "岗位 (Position)")
PERSON = Param("person", "人员", "姓名 (Person)")
DEADLINE = Param("deadline", "期限", "期限 YYYY-MM-DD (Deadline)")
ITEMS = Param("items", "事项", "事项,可多次使用 (Item; repeatable)", many=True)
GRADE = Param("level", "预警等级", "预警等级:红色/橙色/黄色,默认按风险等级 (Warning grade; default: the highest level found)")
GRADES = ("红色", "橙色", "黄色")  # 预警等级, highest first (service.documents.warning: high, medium, low)

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("plan", "实施方案", "按年度工作的阶段和日期生成本单位的实施方案。",
         (CAMPAIGN, replace(UNIT, required=True)), numbered=True, template="plan.docx"),
    Kind("summary", "阶段总结", "汇总所选阶段的风险点、措施和审核情况;不选阶段时汇总全部阶段。",
         (CAMPAIGN, STAGE, UNIT), template="summary.docx"),
    Kind("commitment", "廉政承诺书", "按岗位或人员生成廉政承诺书;不填岗位和人员时,每个岗位一份。",
         (CAMPAIGN, UNIT, DEPARTMENT, POSITION, PERSON), template="commitment.docx"),
    Kind("rectification", "整改通知书", "列出该单位未关闭的审核问题;也可逐行填写整改事项。",
         (CAMPAIGN, replace(UNIT, required=True), replace(DEADLINE, label="整改期限"), replace(ITEMS, label="整改事项")),
         numbered=True, office_only=True, notice=True, template="rectification.docx"),
    Kind("warning", "预警通知书", "按风险等级或所选预警等级,列出该单位对应的风险点或所填预警事项。",
         (CAMPAIGN, replace(UNIT, required=True), GRADE, replace(DEADLINE, label="反馈期限"),
          replace(ITEMS, label="预警事项")),
         numbered=True, office_only=True, notice=True, template="warning.docx"),
    Kind("ledger", "风险台账", "导出风险台账(Excel),每个风险点一行。",
         (CAMPAIGN, UNIT, DEPARTMENT,
          Param("level", "风险等级", "风险等级 high/medium/low (Risk level)", on_form=False),
          Param("category", "风险类型", "风险类型 (Risk type)", on_form=False),
          Param("q", "检索", "检索文字 (Search text)", on_form=False)),
         output=".xlsx"),
    Kind("manual", "廉政风险防控手册", "汇编风险点和防控措施,生成廉政风险防控手册。",
         (CAMPAIGN, UNIT, DEPARTMENT), template="manual.docx"),
)}
# 公示 is made by the review (service.review.export_publicity), not by `generate`; it has a template.
PUBLICITY = Kind("publicity", "公示", "单位审定通过的风险点及防控措施公示。", (CAMPAIGN, UNIT), template="publicity.docx")
_ALL = {**KINDS, PUBLICITY.name: PUBLICITY}
# Every parameter name a kind takes, besides "draft" (草稿: no 文号) which every numbered kind takes.
PARAM_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p.name for k in KINDS.values() for p in k.params))


def templates() -> dict[str, str]:
    """Kind name -> the bundled template file it renders, for every kind that has one."""
    return {k.name: k.template for k in _ALL.values() if k.template}


def users_of(name: str) -> list[str]:
    """The kinds that take parameter `name` on their form, in registry order."""
    return [k.name for k in KINDS.values() if (p := k.param(name)) is not None and p.on_form]


def stem(kind: str, *parts: str) -> str:
    """A generated file's name before its extension: the kind's label, then what it covers."""
    return "_".join((_ALL[kind].label, *parts))
