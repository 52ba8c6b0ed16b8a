"""The open audit findings of a unit as documents list them: grouped by rule (in the registry's
order), each with where it comes from (file, table or sheet, row). The 整改通知书 lists them as its
problems, the 阶段总结 as its 存在问题, the 廉政承诺书 leaves out the measures they call vague.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.audit.findings import open_for_units
from service.audit.registry import RULES
from service.documents import numbering


@dataclass(slots=True)
class OpenFinding:
    id: int
    rule: str
    message: str
    source: str  # "来源：《风险点排查表.xlsx》工作表“财务科”第5行"; "" when it is about the unit
    entry_id: int | None


@dataclass(slots=True)
class RuleGroup:
    heading: str  # （一）
    title: str  # the rule's Chinese explanation
    items: list[dict[str, Any]] = field(default_factory=list)  # {"no", "text"}


def open_findings(session: Session, unit_ids: list[int], department: str | None = None) -> list[OpenFinding]:
    """The open findings of `unit_ids` (of one department when named), in rule order then id."""
    out = [OpenFinding(f["id"], f["rule"], f["message"], f"来源：{f['where']}" if f["where"] else "", f["entry_id"])
           for f in open_for_units(session, unit_ids)
           if not department or f["department"] == department]
    order = {name: i for i, name in enumerate(RULES)}
    return sorted(out, key=lambda f: (order.get(f.rule, len(order)), f.id))


def grouped(findings: list[OpenFinding]) -> list[RuleGroup]:
    """（一）rule title, then 1. message（source） for each finding of that rule."""
    groups: dict[str, RuleGroup] = {}
    for f in findings:
        rule = RULES.get(f.rule)
        group = groups.setdefault(f.rule, RuleGroup(numbering.heading2(len(groups) + 1),
                                                    rule.title if rule else f.rule))
        text = f"{f.message}（{f.source}）" if f.source else f.message
        group.items.append({"no": len(group.items) + 1, "text": text})
    return list(groups.values())
