"""The open audit findings of a unit as documents list them: grouped by rule (in the registry's
order), each with where it comes from (file, table or sheet, row). The 整改通知书 lists them as its
problems, the 阶段总结 as its 存在问题, the 廉政承诺书 leaves out the measures they call vague.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.registry import RULES
from service.documents import numbering
from service.store.models import Entry, Finding, Submission


@dataclass(slots=True)
class OpenFinding:
    id: int
    rule: str
    message: str
    source: str  # "来源：风险点排查表.xlsx，工作表“财务科”第5行"; "" when it is about the unit
    entry_id: int | None


@dataclass(slots=True)
class RuleGroup:
    heading: str  # （一）
    title: str  # the rule's Chinese explanation
    items: list[dict[str, Any]] = field(default_factory=list)  # {"no", "text"}


def _source(name: str | None, e: Any) -> str:
    if not name:
        return ""
    parts = [name]
    if e is not None and e.source_sheet:
        parts.append(f"工作表“{e.source_sheet}”")
    elif e is not None and e.source_table is not None:
        parts.append(f"第{e.source_table + 1}个表格")
    if e is not None and e.source_page is not None:
        parts.append(f"第{e.source_page}页")
    if e is not None and e.source_row is not None:
        parts[-1] += f"第{e.source_row}行"
    return "来源：" + "，".join(parts)


def open_findings(session: Session, unit_ids: list[int], department: str | None = None) -> list[OpenFinding]:
    """The open findings of `unit_ids` (of one department when named), in rule order then id."""
    stmt = (select(Finding, Entry, Submission.original_name)
            .outerjoin(Entry, Entry.id == Finding.entry_id)
            .outerjoin(Submission, Submission.id == Finding.submission_id)
            .where(Finding.unit_id.in_(unit_ids), Finding.status == "open").order_by(Finding.id))
    out = []
    for f, e, name in session.execute(stmt).all():
        if department and department not in ((e.department if e else None), (f.details or {}).get("department")):
            continue
        out.append(OpenFinding(f.id, f.rule, f.message, _source(name, e), f.entry_id))
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
