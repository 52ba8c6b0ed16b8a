"""File → parse → store: the one way a submitted form enters the store.

Order matters: the bytes are stored first (nothing a unit submitted is ever lost, even
when it cannot be read), then parsed in a sandboxed child process, then written in ONE
transaction — submission, entries, measures, roster, audit log (and, unless the caller
defers it, the unit's audit findings) land together or not at all. A failure of any kind is
recorded as a failed submission, once for the same bytes failing the same way.

Versions: the same bytes for the same unit and campaign are a duplicate and add nothing;
a new file for the same form (same unit, campaign and `form_key`) supersedes the older
version, whose rows stay as history with is_current=False.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from parsers.errors import ParseError
from parsers.model import ParsedForm
from parsers.pool import MemoryPool
from parsers.sandbox import parse_isolated
from service.audit import audit_after_ingest
from service.config import settings
from service.store import files
from service.store.campaigns import find_campaign
from service.store.db import read_session, write_session
from service.store.models import AuditLog, Entry, Measure, StoredFile, Submission, utcnow
from service.store.roster import add_people, people_from_form
from service.store.units import find_unit
from service.store.upsert import insert_or_ignore

log = logging.getLogger(__name__)

STORE_FAILED = ("store_failed", "保存解析结果时出错,文件原件已保存,请稍后重试或联系管理员")
INTERNAL_ERROR = ("internal_error", "处理文件时发生内部错误,文件原件已保存,请联系管理员")
ADVISORY_SPACE = 0x1F1A  # the advisory-lock namespace of ingest (PostgreSQL)


@dataclass
class IngestResult:
    submission_id: int | None  # None only for a dry run
    status: str  # parsed | failed | duplicate
    entry_count: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    superseded_id: int | None = None
    parsed: ParsedForm | None = None


OnStored = Callable[[Session, IngestResult], None]


@dataclass(frozen=True)
class _Target:
    """Where a file goes, resolved once before parsing."""

    unit_id: int
    campaign_id: int | None
    level_standard: dict[str, Any] | None


def form_key(parsed: ParsedForm, filename: str) -> str:
    """Which form a file is a version of: kind + department + person, else the file name.

    The person counts only on an individual form (its entries carry the 姓名): on a
    department form `form.person` is whoever filled it in, and a revision may be filled
    in by someone else without becoming another form.
    """
    form = parsed.form
    person = form.person if form.person and any(e.person == form.person for e in parsed.entries) else None
    if form.department or person:
        return f"{form.kind}|{form.department or ''}|{person or ''}"
    return f"{form.kind}|file:{filename}"


def _parse(data: bytes, filename: str, level_standard: dict[str, Any] | None) -> ParsedForm:
    config = settings()
    return parse_isolated(data, filename, level_standard=level_standard, timeout=config.parse_timeout,
                          pool=MemoryPool.machine(config.parse_memory_total_mb))


def _resolve(unit: str | int, campaign: str | int | None) -> _Target:
    with read_session() as s:
        unit_row = find_unit(s, unit)
        campaign_row = find_campaign(s, campaign)
        return _Target(
            unit_id=unit_row.id,
            campaign_id=campaign_row.id if campaign_row else None,
            level_standard=(campaign_row.level_standard or None) if campaign_row else None,
        )


# The statements of the write transaction are built once: building a statement costs
# ~0.1 ms, and ingest runs a dozen of them while holding the database's one writer lock.
_sub = Submission.__table__
_LATEST = (  # the newest submission of the target's unit and campaign that …
    select(_sub.c.id)
    .where(_sub.c.unit_id == bindparam("unit_id"), _sub.c.campaign_id.is_not_distinct_from(bindparam("campaign_id")))
    .order_by(_sub.c.id.desc()).limit(1)
)
_DUPLICATE = _LATEST.where(_sub.c.status == "parsed", _sub.c.sha256 == bindparam("sha256"))
_PREVIOUS = _LATEST.where(_sub.c.status == "parsed", _sub.c.form_key == bindparam("form_key"),
                          _sub.c.is_current.is_(True))
_SAME_FAILURE = _LATEST.where(_sub.c.status == "failed", _sub.c.sha256 == bindparam("sha256"),
                              _sub.c.error_code == bindparam("error_code"))
_INSERT_SUBMISSION = insert(_sub).returning(_sub.c.id)
_INSERT_ENTRIES = insert(Entry.__table__).returning(Entry.__table__.c.id, sort_by_parameter_order=True)
_INSERT_MEASURES = insert(Measure.__table__)
_INSERT_LOG = insert(AuditLog.__table__)
_SUPERSEDE = update(_sub).where(_sub.c.id == bindparam("previous")).values(
    is_current=False, superseded_by_id=bindparam("successor"))
_RETIRE_ENTRIES = update(Entry.__table__).where(Entry.__table__.c.submission_id == bindparam("previous")).values(
    is_current=False)


def _find_duplicate(s: Session, target: _Target, sha256: str) -> int | None:
    """The newest parsed submission of these bytes for the target's unit and campaign."""
    return s.execute(_DUPLICATE, {"unit_id": target.unit_id, "campaign_id": target.campaign_id,
                                  "sha256": sha256}).scalar()


def _find_previous(s: Session, target: _Target, key: str) -> int | None:
    """The current version of the same form (see `form_key`) for the target's unit and campaign."""
    return s.execute(_PREVIOUS, {"unit_id": target.unit_id, "campaign_id": target.campaign_id,
                                 "form_key": key}).scalar()


def _record_file(s: Session, sha256: str, size: int) -> None:
    """The stored_file row, once per content (the same bytes may arrive for several units)."""
    insert_or_ignore(s, StoredFile, {"sha256": sha256, "size": size, "created_at": utcnow()})


def _entry_values(parsed: ParsedForm, target: _Target) -> list[dict[str, Any]]:
    return [
        {"unit_id": target.unit_id, "campaign_id": target.campaign_id, "is_current": True, "ordinal": ordinal,
         "department": e.department, "position": e.position, "person": e.person, "duty": e.duty, "risk": e.risk,
         "manifestation": e.manifestation, "category": e.category, "category_label": e.category_label,
         "domain": e.domain, "level": e.level, "level_label": e.level_label, "owner": e.owner,
         "supervisor": e.supervisor, "deadline": e.deadline, "source_table": e.source.table,
         "source_sheet": e.source.sheet, "source_page": e.source.page, "source_row": e.source.row}
        for ordinal, e in enumerate(parsed.entries, start=1)
    ]


def _insert_entries(s: Session, parsed: ParsedForm, submission_id: int, values: list[dict[str, Any]]) -> None:
    """Entries and their measures as two multi-row INSERTs (the ORM's unit of work costs
    ~0.2 ms an object, and it runs while this ingest holds the database's one writer lock)."""
    if not values:
        return
    ids = s.execute(_INSERT_ENTRIES, [{**v, "submission_id": submission_id} for v in values]).scalars().all()
    rows = [{"entry_id": entry_id, "ordinal": i, "text": m.text, "phase": m.phase, "owner": m.owner,
             "deadline": m.deadline}
            for entry_id, e in zip(ids, parsed.entries, strict=True) for i, m in enumerate(e.measures, start=1)]
    if rows:
        s.execute(_INSERT_MEASURES, rows)


def _log(s: Session, common: dict[str, Any], actor: str, action: str, submission_id: int, **details: Any) -> None:
    s.execute(_INSERT_LOG, {
        "at": utcnow(), "user_id": common["uploader_id"], "actor": actor, "action": action,
        "object_type": "submission", "object_id": submission_id,
        "details": {"file": common["original_name"], **details}})


def _insert_submission(s: Session, values: dict[str, Any]) -> int:
    return s.execute(_INSERT_SUBMISSION, values).scalar_one()


def _common(filename: str, sha256: str, size: int, target: _Target, uploader_id: int | None,
            batch_id: int | None) -> dict[str, Any]:
    return {"campaign_id": target.campaign_id, "unit_id": target.unit_id, "uploader_id": uploader_id,
            "batch_id": batch_id, "original_name": filename, "sha256": sha256, "size": size}


def _serialize_unit(s: Session, unit_id: int) -> None:
    """One ingest per unit at a time, so duplicate and version checks see each other.

    SQLite already serializes writers (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock on the unit.
    """
    if s.bind.dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:space, :unit)"), {"space": ADVISORY_SPACE, "unit": unit_id})


def _store_parsed(
    parsed: ParsedForm, common: dict[str, Any], target: _Target, actor: str, audit: bool, on_stored: OnStored | None
) -> IngestResult:
    # Everything that needs no database is prepared before taking the writer lock.
    key = form_key(parsed, common["original_name"])
    warnings = [w.to_json() for w in parsed.warnings]
    form = asdict(parsed.form)
    if parsed.powers:  # a 职权目录: its powers stay with the form for the coverage audit
        form["powers"] = [p.to_json() for p in parsed.powers]
    submission = {**common, "format": parsed.format, "form_kind": parsed.form.kind, "form": form,
                  "form_key": key, "status": "parsed", "warnings": warnings, "needs_review": parsed.ocr,
                  "parsed_at": utcnow()}
    entries = _entry_values(parsed, target)
    people = people_from_form(parsed)
    with write_session() as s:
        _serialize_unit(s, target.unit_id)
        duplicate = _find_duplicate(s, target, common["sha256"])  # again: a concurrent twin may have won
        if duplicate is not None:
            return IngestResult(duplicate, "duplicate", warnings=warnings, parsed=parsed)
        _record_file(s, common["sha256"], common["size"])
        previous = _find_previous(s, target, key)
        sub_id = _insert_submission(s, submission)
        _insert_entries(s, parsed, sub_id, entries)
        if previous is not None:
            s.execute(_SUPERSEDE, {"previous": previous, "successor": sub_id})
            s.execute(_RETIRE_ENTRIES, {"previous": previous})
        add_people(s, target.unit_id, people, origin="form", submission_id=sub_id)
        _log(s, common, actor, "submission.ingest", sub_id, entries=len(entries), superseded=previous)
        if audit:
            audit_after_ingest(s, sub_id)  # findings commit with the form they are about
        result = IngestResult(sub_id, "parsed", len(entries), warnings, superseded_id=previous, parsed=parsed)
        if on_stored is not None:
            on_stored(s, result)
        return result


def _store_failed(common: dict[str, Any], code: str, message: str, actor: str) -> IngestResult:
    """Record the failure, once: the same bytes failing the same way for the same unit and
    campaign again (a re-run batch) add no second row. The parse is still retried each time,
    so a file that failed for a missing converter goes in once the converter is there."""
    with write_session() as s:
        earlier = s.execute(_SAME_FAILURE, {"unit_id": common["unit_id"], "campaign_id": common["campaign_id"],
                                            "sha256": common["sha256"], "error_code": code}).scalar()
        if earlier is not None:
            return IngestResult(earlier, "failed", error_code=code, error_message=message)
        _record_file(s, common["sha256"], common["size"])
        sub_id = _insert_submission(s, {**common, "form_key": f"failed|file:{common['original_name']}",
                                        "status": "failed", "error_code": code, "error_message": message})
        _log(s, common, actor, "submission.failed", sub_id, error_code=code)
        return IngestResult(sub_id, "failed", error_code=code, error_message=message)


def ingest_file(
    data: bytes,
    filename: str,
    *,
    unit: str | int,
    campaign: str | int | None = None,
    uploader_id: int | None = None,
    batch_id: int | None = None,
    dry_run: bool = False,
    actor: str = "cli",
    audit: bool = True,
    on_stored: OnStored | None = None,
) -> IngestResult:
    """Store, parse and record one file for `unit` in `campaign` (the latest when None).

    Raises service.store.errors.NotFound for an unknown unit or campaign (nothing is stored
    then); every problem with the file itself comes back as a failed result, never raised.
    `dry_run` parses and reports what would happen, writing nothing at all. `audit=False`
    leaves the unit's re-audit to the caller (the web queues it: service.audit.background).
    `on_stored(session, result)` runs inside the transaction that stores a parsed file, so
    the caller's own record of it (a batch item's outcome) commits with it or not at all.
    """
    target = _resolve(unit, campaign)
    sha256 = files.sha256_hex(data)
    with read_session() as s:
        duplicate = _find_duplicate(s, target, sha256)
    if duplicate is not None:
        return IngestResult(duplicate, "duplicate")
    if not dry_run:
        files.put(data)
    common = _common(filename, sha256, len(data), target, uploader_id, batch_id)
    try:
        parsed = _parse(data, filename, target.level_standard)
    except ParseError as exc:
        failure = (exc.code, exc.message)
    except Exception:
        log.exception("parsing %s failed unexpectedly", filename)
        failure = INTERNAL_ERROR
    else:
        parsed.sha256 = sha256
        if dry_run:
            with read_session() as s:
                previous = _find_previous(s, target, form_key(parsed, filename))
            return IngestResult(None, "parsed", len(parsed.entries), [w.to_json() for w in parsed.warnings],
                                superseded_id=previous, parsed=parsed)
        try:
            return _store_parsed(parsed, common, target, actor, audit, on_stored)
        except Exception:
            log.exception("storing %s failed; recording the failure", filename)
            failure = STORE_FAILED
    if dry_run:
        return IngestResult(None, "failed", error_code=failure[0], error_message=failure[1])
    return _store_failed(common, *failure, actor)
