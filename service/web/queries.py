"""Read models for pages and the API: scoped queries that return plain dicts.

Both the HTML pages and /api/v1 call these, so a page and its API twin can never
disagree about what a user may see. Every query goes through `scoped()`; an id
outside the viewer's units reads as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import abort
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from service import labels
from service.documents import stored_path
from service.store import files
from service.store.campaigns import campaign_as_dict
from service.store.db import read_session
from service.store.entries import entry_as_dict, unit_names
from service.store.errors import NotFound
from service.store.ids import looks_like_id, parse_id
from service.store.models import Campaign, Entry, IssuedDocument, Submission, Unit
from service.store.scope import Viewer, scoped
from service.store.units import find_unit_or_none

MAX_PAGE = 10_000
# Counting stops here: "5000+ 条" is as useful as an exact figure and keeps big lists fast.
COUNT_CAP = 5_000


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int  # exact up to COUNT_CAP; beyond it, a lower bound (total_capped)
    has_next: bool = False

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP}+" if self.total_capped else str(self.total)

    @property
    def pages(self) -> int:
        return max(1, self.page + self.has_next, -(-min(self.total, COUNT_CAP) // self.per_page))

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "page": self.page, "per_page": self.per_page, "total": self.total,
                "total_capped": self.total_capped, "pages": self.pages, "has_next": self.has_next}


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything odd is page 1."""
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def _paginate(s: Session, stmt: Select, order: Any, page: int, per_page: int) -> tuple[list[int], int, bool]:
    """One page of ids, the count (capped at COUNT_CAP + 1) and whether another page follows."""
    capped = stmt.order_by(None).limit(COUNT_CAP + 1).subquery()
    total = s.scalar(select(func.count()).select_from(capped)) or 0
    orders = order if isinstance(order, tuple) else (order,)
    ids = list(s.scalars(stmt.order_by(*orders).limit(per_page + 1).offset((page - 1) * per_page)))
    return ids[:per_page], total, len(ids) > per_page


def _unit_ids(s: Session, viewer: Viewer, value: str | int | None) -> list[int] | None:
    """A unit filter given as id or name (`find_unit`'s rule, among the units the viewer sees): None when
    no filter was asked for, [] for a unit that is not there (nothing matches); 400 for a number no id can be."""
    if value in (None, ""):
        return None
    if looks_like_id(value) and parse_id(value) is None:
        abort(400, f"单位编号无效:{str(value)[:30]}")
    found = find_unit_or_none(s, value, viewer=viewer)
    return [found.id] if found is not None else []


def _submission_dict(sub: Submission, unit_names: dict[int, str], entry_count: int) -> dict[str, Any]:
    return {
        "id": sub.id,
        "unit_id": sub.unit_id,
        "unit": unit_names.get(sub.unit_id),
        "campaign_id": sub.campaign_id,
        "original_name": sub.original_name,
        "sha256": sub.sha256,
        "size": sub.size,
        "format": sub.format,
        "form_kind": sub.form_kind,
        "form": sub.form,
        "status": sub.status,
        "status_name": labels.status_name(sub.status),
        "error_code": sub.error_code,
        "error_message": sub.error_message,
        "is_current": sub.is_current,
        "review_state": sub.review_state,
        "needs_review": sub.needs_review,
        "entry_count": entry_count,
        "received_at": sub.received_at.isoformat(timespec="seconds") if sub.received_at else None,
        "warnings": list(sub.warnings or []),
    }


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def submissions(viewer: Viewer, *, unit: str | int | None = None, status: str | None = None,
                date_from: str | None = None, date_to: str | None = None,
                page: int = 1, per_page: int = 20) -> Page:
    with read_session() as s:
        stmt = scoped(select(Submission.id), Submission.unit_id, s, viewer)
        unit_ids = _unit_ids(s, viewer, unit)
        if unit_ids is not None:
            stmt = stmt.where(Submission.unit_id.in_(unit_ids))
        if status:
            stmt = stmt.where(Submission.status == status)
        if start := _parse_date(date_from):
            stmt = stmt.where(Submission.received_at >= datetime.combine(start, datetime.min.time()))
        if end := _parse_date(date_to):
            stmt = stmt.where(Submission.received_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
        ids, total, more = _paginate(s, stmt, Submission.id.desc(), page, per_page)
        subs = s.scalars(select(Submission).where(Submission.id.in_(ids)).order_by(Submission.id.desc())).all()
        counts = dict(s.execute(select(Entry.submission_id, func.count(Entry.id))
                                .where(Entry.submission_id.in_(ids)).group_by(Entry.submission_id)).all())
        names = unit_names(s, {x.unit_id for x in subs})
        return Page([_submission_dict(x, names, counts.get(x.id, 0)) for x in subs], page, per_page, total, more)


def _warning_row_key(location: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if not isinstance(location, dict) or location.get("row") is None:
        return None
    return (location.get("table"), location.get("sheet"), location.get("page"), location.get("row"))


def submission(viewer: Viewer, submission_id: int) -> dict[str, Any] | None:
    """One submission with its entries; each parse warning sits beside the row it names."""
    with read_session() as s:
        stmt = scoped(select(Submission), Submission.unit_id, s, viewer).where(Submission.id == submission_id)
        sub = s.scalar(stmt.options(selectinload(Submission.entries).selectinload(Entry.measures)))
        if sub is None:
            return None
        names = unit_names(s, {sub.unit_id})
        out = _submission_dict(sub, names, len(sub.entries))
        entries = [entry_as_dict(e, names) for e in sub.entries]
    by_row: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in entries:
        e["warnings"] = []
        src = e["source"]
        by_row.setdefault((src["table"], src["sheet"], src["page"], src["row"]), e)
        by_row.setdefault((None, None, None, src["row"]), e)
    general = []
    for w in out["warnings"]:
        key = _warning_row_key(w.get("location"))
        target = by_row.get(key) if key else None
        if target is None and key:
            target = by_row.get((None, None, None, key[3]))
        (target["warnings"] if target else general).append(w)
    out["entries"] = entries
    out["general_warnings"] = general
    return out


def original_file(viewer: Viewer, submission_id: int) -> tuple[str, str]:
    """(sha256, original name) of a visible submission's uploaded file; NotFound for another unit's too."""
    with read_session() as s:
        stmt = scoped(select(Submission.sha256, Submission.original_name), Submission.unit_id, s, viewer)
        row = s.execute(stmt.where(Submission.id == submission_id)).first()
    if row is None:
        raise NotFound("not_found", f"未找到报送材料:编号 {submission_id}")
    return row[0], row[1]


def original_bytes(viewer: Viewer, submission_id: int) -> tuple[bytes, str]:
    """The uploaded bytes and original name; a store that lost them is said so, not a bare 404."""
    sha256, name = original_file(viewer, submission_id)
    try:
        return files.get(sha256), name
    except FileNotFoundError:
        raise NotFound("file_missing", "原件文件已不在存储中,请联系管理员") from None


# 风险库 columns a user may sort by (?sort=KEY, ?desc=1), else the order the entries were read.
ENTRY_SORTS = {"unit": Entry.unit_id, "department": Entry.department, "position": Entry.position,
               "category": Entry.category,
               "level": case({"high": 0, "medium": 1, "low": 2}, value=Entry.level, else_=3)}


def entries(viewer: Viewer, *, unit: str | int | None = None, department: str | None = None,
            level: str | None = None, category: str | None = None, q: str | None = None,
            page: int = 1, per_page: int = 50, sort: str | None = None, descending: bool = False) -> Page:
    """Current entries in the order they were read (or sorted by a column): ids are paged, then loaded."""
    with read_session() as s:
        stmt = scoped(select(Entry.id).where(Entry.is_current.is_(True)), Entry.unit_id, s, viewer)
        unit_ids = _unit_ids(s, viewer, unit)
        if unit_ids is not None:
            stmt = stmt.where(Entry.unit_id.in_(unit_ids))
        if department:
            stmt = stmt.where(Entry.department == department.strip())
        if level:
            stmt = stmt.where(Entry.level == level)
        if category:
            stmt = stmt.where(Entry.category == category)
        if q and q.strip():
            pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(or_(*(col.like(pattern, escape="\\") for col in
                                    (Entry.risk, Entry.position, Entry.department, Entry.manifestation))))
        order: Any = Entry.id
        if sort in ENTRY_SORTS:
            column = ENTRY_SORTS[sort]
            order = (column.desc() if descending else column.asc(), Entry.id)
        ids, total, more = _paginate(s, stmt, order, page, per_page)
        by_id = {e.id: e for e in s.scalars(select(Entry).where(Entry.id.in_(ids))
                                           .options(selectinload(Entry.measures)))}
        rows = [by_id[i] for i in ids if i in by_id]
        names = unit_names(s, {e.unit_id for e in rows})
        return Page([entry_as_dict(e, names) for e in rows], page, per_page, total, more)


def units(viewer: Viewer) -> list[dict[str, Any]]:
    """The units (and departments) a viewer may act for, for selects."""
    with read_session() as s:
        stmt = scoped(select(Unit.id), Unit.id, s, viewer)
        ids = set(s.scalars(stmt))
        names = unit_names(s, ids)
        return sorted(({"id": i, "name": n} for i, n in names.items()), key=lambda u: u["name"])


def campaigns() -> list[dict[str, Any]]:
    with read_session() as s:
        rows = s.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
        return [campaign_as_dict(c) for c in rows]


def campaign_names() -> list[tuple[str, str]]:
    """(value, label) pairs for selects where campaigns are named (documents take the name)."""
    return [(c["name"], c["name"]) for c in campaigns()]


def documents(viewer: Viewer, *, page: int = 1, per_page: int = 20) -> Page:
    with read_session() as s:
        stmt = scoped(select(IssuedDocument.id), IssuedDocument.unit_id, s, viewer)
        ids, total, more = _paginate(s, stmt, IssuedDocument.id.desc(), page, per_page)
        docs = s.scalars(select(IssuedDocument).where(IssuedDocument.id.in_(ids)).order_by(IssuedDocument.id.desc())).all()
        names = unit_names(s, {d.unit_id for d in docs if d.unit_id})
        return Page([document_dict(d, names) for d in docs], page, per_page, total, more)


def document_dict(d: IssuedDocument, unit_names: dict[int, str]) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind, "number_text": d.number_text, "filename": d.filename,
            "unit_id": d.unit_id, "unit": unit_names.get(d.unit_id) if d.unit_id else None,
            "campaign_id": d.campaign_id, "params": d.params,
            "has_pdf": stored_path(d.id, d.filename).with_suffix(".pdf").is_file(),
            "created_at": d.created_at.isoformat(timespec="seconds") if d.created_at else None}


def document_path(viewer: Viewer, document_id: int) -> Path | None:
    """Where a visible generated document lies."""
    with read_session() as s:
        stmt = scoped(select(IssuedDocument.filename), IssuedDocument.unit_id, s, viewer)
        filename = s.scalar(stmt.where(IssuedDocument.id == document_id))
    return stored_path(document_id, filename) if filename else None
