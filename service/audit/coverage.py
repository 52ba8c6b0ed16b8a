"""Rules about what is missing: departments, positions and leaders without risk points, late forms.

Coverage is counted across all of the unit's current forms: a department's points may sit
on the unit's combined form, a leader's on the 领导班子 form, a position's on its
department's form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from service.audit.context import SubmissionData, UnitContext
from service.audit.names import department_key, is_leader_group, role_key, split_position
from service.audit.registry import FindingDraft, rule
from service.store.models import SubmissionStatus


def _department_names(ctx: UnitContext) -> set[str]:
    return {*ctx.departments.values(), *ctx.roster_departments, *(e.department for e in ctx.entries if e.department)}


def _sent(s: SubmissionData, kinds: list[str] | None) -> bool:
    """A current form of these kinds, or a file that could not be read (sent, to be sent again);
    not a form held for the office's decision (it states another unit)."""
    if not s.is_current or s.status not in (SubmissionStatus.PARSED, SubmissionStatus.FAILED):
        return False
    return kinds is None or s.form_kind in kinds or s.status == SubmissionStatus.FAILED


def _filed_departments(ctx: UnitContext, kinds: list[str] | None = None) -> set[str]:
    """Department keys with a current form (of `kinds`) or risk points on any current form."""
    subs = [s for s in ctx.submissions if _sent(s, kinds)]
    ids = {s.id for s in subs}
    out = {department_key(ctx.departments.get(s.unit_id)) for s in subs}
    out |= {department_key((s.form or {}).get("department")) for s in subs}
    out |= {department_key(e.department) for e in ctx.entries if e.submission_id in ids}
    return out - {""}


def _departments(ctx: UnitContext) -> dict[str, tuple[str, int]]:
    """key -> (name, unit id) of every department the unit tree or the roster names."""
    out: dict[str, tuple[str, int]] = {}
    for dept_id, name in sorted(ctx.departments.items()):
        out.setdefault(department_key(name), (name, dept_id))
    for name in sorted(ctx.roster_departments):
        if not is_leader_group(name):
            out.setdefault(department_key(name), (name, ctx.unit_id))
    out.pop("", None)
    return out


@rule("coverage_department", "单位下属科室未报送风险点排查表", severity="high")
def coverage_department(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    filed = _filed_departments(ctx)
    for key, (name, unit_id) in _departments(ctx).items():
        if key not in filed:
            yield FindingDraft(rule="coverage_department",
                        message=f"{ctx.unit_name}{name}没有报送风险点排查表,其他表格中也没有该科室的风险点,请组织补报",
                        subject=f"department:{name}", unit_id=unit_id, details={"department": name})


@rule("coverage_position", "职权目录中的办理主体(岗位)没有查找风险点", severity="medium")
def coverage_position(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    if not ctx.powers:
        return
    departments = _department_names(ctx)
    held: dict[str, set[str | None]] = defaultdict(set)  # role -> department keys holding it
    covered_departments = set()
    for e in ctx.entries:
        dept, role = split_position(e.position, departments) if e.position else (None, "")
        dept = department_key(e.department) or dept
        held[role].add(dept)
        covered_departments.add(dept)
    powers: dict[tuple[str | None, str], list] = defaultdict(list)
    for p in ctx.powers:
        for subject in _subjects(p.subject):
            powers[split_position(subject, departments)].append((subject, p))
    for (dept, role), listed in powers.items():
        if (role and role in held and (dept is None or dept in held[role] or None in held[role])) or (
            not role and dept in covered_departments
        ):
            continue
        subject, first = listed[0]
        names = "、".join(dict.fromkeys(f"“{p.name}”" for _, p in listed if p.name))
        yield FindingDraft(
            rule="coverage_position",
            message=f"职权目录中{names}的办理主体“{subject}”没有查找风险点,请该岗位对照职权补充查找",
            subject=f"position:{dept or ''}|{role}", unit_id=first.unit_id, submission_id=first.submission_id,
            details={"position": subject, "powers": [p.name for _, p in listed], "source": first.source},
        )


def _subjects(text: str) -> list[str]:
    """"审批股、办公室" names two 办理主体."""
    return [part.strip() for part in text.replace(",", "、").replace(",", "、").replace("/", "、").split("、")
            if part.strip()]


@rule("coverage_leader", "领导班子成员没有查找本人的风险点", severity="high")
def coverage_leader(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    people = {e.person for e in ctx.entries if e.person} | {
        (s.form or {}).get("person") for s in ctx.submissions if s.is_current and s.status == SubmissionStatus.PARSED
    }
    taken = [role_key(x.position) for x in ctx.leaders if x.position]
    unique = {r for r in taken if taken.count(r) == 1}  # a position that names one leader only
    positions = {role_key(e.position) for e in ctx.entries if e.position and not e.person}
    for leader in sorted(ctx.leaders, key=lambda x: x.name):
        role = role_key(leader.position)
        if leader.name in people or (role in unique and role in positions):
            continue
        title = f"{leader.position}{leader.name}" if leader.position else leader.name
        yield FindingDraft(rule="coverage_leader",
                    message=f"{ctx.unit_name}领导班子成员{title}没有查找本人的风险点,请补充填报个人或班子风险点",
                    subject=f"leader:{leader.name}", unit_id=ctx.unit_id, details={"leader": leader.name})


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
def overdue(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    """Per department of the unit (unit tree or roster); the unit itself when it has none."""
    stages = collecting_stages(ctx.stages)
    departments = _departments(ctx)
    for name, deadline, kinds in stages:
        if deadline >= ctx.today:
            continue
        if not departments:
            if not any(_sent(s, kinds) for s in ctx.submissions):
                yield FindingDraft(rule="overdue",
                            message=f"{ctx.unit_name}“{name}”阶段截止日期{deadline}已过,尚未报送表格,请立即报送",
                            subject=f"missing:{name}", unit_id=ctx.unit_id,
                            details={"deadline": str(deadline), "stage": name})
            continue
        filed = _filed_departments(ctx, kinds)
        for key, (dept, unit_id) in departments.items():
            if key not in filed:
                yield FindingDraft(
                    rule="overdue",
                    message=f"{ctx.unit_name}{dept}“{name}”阶段截止日期{deadline}已过,尚未报送表格,请立即报送",
                    subject=f"missing:{name}:{dept}", unit_id=unit_id,
                    details={"deadline": str(deadline), "stage": name, "department": dept},
                )
    for sub in ctx.submissions:
        missed = _late(sub, stages) if sub.is_current and sub.status == SubmissionStatus.PARSED else None
        if missed:
            yield FindingDraft(
                rule="overdue",
                message=f"《{sub.original_name}》填表(报送)日期{sub.filled_on}晚于“{missed[0]}”阶段截止日期{missed[1]}",
                subject=f"late:{sub.subject}", unit_id=sub.unit_id, submission_id=sub.id,
                severity="medium", details={"deadline": str(missed[1]), "filled_on": str(sub.filled_on),
                                            "stage": missed[0]},
            )
