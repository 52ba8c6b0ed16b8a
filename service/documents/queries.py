"""Store reads for documents: campaigns, units and entries as plain dicts, limited to the viewer.

Entries and measures are read with two column queries (not ORM objects) so a 50,000-entry
ledger stays fast and small; every read of unit data goes through service.store.scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.documents.errors import DocumentError
from service.store.campaigns import find_campaign
from service.store.errors import NotFound
from service.store.models import Campaign, Entry, Measure, Person, Submission, Unit
from service.store.scope import Viewer, visible_unit_ids
from service.store.units import find_unit_or_none, unknown_message

ENTRY_FIELDS = (
    "department", "position", "person", "duty", "risk", "manifestation", "category", "category_label",
    "domain", "level", "level_label", "owner", "supervisor", "deadline",
)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a document covers: the campaign (may be None), the unit (None = all units visible)."""

    campaign: Campaign | None
    unit: Unit | None
    unit_ids: list[int] | None  # None: every unit

    @property
    def year(self) -> int:
        return self.campaign.year if self.campaign else date.today().year

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else "各单位"


def campaign(session: Session, name: str | None) -> Campaign | None:
    """The named campaign, else the latest; None only when no campaign exists and none was named."""
    try:
        return find_campaign(session, name or None)
    except NotFound:
        raise DocumentError("campaign_not_found", f"未找到工作任务(campaign):{name}") from None


def unit(session: Session, viewer: Viewer, name: str | int | None) -> Unit | None:
    """The named unit if the viewer may see it (`find_unit`'s rule); a unit user's own by default.
    A unit no record answers to is a wrong parameter of the request (DocumentError, 422), not a missing page."""
    if name is None or name == "":
        if viewer.is_admin or viewer.unit_id is None:
            return None
        return session.get(Unit, viewer.unit_id)
    found = find_unit_or_none(session, name, viewer=viewer)
    if found is None:
        raise DocumentError("unknown_unit", unknown_message(name))
    return found


def scope(session: Session, viewer: Viewer, params: dict[str, Any]) -> Scope:
    c = campaign(session, params.get("campaign"))
    u = unit(session, viewer, params.get("unit"))
    if u is None:
        return Scope(c, None, visible_unit_ids(session, viewer))
    children = session.scalars(select(Unit.id).where(Unit.parent_id == u.id)).all()
    return Scope(c, u, [u.id, *children])


def stage(c: Campaign | None, name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    for s in (c.stages if c else []) or []:
        if s.get("name") == name:
            return s
    raise DocumentError("stage_not_found", f"工作任务中没有阶段:{name}")


def _filtered(stmt: Select, sc: Scope, *, department: str | None = None, person: str | None = None,
              position: str | None = None, period: tuple[date, date] | None = None) -> Select:
    stmt = stmt.where(Entry.is_current.is_(True))
    if sc.unit_ids is not None:
        stmt = stmt.where(Entry.unit_id.in_(sc.unit_ids))
    if sc.campaign is not None:
        stmt = stmt.where(Entry.campaign_id == sc.campaign.id)
    if department:
        stmt = stmt.where(Entry.department == department)
    if person:
        stmt = stmt.where(Entry.person == person)
    if position:
        stmt = stmt.where(Entry.position == position)
    if period:
        stmt = stmt.join(Submission, Submission.id == Entry.submission_id).where(
            Submission.received_at >= datetime.combine(period[0], time.min),
            Submission.received_at <= datetime.combine(period[1], time.max),
        )
    return stmt


def entries(session: Session, sc: Scope, **filters: Any) -> list[dict[str, Any]]:
    """Current entries in scope, in document order, each with its `measures` list."""
    cols = [Entry.id, Entry.unit_id, *(getattr(Entry, f) for f in ENTRY_FIELDS)]
    rows = session.execute(
        _filtered(select(*cols), sc, **filters).order_by(Entry.unit_id, Entry.submission_id, Entry.ordinal)
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = dict(row._mapping)
        item["measures"] = []
        out[item["id"]] = item
    measures = _filtered(
        select(Measure.entry_id, Measure.text, Measure.phase, Measure.owner, Measure.deadline)
        .join(Entry, Entry.id == Measure.entry_id), sc, **filters,
    ).order_by(Measure.entry_id, Measure.ordinal)
    for m in session.execute(measures):
        if m.entry_id in out:
            out[m.entry_id]["measures"].append(
                {"text": m.text, "phase": m.phase, "owner": m.owner, "deadline": m.deadline})
    return list(out.values())


def leaders(session: Session, sc: Scope) -> list[dict[str, Any]]:
    """The roster's leaders (Person.is_leader) of the scope's units, in entry order."""
    stmt = select(Person.name, Person.position, Person.department).where(Person.is_leader.is_(True))
    if sc.unit_ids is not None:
        stmt = stmt.where(Person.unit_id.in_(sc.unit_ids))
    return [dict(r._mapping) for r in session.execute(stmt.order_by(Person.id))]


def roster(session: Session, sc: Scope) -> list[dict[str, Any]]:
    """Every person of the scope's units (leaders first), as the roster has them."""
    stmt = select(Person.name, Person.position, Person.department, Person.is_leader)
    if sc.unit_ids is not None:
        stmt = stmt.where(Person.unit_id.in_(sc.unit_ids))
    return [dict(r._mapping) for r in session.execute(stmt.order_by(Person.is_leader.desc(), Person.id))]


def departments(session: Session, sc: Scope) -> list[str]:
    """Departments registered as sub-units of the scope's unit (those expected to report)."""
    if sc.unit is None:
        return []
    return list(session.scalars(select(Unit.name).where(Unit.parent_id == sc.unit.id).order_by(Unit.id)))


def units_expected(session: Session, sc: Scope) -> int:
    """Top-level units in scope (those expected to report) when the document covers all units."""
    if sc.unit is not None:
        return 0
    stmt = select(Unit.id).where(Unit.parent_id.is_(None))
    if sc.unit_ids is not None:
        stmt = stmt.where(Unit.id.in_(sc.unit_ids))
    return len(session.scalars(stmt).all())


def measures_text(measures: list[dict[str, Any]]) -> str:
    """Measures numbered 1、2、 one per line: how forms write them and how the parser reads them."""
    return "\n".join(f"{i}、{m['text']}" for i, m in enumerate(measures, 1))


def unit_names_stmt() -> Select:
    return select(Unit.id, Unit.name)
