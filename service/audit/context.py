"""What the rules look at: one unit's forms in one campaign, as plain data.

Rules are pure functions of a `UnitContext`, so they are tested without a database
and a whole campaign is loaded with a handful of bulk queries instead of per-row
ORM loads (`bench/audit_bench.py` times a whole campaign).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.models import Campaign, Entry, Measure, Person, Submission, SubmissionStatus, Unit


@dataclass(slots=True)
class MeasureData:
    text: str
    phase: str | None
    owner: str | None
    deadline: str | None


@dataclass(slots=True)
class EntryData:
    id: int
    submission_id: int
    unit_id: int
    department: str | None
    position: str | None
    person: str | None
    risk: str
    category: str | None
    domain: str | None
    level: str | None
    owner: str | None
    deadline: str | None
    source: dict[str, Any]
    form_kind: str | None = None
    duty: str | None = None
    measures: list[MeasureData] = field(default_factory=list)

    @property
    def identity(self) -> str:
        """Who and what the point is about; stays the same across corrected versions."""
        return "|".join(x or "" for x in (self.department, self.position, self.person, self.risk))


@dataclass(slots=True)
class SubmissionData:
    id: int
    unit_id: int
    form_kind: str | None
    form_key: str | None
    form: dict[str, Any]
    original_name: str
    received_at: datetime
    is_current: bool
    status: str

    @property
    def subject(self) -> str:
        """Which form this is, across its corrected versions."""
        return self.form_key or f"submission:{self.id}"

    @property
    def filled_on(self) -> date:
        """The 填表日期 the form gives, else the day it was received."""
        raw = (self.form or {}).get("filled_on")
        if raw:
            try:
                return date.fromisoformat(str(raw)[:10])
            except ValueError:
                pass
        return self.received_at.date()


@dataclass(slots=True)
class PowerData:
    """One power of a unit's 职权目录 and who exercises it (办理主体 / 承办岗位)."""

    name: str
    subject: str
    unit_id: int
    submission_id: int
    source: dict[str, Any]


@dataclass(slots=True)
class Leader:
    name: str
    position: str | None
    department: str | None


@dataclass(slots=True)
class UnitContext:
    """One top-level unit (with its departments) in one campaign."""

    unit_id: int
    unit_name: str
    campaign_id: int | None
    stages: list[dict[str, Any]]
    owner_required: bool
    departments: dict[int, str]  # department Unit id -> name
    submissions: list[SubmissionData]  # every submission, current or not, parsed or not
    entries: list[EntryData]  # current risk points of parsed, current submissions
    powers: list[PowerData]  # current items of the unit's 职权目录 (power_list forms)
    leaders: list[Leader]
    roster_departments: set[str]  # departments the roster names for the unit's people
    previous_entries: list[EntryData]  # the unit's current entries in its previous campaign
    campaign_levels: dict[int, dict[str, int]]  # every unit's level counts in this campaign
    today: date

    @property
    def unit_ids(self) -> list[int]:
        return [self.unit_id, *self.departments]

    def submission(self, submission_id: int) -> SubmissionData | None:
        return next((s for s in self.submissions if s.id == submission_id), None)


def _powers(subs: list[SubmissionData], listed: list[EntryData]) -> list[PowerData]:
    """The powers of the current power-list forms: `form["powers"]` as ingest keeps them.

    A power list stored before the parser kept its powers has them only as entries (the
    办理主体 read into department or position); those are read instead for such a form.
    """
    out: list[PowerData] = []
    kept: set[int] = set()
    for s in subs:
        if not (s.is_current and s.status == SubmissionStatus.PARSED and s.form_kind == "power_list"):
            continue
        for p in (s.form or {}).get("powers") or []:
            if isinstance(p, dict) and p.get("subject"):
                kept.add(s.id)
                out.append(PowerData(p.get("name") or p.get("content") or "", p["subject"], s.unit_id, s.id,
                                     dict(p.get("source") or {})))
    for e in listed:
        subject = e.position or e.department
        if e.submission_id not in kept and subject:
            out.append(PowerData(e.duty or e.risk, subject, e.unit_id, e.submission_id, e.source))
    return out


def top_unit_ids(session: Session) -> dict[int, int]:
    """Map unit id -> its top-level unit id (a department's parent)."""
    return {uid: parent or uid for uid, parent in session.execute(select(Unit.id, Unit.parent_id))}


def _entries(session: Session, unit_ids: list[int], campaign_id: int | None) -> list[EntryData]:
    cond = [Entry.unit_id.in_(unit_ids), Entry.is_current.is_(True)]
    cond.append(Entry.campaign_id.is_(None) if campaign_id is None else Entry.campaign_id == campaign_id)
    rows = session.execute(
        select(
            Entry.id, Entry.submission_id, Entry.unit_id, Entry.department, Entry.position, Entry.person,
            Entry.risk, Entry.category, Entry.domain, Entry.level, Entry.owner, Entry.deadline,
            Entry.source_table, Entry.source_sheet, Entry.source_page, Entry.source_row, Submission.form_kind,
            Entry.duty,
        )
        .join(Submission, Submission.id == Entry.submission_id)
        .where(*cond, Submission.is_current.is_(True), Submission.status == SubmissionStatus.PARSED)
        .order_by(Entry.submission_id, Entry.ordinal)
    ).all()
    entries = {
        r[0]: EntryData(
            id=r[0], submission_id=r[1], unit_id=r[2], department=r[3], position=r[4], person=r[5],
            risk=r[6] or "", category=r[7], domain=r[8], level=r[9], owner=r[10], deadline=r[11],
            source={"table": r[12], "sheet": r[13], "page": r[14], "row": r[15]}, form_kind=r[16], duty=r[17],
        )
        for r in rows
    }
    if entries:
        measures = session.execute(
            select(Measure.entry_id, Measure.text, Measure.phase, Measure.owner, Measure.deadline)
            .join(Entry, Entry.id == Measure.entry_id)
            .join(Submission, Submission.id == Entry.submission_id)
            .where(*cond, Submission.is_current.is_(True), Submission.status == SubmissionStatus.PARSED)
            .order_by(Measure.entry_id, Measure.ordinal)
        ).all()
        for entry_id, text, phase, owner, deadline in measures:
            if entry_id in entries:
                entries[entry_id].measures.append(MeasureData(text or "", phase, owner, deadline))
    return list(entries.values())


def _campaign_levels(session: Session, campaign_id: int | None, tops: dict[int, int]) -> dict[int, dict[str, int]]:
    cond = Entry.campaign_id.is_(None) if campaign_id is None else Entry.campaign_id == campaign_id
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, level, n in session.execute(
        select(Entry.unit_id, Entry.level, func.count()).where(cond, Entry.is_current.is_(True))
        .group_by(Entry.unit_id, Entry.level)
    ):
        counts[tops.get(unit_id, unit_id)][level or "none"] += n
    return {k: dict(v) for k, v in counts.items()}


def _previous_campaign(session: Session, campaign: Campaign | None) -> int | None:
    if campaign is None:
        return None
    return session.scalar(
        select(Campaign.id).where(Campaign.year < campaign.year).order_by(Campaign.year.desc()).limit(1)
    )


def _submissions_by_top(
    session: Session, campaign_id: int | None, all_ids: list[int], tops: dict[int, int]
) -> dict[int, list[SubmissionData]]:
    """The campaign's submissions of the given units, grouped under their top-level unit."""
    sub_cond = Submission.campaign_id.is_(None) if campaign_id is None else Submission.campaign_id == campaign_id
    subs: dict[int, list[SubmissionData]] = defaultdict(list)
    for r in session.execute(
        select(
            Submission.id, Submission.unit_id, Submission.form_kind, Submission.form_key, Submission.form,
            Submission.original_name, Submission.received_at, Submission.is_current, Submission.status,
        ).where(sub_cond, Submission.unit_id.in_(all_ids))
    ):
        subs[tops[r[1]]].append(SubmissionData(*r))
    return subs


def _entries_by_top(
    session: Session, campaign: Campaign | None, campaign_id: int | None, all_ids: list[int], tops: dict[int, int]
) -> tuple[dict[int, list[EntryData]], dict[int, list[EntryData]], dict[int, list[EntryData]]]:
    """Risk points, power-list rows and last campaign's risk points, grouped under their top-level unit."""
    entries: dict[int, list[EntryData]] = defaultdict(list)
    powers: dict[int, list[EntryData]] = defaultdict(list)  # power-list rows stored as entries
    for e in _entries(session, all_ids, campaign_id):
        (powers if e.form_kind == "power_list" else entries)[tops[e.unit_id]].append(e)
    previous: dict[int, list[EntryData]] = defaultdict(list)
    prev_id = _previous_campaign(session, campaign)
    if prev_id is not None:
        for e in _entries(session, all_ids, prev_id):
            if e.form_kind != "power_list":
                previous[tops[e.unit_id]].append(e)
    return entries, powers, previous


def _roster_by_top(
    session: Session, all_ids: list[int], tops: dict[int, int]
) -> tuple[dict[int, list[Leader]], dict[int, set[str]]]:
    """Leaders, and the departments other roster people belong to, grouped under their top-level unit."""
    leaders: dict[int, list[Leader]] = defaultdict(list)
    roster_departments: dict[int, set[str]] = defaultdict(set)
    for name, unit_id, position, department, is_leader in session.execute(
        select(Person.name, Person.unit_id, Person.position, Person.department, Person.is_leader).where(
            Person.unit_id.in_(all_ids)
        )
    ):
        if is_leader:
            leaders[tops[unit_id]].append(Leader(name, position, department))
        elif department:
            roster_departments[tops[unit_id]].add(department)
    return leaders, roster_departments


def load_contexts(
    session: Session, campaign_id: int | None, top_ids: list[int] | None, today: date
) -> list[UnitContext]:
    """Contexts for the given top-level units (None: every unit) of one campaign."""
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    tops = top_unit_ids(session)
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    wanted = set(top_ids) if top_ids is not None else {t for t in tops.values()}
    members: dict[int, list[int]] = defaultdict(list)
    for uid, top in tops.items():
        if top in wanted:
            members[top].append(uid)
    all_ids = [uid for ids in members.values() for uid in ids]

    subs = _submissions_by_top(session, campaign_id, all_ids, tops)
    entries, powers, previous = _entries_by_top(session, campaign, campaign_id, all_ids, tops)
    leaders, roster_departments = _roster_by_top(session, all_ids, tops)

    levels = _campaign_levels(session, campaign_id, tops)
    contexts = []
    for top in sorted(wanted):
        if top not in units:
            continue
        contexts.append(
            UnitContext(
                unit_id=top,
                unit_name=units[top],
                campaign_id=campaign_id,
                stages=list(campaign.stages or []) if campaign else [],
                owner_required=bool(campaign.owner_required) if campaign else False,
                departments={uid: units[uid] for uid in members[top] if uid != top},
                submissions=subs[top],
                entries=entries[top],
                powers=_powers(subs[top], powers[top]),
                leaders=leaders[top],
                roster_departments=roster_departments[top],
                previous_entries=previous[top],
                campaign_levels=levels,
                today=today,
            )
        )
    return contexts
