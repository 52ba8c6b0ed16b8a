"""Deadline warnings per unit: 蓝 due within a week, 黄 due today, 红 overdue.

Two kinds of deadline: a campaign stage that collects forms (a unit that has sent none
is warned), and a 整改通知书 (IssuedDocument.deadline; warned while findings it lists are open).
Done work raises no warning. The per-unit progress board (web and `lianfang status`)
is built here too, as plain dicts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit.context import top_unit_ids
from service.audit.coverage import collecting_stages
from service.store.campaigns import find_campaign
from service.store.db import read_session
from service.store.errors import NotFound
from service.store.models import (
    Campaign,
    Entry,
    Finding,
    FindingStatus,
    IssuedDocument,
    Submission,
    SubmissionStatus,
    Unit,
)
from service.store.scope import Viewer, visible_unit_ids

SOON_DAYS = 7
COLORS = {"red": "红", "yellow": "黄", "blue": "蓝"}


@dataclass(frozen=True, slots=True)
class DeadlineWarning:
    unit_id: int
    unit: str
    kind: str  # stage | rectification
    name: str
    deadline: date
    color: str  # red | yellow | blue
    days: int  # days left; negative when overdue

    @property
    def label(self) -> str:
        return COLORS[self.color]

    @property
    def message(self) -> str:
        what = f"“{self.name}”阶段报送" if self.kind == "stage" else f"整改通知书{self.name}"
        if self.color == "red":
            return f"{what}已逾期(截止{self.deadline})"
        if self.color == "yellow":
            return f"{what}今天到期"
        return f"{what}将于{self.deadline}到期(剩{self.days}天)"


def color_for(deadline: date, today: date) -> str | None:
    days = (deadline - today).days
    if days < 0:
        return "red"
    if days == 0:
        return "yellow"
    if days <= SOON_DAYS:
        return "blue"
    return None


def _campaign(session: Session, campaign: str | int | None) -> Campaign | None:
    try:
        return find_campaign(session, campaign)
    except NotFound:  # an unknown campaign shows the board of forms filed under none
        return None


def _top_units(session: Session, viewer: Viewer) -> dict[int, str]:
    ids = visible_unit_ids(session, viewer)
    rows = session.execute(select(Unit.id, Unit.name, Unit.parent_id)).all()
    tops = {uid: name for uid, name, parent in rows if parent is None}
    if ids is None:
        return tops
    parents = {uid: parent or uid for uid, _, parent in rows}
    return {t: tops[t] for t in {parents[i] for i in ids} if t in tops}


def warnings(session: Session, campaign: Campaign | None, units: dict[int, str], today: date) -> list[DeadlineWarning]:
    tops = top_unit_ids(session)
    out: list[DeadlineWarning] = []
    if campaign is not None:
        sent: dict[int, set[str | None]] = defaultdict(set)
        for unit_id, kind in session.execute(
            select(Submission.unit_id, Submission.form_kind).where(Submission.campaign_id == campaign.id)
        ):
            sent[tops.get(unit_id, unit_id)].add(kind)
        for name, deadline, kinds in collecting_stages(campaign.stages or []):
            color = color_for(deadline, today)
            if color is None:
                continue
            for uid, unit in units.items():
                if not any(kinds is None or k in kinds for k in sent[uid]):
                    out.append(DeadlineWarning(uid, unit, "stage", name, deadline, color, (deadline - today).days))
    notices = session.execute(
        select(IssuedDocument.id, IssuedDocument.unit_id, IssuedDocument.number_text, IssuedDocument.deadline).where(
            IssuedDocument.kind == "rectification", IssuedDocument.deadline.is_not(None), IssuedDocument.unit_id.is_not(None)
        )
    ).all()
    still_open = Counter(session.scalars(select(Finding.notice_id).where(
        Finding.status == FindingStatus.OPEN, Finding.notice_id.is_not(None))))
    for doc_id, unit_id, number_text, deadline in notices:
        top = tops.get(unit_id, unit_id)
        color = color_for(deadline, today)
        if top in units and color and still_open[doc_id]:
            out.append(DeadlineWarning(top, units[top], "rectification", number_text or f"#{doc_id}", deadline, color,
                                       (deadline - today).days))
    return sorted(out, key=lambda w: (w.deadline, w.unit))


def board(*, viewer: Viewer, campaign: str | int | None = None, today: date | None = None) -> dict[str, Any]:
    """Per-unit progress: forms, points, open findings, review states and deadline warnings."""
    today = today or date.today()
    with read_session() as s:
        camp = _campaign(s, campaign)
        units = _top_units(s, viewer)
        tops = top_unit_ids(s)
        cid = camp.id if camp else None
        rows: dict[int, dict[str, Any]] = {
            uid: {"unit_id": uid, "unit": name, "forms": 0, "entries": 0, "open_findings": 0,
                  "states": Counter(), "warnings": []}
            for uid, name in units.items()
        }
        same = Submission.campaign_id.is_(None) if cid is None else Submission.campaign_id == cid
        for unit_id, state in s.execute(select(Submission.unit_id, Submission.review_state).where(
                same, Submission.is_current.is_(True), Submission.status == SubmissionStatus.PARSED)):
            row = rows.get(tops.get(unit_id, unit_id))
            if row:
                row["forms"] += 1
                row["states"][state] += 1
        entry_same = Entry.campaign_id.is_(None) if cid is None else Entry.campaign_id == cid
        for unit_id, n in s.execute(select(Entry.unit_id, func.count()).where(
                entry_same, Entry.is_current.is_(True)).group_by(Entry.unit_id)):
            if (row := rows.get(tops.get(unit_id, unit_id))) is not None:
                row["entries"] += n
        finding_same = Finding.campaign_id.is_(None) if cid is None else Finding.campaign_id == cid
        for unit_id, n in s.execute(select(Finding.unit_id, func.count()).where(
                finding_same, Finding.status == FindingStatus.OPEN).group_by(Finding.unit_id)):
            if (row := rows.get(tops.get(unit_id, unit_id))) is not None:
                row["open_findings"] += n
        for w in warnings(s, camp, units, today):
            rows[w.unit_id]["warnings"].append(
                {"kind": w.kind, "name": w.name, "deadline": w.deadline.isoformat(), "color": w.color,
                 "label": w.label, "message": w.message})
        for row in rows.values():
            row["states"] = dict(row["states"])
        return {"campaign": camp.name if camp else None, "today": today.isoformat(),
                "units": sorted(rows.values(), key=lambda r: r["unit"])}
