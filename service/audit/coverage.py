"""Rules about what is missing: departments, positions and leaders without risk points, late forms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from service.audit.context import SubmissionData, UnitContext
from service.audit.registry import Draft, rule
from service.audit.similarity import normalize


@rule("coverage_department", "单位下属科室未报送风险点排查表", severity="high")
def coverage_department(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    named = {normalize(e.department) for e in ctx.entries} | {
        normalize((s.form or {}).get("department")) for s in ctx.submissions
    }
    submitted = {s.unit_id for s in ctx.submissions}
    for dept_id, name in sorted(ctx.departments.items()):
        if dept_id not in submitted and normalize(name) not in named:
            yield Draft(rule="coverage_department", message=f"{ctx.unit_name}{name}未报送风险点排查表",
                        subject=f"department:{name}", unit_id=dept_id)


@rule("coverage_position", "职权目录中的岗位未查找风险点", severity="medium")
def coverage_position(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    covered = {normalize(e.position) for e in ctx.entries}
    seen: set[str] = set()
    for p in ctx.powers:
        key = normalize(p.position)
        if key and key not in covered and key not in seen:
            seen.add(key)
            yield Draft(rule="coverage_position", message=f"职权目录中的岗位“{p.position}”没有查找风险点",
                        subject=f"position:{key}", unit_id=p.unit_id, submission_id=p.submission_id,
                        entry_id=p.id)


@rule("coverage_leader", "领导班子成员没有查找本人的风险点", severity="high")
def coverage_leader(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    people = {e.person for e in ctx.entries if e.person} | {
        (s.form or {}).get("person") for s in ctx.submissions if s.status == "parsed"
    }
    positions = {normalize(e.position) for e in ctx.entries if e.position and not e.person}
    for leader in sorted(ctx.leaders, key=lambda x: x.name):
        if leader.name in people or (leader.position and normalize(leader.position) in positions):
            continue
        title = f"{leader.position}{leader.name}" if leader.position else leader.name
        yield Draft(rule="coverage_leader", message=f"{ctx.unit_name}领导班子成员{title}没有查找本人的风险点",
                    subject=f"leader:{leader.name}", unit_id=ctx.unit_id)


def collecting_stages(stages: list[dict[str, Any]]) -> list[tuple[str, date, list[str] | None]]:
    """(name, deadline, form kinds or None for any) of the stages that collect forms, by deadline."""
    out = []
    for st in stages:
        raw = st.get("deadline") or (st.get("end") if st.get("submissions") else None)
        if not raw:
            continue
        try:
            out.append((st.get("name") or "", date.fromisoformat(str(raw)[:10]), st.get("forms") or None))
        except ValueError:
            continue
    return sorted(out, key=lambda x: x[1])


def _late(sub: SubmissionData, stages: list[tuple[str, date, list[str] | None]]) -> tuple[str, date] | None:
    """The stage a form missed: it was filled after the last deadline of the stages collecting its kind."""
    own = [(n, d) for n, d, kinds in stages if kinds is None or sub.form_kind in kinds]
    if own and sub.filled_on > own[-1][1]:
        return own[-1]
    return None


@rule("overdue", "阶段截止日期已过仍未报送,或报送(填表)日期晚于截止日期", severity="high")
def overdue(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    stages = collecting_stages(ctx.stages)
    for name, deadline, kinds in stages:
        if deadline < ctx.today and not any(kinds is None or s.form_kind in kinds for s in ctx.submissions):
            yield Draft(rule="overdue", message=f"{ctx.unit_name}“{name}”阶段截止日期{deadline}已过,尚未报送",
                        subject=f"missing:{name}", unit_id=ctx.unit_id, details={"deadline": str(deadline)})
    for sub in ctx.submissions:
        missed = _late(sub, stages) if sub.is_current else None
        if missed:
            yield Draft(
                rule="overdue",
                message=f"《{sub.original_name}》填表(报送)日期{sub.filled_on}晚于“{missed[0]}”阶段截止日期{missed[1]}",
                subject=f"late:{sub.subject}", unit_id=sub.unit_id, submission_id=sub.id,
                severity="medium", details={"deadline": str(missed[1]), "filled_on": str(sub.filled_on)},
            )
