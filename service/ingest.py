"""File → parse → store: the one way a submitted form enters the store.

Order matters: the bytes are stored first (nothing a unit submitted is ever lost, even
when it cannot be read), then parsed in a sandboxed child process, then written in ONE
transaction — submission, entries, measures, roster, audit log (and, unless the caller
defers it, the unit's audit findings) land together or not at all. A failure of any kind is
recorded as a failed submission, once for the same bytes failing the same way.

Versions: the same bytes for the same unit and campaign are a duplicate and add nothing.
Two files of the same form (same unit, campaign and `form_key`) are ordered by `replaces`,
never by which arrived first alone: the later 填表日期, else the later file time, else the
order received. The newer one is current; the older one's rows stay as history with
is_current=False and superseded_by_id naming the newer — also when the older file is the
one that arrives last, so two workers taking a batch's files in either order agree.

The form's own unit: a form that states a 填报单位 (or a 科室 of another unit) other than
the unit it is filed under is held (`SubmissionStatus.HELD`, 待确认), stored but not current,
until the office confirms it (it then takes its place among the versions as above) or
rejects it (`decide_held`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from parsers.errors import ParseError
from parsers.model import FormInfo, ParsedForm
from parsers.pool import MemoryPool
from parsers.sandbox import parse_isolated
from service.audit import audit_after_ingest
from service.config import settings
from service.errors import ServiceError
from service.store import files
from service.store.activity import Actor, record
from service.store.campaigns import find_campaign
from service.store.db import Lock, advisory_lock, read_session, write_session
from service.store.errors import NotFound
from service.store.models import (
    BatchItem,
    Entry,
    Measure,
    StoredFile,
    Submission,
    SubmissionStatus,
    Unit,
    utcnow,
)
from service.store.roster import add_people, people_from_form
from service.store.units import find_unit
from service.store.upsert import insert_or_ignore

log = logging.getLogger(__name__)

STORE_FAILED = ("store_failed", "保存解析结果时出错,文件原件已保存,请稍后重试或联系管理员")
INTERNAL_ERROR = ("internal_error", "处理文件时发生内部错误,文件原件已保存,请联系管理员")
UNIT_MISMATCH = "unit_mismatch"  # error_code of a held form: why it is held
DUPLICATE = "duplicate"  # IngestResult.status of bytes already stored for the unit and campaign


class HoldError(ServiceError):
    """A decision on a submission that is not (or no longer) held."""

    status = 409


@dataclass
class IngestResult:
    submission_id: int | None  # None only for a preview (`preview_file`)
    status: str  # a SubmissionStatus (parsed | failed | held | rejected) or DUPLICATE
    entry_count: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error_code: str | None = None  # a failure's code, or UNIT_MISMATCH for a held form
    error_message: str | None = None  # in Chinese: what failed, or why the form is held
    superseded_id: int | None = None  # the older version this one replaced
    superseded_name: str | None = None
    superseded_by_id: int | None = None  # the newer version that keeps this one from being current
    superseded_by_name: str | None = None
    parsed: ParsedForm | None = None

    @property
    def is_current(self) -> bool:
        return self.status == SubmissionStatus.PARSED and self.superseded_by_id is None


OnStored = Callable[[Session, IngestResult], None]


class Parser(Protocol):
    """What reads a file: its parsed form, or ParseError. `parse_sandboxed` in the service;
    tests pass a stand-in that reads contract JSON."""

    def __call__(self, data: bytes, filename: str, *, level_standard: dict[str, Any] | None) -> ParsedForm: ...


@dataclass(frozen=True)
class _Target:
    """Where a file goes, resolved once before parsing."""

    unit_id: int
    campaign_id: int | None
    level_standard: dict[str, Any] | None
    unit_name: str = ""
    own_names: frozenset[str] = frozenset()  # normalized: the unit (top level) and its departments
    top_name: str = ""  # normalized: the unit at the top level


@dataclass(frozen=True)
class Version:
    """What orders two files of one form (see `replaces`)."""

    submission_id: int | None  # None: just arriving, so received after every stored one
    filled_on: str | None  # the form's 填表日期, ISO
    modified: datetime | None  # the file's modification time (zip entry time); None for a web upload
    batch_id: int | None = None
    batch_seq: int | None = None  # the batch item's id: the order the batch found its files in


def file_time(path: Path) -> datetime:
    """A file's modification time as the store keeps it (naive UTC)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def replaces(new: Version, old: Version) -> bool:
    """Whether `new` is the later version of the form than `old`.

    The later 填表日期 when both have one, else the later file modification time, else the
    order received — within one batch the order its files were found in, never the order
    its workers happened to take them.
    """
    if new.filled_on and old.filled_on and new.filled_on != old.filled_on:
        return new.filled_on > old.filled_on
    if new.modified and old.modified and new.modified != old.modified:
        return new.modified > old.modified
    if new.batch_id is not None and new.batch_id == old.batch_id and new.batch_seq and old.batch_seq:
        return new.batch_seq > old.batch_seq
    if new.submission_id is None or old.submission_id is None:
        return new.submission_id is None
    return new.submission_id > old.submission_id


def normalize_name(name: str | None) -> str:
    """A unit or department name as compared: full-width folded, spaces and brackets dropped."""
    return re.sub(r"[\s()\[\]【】〔〕<>《》·.,、]", "", unicodedata.normalize("NFKC", name or ""))


def _names_match(stated: str, name: str) -> bool:
    """Equal, or one ends with the other (安澜县财政局 / 县财政局: the full name and the short one)."""
    return stated == name or (min(len(stated), len(name)) >= 2 and (stated.endswith(name) or name.endswith(stated)))


def _same_unit(stated: str, target: _Target) -> bool:
    """A stated 填报单位 names the unit when it is its name or a department's, or the unit's full or short name."""
    return stated in target.own_names or _names_match(stated, target.top_name)


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


def parse_sandboxed(data: bytes, filename: str, *, level_standard: dict[str, Any] | None = None) -> ParsedForm:
    """The service's `Parser`: `parsers.sandbox.parse_isolated` under the configured time limit,
    its memory budget reserved from the machine-wide pool."""
    config = settings()
    return parse_isolated(data, filename, level_standard=level_standard, timeout=config.parse_timeout,
                          pool=MemoryPool.machine(config.parse_memory_total_mb))


def _resolve(unit: str | int, campaign: str | int | None) -> _Target:
    with read_session() as s:
        unit_row = find_unit(s, unit)
        campaign_row = find_campaign(s, campaign)
        top_id = unit_row.parent_id or unit_row.id
        rows = s.execute(select(Unit.id, Unit.name).where((Unit.id == top_id) | (Unit.parent_id == top_id))).all()
        return _Target(
            unit_id=unit_row.id,
            campaign_id=campaign_row.id if campaign_row else None,
            level_standard=(campaign_row.level_standard or None) if campaign_row else None,
            unit_name=unit_row.name,
            own_names=frozenset(filter(None, (normalize_name(r.name) for r in rows))),
            top_name=next(normalize_name(r.name) for r in rows if r.id == top_id),
        )


def parse_for(data: bytes, filename: str, *, campaign: str | int | None,
              parser: Parser = parse_sandboxed) -> ParsedForm:
    """Parse a file as ingest would for `campaign` (its level standard), to hand back to `ingest_file`;
    raises ParseError, or NotFound for an unknown campaign."""
    with read_session() as s:
        campaign_row = find_campaign(s, campaign)
        standard = (campaign_row.level_standard or None) if campaign_row else None
    return parser(data, filename, level_standard=standard)


def _other_units_named(name: str, *, loose: bool) -> list[str]:
    """The known units or departments (as "单位/科室") named `name`; `loose` also takes a top-level
    unit's full or short name (a 填报单位), not only its exact name (a 科室)."""
    with read_session() as s:
        rows = s.execute(select(Unit.id, Unit.name, Unit.parent_id)).all()
    names = {r.id: r.name for r in rows}
    return [f"{names.get(r.parent_id, '')}/{r.name}" if r.parent_id else r.name for r in rows
            if normalize_name(r.name) == name
            or (loose and r.parent_id is None and _names_match(name, normalize_name(r.name)))]


def hold_reason(parsed: ParsedForm, target: _Target) -> str | None:
    """Why the form must wait for the office: it states another known unit than it is filed under.

    A 填报单位 or 科室 that names the unit, a department of it, or no unit the store knows
    holds nothing (forms name units in many ways; the office registers the ones it collects
    from, and a form naming one of those for another is what gets misfiled).
    """
    form = parsed.form
    for label, stated in (("填报单位", form.unit), ("科室", form.department)):
        name = normalize_name(stated)
        if not name or _same_unit(name, target):
            continue
        elsewhere = _other_units_named(name, loose=label == "填报单位")
        if elsewhere:
            where = "" if elsewhere == [stated.strip()] else f"(即“{'、'.join(elsewhere)}”)"
            return (f"表格填写的{label}“{stated.strip()}”{where}与上传时所属单位“{target.unit_name}”不一致,"
                    "已暂存为待确认,经纪检监察室确认后入库")
    return None


# The statements of the write transaction are built once: building a statement costs more
# than running it, and ingest runs a dozen of them while holding the database's one writer lock.
_sub = Submission.__table__
_LATEST = (  # the newest submission of the target's unit and campaign that …
    select(_sub.c.id)
    .where(_sub.c.unit_id == bindparam("unit_id"), _sub.c.campaign_id.is_not_distinct_from(bindparam("campaign_id")))
    .order_by(_sub.c.id.desc()).limit(1)
)
_DUPLICATE = _LATEST.where(_sub.c.status.in_((SubmissionStatus.PARSED, SubmissionStatus.HELD)),
                           _sub.c.sha256 == bindparam("sha256"))
_PREVIOUS = _LATEST.where(_sub.c.status == SubmissionStatus.PARSED, _sub.c.form_key == bindparam("form_key"),
                          _sub.c.is_current.is_(True))
_CURRENT_VERSION = (  # the current version of a form, with what orders it against another
    select(_sub.c.id, _sub.c.original_name, _sub.c.form, _sub.c.file_modified, _sub.c.batch_id)
    .where(_sub.c.id == _PREVIOUS.scalar_subquery())
)
_BATCH_SEQ = select(BatchItem.__table__.c.id).where(
    BatchItem.__table__.c.submission_id == bindparam("submission_id"),
    BatchItem.__table__.c.batch_id == bindparam("batch_id")).limit(1)
_SAME_FAILURE = _LATEST.where(_sub.c.status == SubmissionStatus.FAILED, _sub.c.sha256 == bindparam("sha256"),
                              _sub.c.error_code == bindparam("error_code"))
_INSERT_SUBMISSION = insert(_sub).returning(_sub.c.id)
_INSERT_ENTRIES = insert(Entry.__table__).returning(Entry.__table__.c.id, sort_by_parameter_order=True)
_INSERT_MEASURES = insert(Measure.__table__)
_SUPERSEDE = update(_sub).where(_sub.c.id == bindparam("previous")).values(
    is_current=False, superseded_by_id=bindparam("successor"))
_RETIRE_ENTRIES = update(Entry.__table__).where(Entry.__table__.c.submission_id == bindparam("previous")).values(
    is_current=False)


@dataclass(frozen=True)
class _Placement:
    """Where a version lands among the others of its form."""

    current: bool
    replaced: tuple[int, str] | None = None  # (id, file name) of the version it makes non-current
    kept_by: tuple[int, str] | None = None  # (id, file name) of the newer version that stays current


def _place(s: Session, unit_id: int, campaign_id: int | None, key: str, version: Version) -> _Placement:
    """Compare `version` with the current one of its form (under the unit's write lock)."""
    row = s.execute(_CURRENT_VERSION, {"unit_id": unit_id, "campaign_id": campaign_id, "form_key": key}).first()
    if row is None:
        return _Placement(current=True)
    other = Version(row.id, (row.form or {}).get("filled_on"), row.file_modified, row.batch_id)
    if version.batch_id is not None and version.batch_id == row.batch_id:
        other = Version(other.submission_id, other.filled_on, other.modified, other.batch_id,
                        s.execute(_BATCH_SEQ, {"submission_id": row.id, "batch_id": row.batch_id}).scalar())
    if replaces(version, other):
        return _Placement(current=True, replaced=(row.id, row.original_name))
    return _Placement(current=False, kept_by=(row.id, row.original_name))


def _apply_placement(s: Session, sub_id: int, placement: _Placement) -> None:
    if placement.replaced is not None:
        s.execute(_SUPERSEDE, {"previous": placement.replaced[0], "successor": sub_id})
        s.execute(_RETIRE_ENTRIES, {"previous": placement.replaced[0]})


def _find_duplicate(s: Session, target: _Target, sha256: str) -> int | None:
    """The newest parsed submission of these bytes for the target's unit and campaign."""
    return s.execute(_DUPLICATE, {"unit_id": target.unit_id, "campaign_id": target.campaign_id,
                                  "sha256": sha256}).scalar()


def _record_file(s: Session, sha256: str, size: int) -> None:
    """The stored_file row, once per content (the same bytes may arrive for several units)."""
    insert_or_ignore(s, StoredFile, {"sha256": sha256, "size": size, "created_at": utcnow()})


def _entry_values(parsed: ParsedForm, target: _Target) -> list[dict[str, Any]]:
    """The entries' rows, but for is_current (where the version lands decides it)."""
    return [
        {"unit_id": target.unit_id, "campaign_id": target.campaign_id, "ordinal": ordinal,
         "department": e.department, "position": e.position, "person": e.person, "duty": e.duty, "risk": e.risk,
         "manifestation": e.manifestation, "category": e.category, "category_label": e.category_label,
         "domain": e.domain, "level": e.level, "level_label": e.level_label, "owner": e.owner,
         "supervisor": e.supervisor, "deadline": e.deadline, "source_table": e.source.table,
         "source_sheet": e.source.sheet, "source_page": e.source.page, "source_row": e.source.row}
        for ordinal, e in enumerate(parsed.entries, start=1)
    ]


def _insert_entries(s: Session, parsed: ParsedForm, submission_id: int, values: list[dict[str, Any]]) -> None:
    """Entries and their measures as two multi-row INSERTs (the ORM's unit of work costs time per
    object, and it runs while this ingest holds the database's one writer lock)."""
    if not values:
        return
    ids = s.execute(_INSERT_ENTRIES, [{**v, "submission_id": submission_id} for v in values]).scalars().all()
    rows = [{"entry_id": entry_id, "ordinal": i, "text": m.text, "phase": m.phase, "owner": m.owner,
             "deadline": m.deadline}
            for entry_id, e in zip(ids, parsed.entries, strict=True) for i, m in enumerate(e.measures, start=1)]
    if rows:
        s.execute(_INSERT_MEASURES, rows)


def _log(s: Session, common: dict[str, Any], actor: str, action: str, submission_id: int, **details: Any) -> None:
    record(s, Actor(actor, common["uploader_id"]), action, "submission", submission_id,
           file=common["original_name"], **details)


def _insert_submission(s: Session, values: dict[str, Any]) -> int:
    return s.execute(_INSERT_SUBMISSION, values).scalar_one()


def _common(filename: str, sha256: str, size: int, target: _Target, uploader_id: int | None,
            batch_id: int | None, modified: datetime | None) -> dict[str, Any]:
    return {"campaign_id": target.campaign_id, "unit_id": target.unit_id, "uploader_id": uploader_id,
            "batch_id": batch_id, "original_name": filename, "sha256": sha256, "size": size,
            "file_modified": modified}


def _serialize_unit(s: Session, unit_id: int) -> None:
    """One ingest per unit at a time, so duplicate and version checks see each other."""
    advisory_lock(s, Lock.INGEST_UNIT, unit_id)


def _store_parsed(
    parsed: ParsedForm, common: dict[str, Any], target: _Target, actor: str, audit: bool, on_stored: OnStored | None,
    batch_seq: int | None,
) -> IngestResult:
    # Everything that needs no database is prepared before taking the writer lock.
    key = form_key(parsed, common["original_name"])
    warnings = [w.to_json() for w in parsed.warnings]
    form = asdict(parsed.form)
    if parsed.powers:  # a 职权目录: its powers stay with the form for the coverage audit
        form["powers"] = [p.to_json() for p in parsed.powers]
    held = hold_reason(parsed, target)
    submission = {**common, "format": parsed.format, "form_kind": parsed.form.kind, "form": form,
                  "form_key": key, "warnings": warnings, "needs_review": parsed.ocr, "parsed_at": utcnow()}
    if held:
        submission.update(status=SubmissionStatus.HELD, is_current=False, error_code=UNIT_MISMATCH,
                          error_message=held)
    entries = _entry_values(parsed, target)
    people = [] if held else people_from_form(parsed)
    version = Version(None, parsed.form.filled_on, common["file_modified"], common["batch_id"], batch_seq)
    with write_session() as s:
        _serialize_unit(s, target.unit_id)
        duplicate = _find_duplicate(s, target, common["sha256"])  # again: a concurrent twin may have won
        if duplicate is not None:
            return IngestResult(duplicate, DUPLICATE, warnings=warnings, parsed=parsed)
        _record_file(s, common["sha256"], common["size"])
        placement = (_Placement(current=False) if held
                     else _place(s, target.unit_id, target.campaign_id, key, version))
        if not held:
            submission.update(status=SubmissionStatus.PARSED, is_current=placement.current,
                              superseded_by_id=placement.kept_by and placement.kept_by[0])
        sub_id = _insert_submission(s, submission)
        _insert_entries(s, parsed, sub_id, [{**e, "is_current": placement.current} for e in entries])
        _apply_placement(s, sub_id, placement)
        add_people(s, target.unit_id, people, origin="form", submission_id=sub_id)
        _log(s, common, actor, "submission.held" if held else "submission.ingest", sub_id, entries=len(entries),
             superseded=placement.replaced and placement.replaced[0],
             superseded_by=placement.kept_by and placement.kept_by[0])
        if audit and not held:
            audit_after_ingest(s, sub_id)  # findings commit with the form they are about
        result = _result(sub_id, submission["status"], len(entries), warnings, placement,
                         error=(UNIT_MISMATCH, held) if held else None)
        result.parsed = parsed
        if on_stored is not None:
            on_stored(s, result)
        return result


def _result(sub_id: int | None, status: str, entry_count: int, warnings: list[dict[str, Any]], placement: _Placement,
            error: tuple[str, str] | None = None) -> IngestResult:
    replaced, kept_by = placement.replaced or (None, None), placement.kept_by or (None, None)
    return IngestResult(sub_id, status, entry_count, warnings, error_code=error and error[0],
                        error_message=error and error[1], superseded_id=replaced[0], superseded_name=replaced[1],
                        superseded_by_id=kept_by[0], superseded_by_name=kept_by[1])


def _store_failed(common: dict[str, Any], code: str, message: str, actor: str) -> IngestResult:
    """Record the failure, once: the same bytes failing the same way for the same unit and
    campaign again (a re-run batch) add no second row. The parse is still retried each time,
    so a file that failed for a missing converter goes in once the converter is there."""
    with write_session() as s:
        earlier = s.execute(_SAME_FAILURE, {"unit_id": common["unit_id"], "campaign_id": common["campaign_id"],
                                            "sha256": common["sha256"], "error_code": code}).scalar()
        if earlier is not None:
            return IngestResult(earlier, SubmissionStatus.FAILED, error_code=code, error_message=message)
        _record_file(s, common["sha256"], common["size"])
        sub_id = _insert_submission(s, {**common, "form_key": f"failed|file:{common['original_name']}",
                                        "status": SubmissionStatus.FAILED, "error_code": code,
                                        "error_message": message})
        _log(s, common, actor, "submission.failed", sub_id, error_code=code)
        return IngestResult(sub_id, SubmissionStatus.FAILED, error_code=code, error_message=message)


def _arrival(data: bytes, unit: str | int, campaign: str | int | None) -> tuple[_Target, str, int | None]:
    """Where a file goes, its sha256, and the submission that already holds these bytes there (if any)."""
    target = _resolve(unit, campaign)
    sha256 = files.sha256_hex(data)
    with read_session() as s:
        return target, sha256, _find_duplicate(s, target, sha256)


def _parse_or_failure(parser: Parser, data: bytes, filename: str, target: _Target) -> ParsedForm | tuple[str, str]:
    """The parsed form, or the (code, message) of why the file could not be read: never raises for a file."""
    try:
        return parser(data, filename, level_standard=target.level_standard)
    except ParseError as exc:
        return exc.code, exc.message
    except Exception:
        log.exception("parsing %s failed unexpectedly", filename)
        return INTERNAL_ERROR


def ingest_file(
    data: bytes,
    filename: str,
    *,
    unit: str | int,
    campaign: str | int | None = None,
    uploader_id: int | None = None,
    batch_id: int | None = None,
    batch_seq: int | None = None,
    modified: datetime | None = None,
    parser: Parser = parse_sandboxed,
    parsed: ParsedForm | None = None,
    actor: str = "cli",
    audit: bool = True,
    on_stored: OnStored | None = None,
) -> IngestResult:
    """Store, parse and record one file for `unit` in `campaign` (the latest when None).

    Raises service.store.errors.NotFound for an unknown unit or campaign (nothing is stored
    then); every problem with the file itself comes back as a failed result, never raised.
    A form stating another unit comes back `held` (see `hold_reason`). `modified` is the
    file's own time and `batch_seq` its place in its batch: both order versions (`replaces`).
    `parser` reads the file; `parsed` is the form already read by `parse_for` for this
    campaign (batch attribution reads the 填报单位 first), so it is not parsed twice.
    `audit=False` leaves the unit's re-audit to the caller (the web queues it:
    service.audit.background). `on_stored(session, result)` runs inside the transaction that
    stores a parsed file, so the caller's own record of it (a batch item's outcome) commits
    with it or not at all. `preview_file` says what this would do, writing nothing.
    """
    target, sha256, duplicate = _arrival(data, unit, campaign)
    if duplicate is not None:
        return IngestResult(duplicate, DUPLICATE)
    files.put(data)
    common = _common(filename, sha256, len(data), target, uploader_id, batch_id, modified)
    outcome = parsed if parsed is not None else _parse_or_failure(parser, data, filename, target)
    if isinstance(outcome, ParsedForm):
        outcome.sha256 = sha256
        try:
            return _store_parsed(outcome, common, target, actor, audit, on_stored, batch_seq)
        except Exception:
            log.exception("storing %s failed; recording the failure", filename)
            outcome = STORE_FAILED
    return _store_failed(common, *outcome, actor)


def preview_file(data: bytes, filename: str, *, unit: str | int, campaign: str | int | None = None,
                 modified: datetime | None = None, parser: Parser = parse_sandboxed) -> IngestResult:
    """What `ingest_file` would do with the file (a dry run), from a parse and reads only:
    nothing is written, not even the file. The result has no submission id; its `parsed`
    holds the form. Raises NotFound for an unknown unit or campaign, like `ingest_file`."""
    target, sha256, duplicate = _arrival(data, unit, campaign)
    if duplicate is not None:
        return IngestResult(duplicate, DUPLICATE)
    parsed = _parse_or_failure(parser, data, filename, target)
    if not isinstance(parsed, ParsedForm):
        return IngestResult(None, SubmissionStatus.FAILED, error_code=parsed[0], error_message=parsed[1])
    parsed.sha256 = sha256
    held = hold_reason(parsed, target)
    placement = _Placement(current=False)
    if not held:
        with read_session() as s:
            placement = _place(s, target.unit_id, target.campaign_id, form_key(parsed, filename),
                               Version(None, parsed.form.filled_on, modified))
    result = _result(None, SubmissionStatus.HELD if held else SubmissionStatus.PARSED, len(parsed.entries),
                     [w.to_json() for w in parsed.warnings], placement, error=(UNIT_MISMATCH, held) if held else None)
    result.parsed = parsed
    return result


def _form_of(sub: Submission) -> ParsedForm:
    """A stored submission back as the parsed form (its names go to the roster once confirmed)."""
    known = {f.name for f in fields(FormInfo)}
    entries = [{**{c: getattr(e, c) for c in ("department", "position", "person", "duty", "risk", "owner",
                                               "supervisor")},
                "measures": [{"text": m.text, "owner": m.owner} for m in e.measures]} for e in sub.entries]
    return ParsedForm.from_json({"file": sub.original_name, "format": sub.format or "",
                                 "form": {k: v for k, v in (sub.form or {}).items() if k in known},
                                 "entries": entries})


def decide_held(submission_id: int, *, confirm: bool, user_id: int | None = None, actor: str = "cli",
                audit: bool = True) -> IngestResult:
    """The office's decision on a held form: confirmed, it takes its place among the versions
    of its form like any new file (current unless a newer version is); rejected, it stays as
    history, never current. Raises NotFound for an unknown submission, HoldError if not held."""
    with write_session() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            raise NotFound("unknown_submission", f"提交记录不存在:{submission_id}")
        _serialize_unit(s, sub.unit_id)
        s.refresh(sub)
        if sub.status != SubmissionStatus.HELD:
            raise HoldError("not_held", "该提交不是待确认状态,无需确认或拒绝")
        common = {"uploader_id": user_id, "original_name": sub.original_name}
        count = len(sub.entries)
        if not confirm:
            sub.status = SubmissionStatus.REJECTED
            _log(s, common, actor, "submission.reject", sub.id)
            return IngestResult(sub.id, SubmissionStatus.REJECTED, count, error_code=sub.error_code,
                                error_message=sub.error_message)
        seq = s.execute(_BATCH_SEQ, {"submission_id": sub.id, "batch_id": sub.batch_id}).scalar()
        version = Version(sub.id, (sub.form or {}).get("filled_on"), sub.file_modified, sub.batch_id, seq)
        placement = _place(s, sub.unit_id, sub.campaign_id, sub.form_key or "", version)
        sub.status, sub.error_code, sub.error_message = SubmissionStatus.PARSED, None, None
        sub.is_current, sub.superseded_by_id = placement.current, placement.kept_by and placement.kept_by[0]
        for entry in sub.entries:
            entry.is_current = placement.current
        s.flush()
        _apply_placement(s, sub.id, placement)
        add_people(s, sub.unit_id, people_from_form(_form_of(sub)), origin="form", submission_id=sub.id)
        _log(s, common, actor, "submission.confirm", sub.id, superseded=placement.replaced and placement.replaced[0],
             superseded_by=placement.kept_by and placement.kept_by[0])
        if audit:
            audit_after_ingest(s, sub.id)
        return _result(sub.id, SubmissionStatus.PARSED, count, list(sub.warnings or []), placement)
