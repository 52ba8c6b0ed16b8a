"""Batch and BatchItem rows: the database is the one truth about every file's state.

An item moves queued → running → done | failed. `claim` is the only way into running
and bumps `attempts`; `finish` only lands when the item is still running under that
same attempt, so a runner presumed dead that wakes up late cannot overwrite a retry.
Items orphaned in `running` (a killed worker) go back to `queued` via `requeue_orphans`.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.orm import Session

from service.batch.attribute import UNIT_UNKNOWN, UNIT_UNKNOWN_MESSAGES, unit_for
from service.batch.discover import Found, filename_of
from service.config import settings
from service.store import files
from service.store.campaigns import find_campaign
from service.store.db import read_session, write_session
from service.store.models import (
    Batch,
    BatchItem,
    BatchItemStatus,
    Entry,
    Submission,
    SubmissionStatus,
    utcnow,
)

STATUSES = tuple(BatchItemStatus)
OPEN = (BatchItemStatus.QUEUED, BatchItemStatus.RUNNING)
DUPLICATE = "duplicate"  # error_code of a done item whose bytes were already stored by another upload
DUPLICATE_MESSAGE = "与已入库的文件内容相同,未重复入库"
HELD = str(SubmissionStatus.HELD)  # counts: done items whose form waits as 待确认
CRASHED_MESSAGE = "处理该文件的进程多次异常终止,已放弃处理,请检查文件后单独上传"
MAX_ATTEMPTS = 3  # runs of one item that may die (killed worker, crash) before it is failed
INSERT_CHUNK = 50  # items per write transaction while adding a folder; runners start after two


@dataclass(frozen=True, slots=True)
class Claim:
    """What a runner needs to process one item, taken under one attempt."""

    item_id: int
    batch_id: int
    path: str
    sha256: str
    unit_name: str | None
    unit_from: str
    campaign_id: int | None
    created_by: int | None
    attempt: int
    modified: datetime | None = None  # the file's own modification time (a zip member's entry time)

    @property
    def filename(self) -> str:
        return filename_of(self.path)


def campaign_id_for(campaign: str | int | None) -> int | None:
    """Pin the batch to one campaign (the latest when None); NotFound for an unknown one."""
    with read_session() as s:
        found = find_campaign(s, int(campaign) if str(campaign).isdigit() else campaign)
        return found.id if found else None


def open_batch(
    source: str, *, unit_from: str, mode: str, campaign_id: int | None, created_by: int | None = None
) -> tuple[int, bool]:
    """The unfinished batch of this source to resume, else a new one: (batch id, resumed)."""
    with write_session() as s:
        existing = s.scalar(
            select(Batch)
            .where(Batch.source == source, Batch.unit_from == unit_from, Batch.finished_at.is_(None))
            .order_by(Batch.id.desc())
        )
        if existing is not None:
            existing.mode = mode
            return existing.id, True
        batch = Batch(source=source, unit_from=unit_from, mode=mode, campaign_id=campaign_id, created_by=created_by)
        s.add(batch)
        s.flush()
        return batch.id, False


def add_items(
    batch_id: int,
    found: Iterable[Found],
    *,
    unit_from: str,
    pattern: re.Pattern[str],
    on_added: Callable[[list[int]], Any] | None = None,
) -> int:
    """Record every file found, storing its bytes; paths already in the batch are skipped.

    Rows go in by chunks. `on_added` is handed each chunk's queued ids once the next chunk
    is in (the last at the end), so runners start on a big folder while the rest of it is
    still being stored, and the batch never looks finished before its last file is recorded.
    """
    with read_session() as s:
        known = set(s.scalars(select(BatchItem.path).where(BatchItem.batch_id == batch_id)))
    fresh = (_new_item(batch_id, f, unit_from, pattern) for f in _unseen(found, known))
    added = 0
    waiting: list[int] = []  # recorded ids not yet handed on: the next chunk goes in first
    while chunk := list(itertools.islice(fresh, INSERT_CHUNK)):
        ids = _insert(batch_id, chunk)
        added += len(chunk)
        if on_added is not None and waiting:
            on_added(waiting)
        waiting = ids
    if on_added is not None and waiting:
        on_added(waiting)
    return added


def _unseen(found: Iterable[Found], known: set[str]) -> Iterator[Found]:
    for f in found:
        if f.path not in known:
            known.add(f.path)
            yield f


def _new_item(batch_id: int, f: Found, unit_from: str, pattern: re.Pattern[str]) -> BatchItem:
    unit = unit_for(f.folders, f.filename, unit_from, pattern)
    item = BatchItem(batch_id=batch_id, path=f.path, sha256="", unit_name=unit, status=BatchItemStatus.QUEUED,
                     file_modified=f.modified)
    if f.data is not None:
        item.sha256 = files.put(f.data)
    if f.error_code:
        item.status, item.error_code, item.error_message = BatchItemStatus.FAILED, f.error_code, f.error_message
    elif unit is None and unit_from != "form":
        item.status, item.error_code = BatchItemStatus.FAILED, UNIT_UNKNOWN
        item.error_message = UNIT_UNKNOWN_MESSAGES[unit_from]
    return item


def _insert(batch_id: int, items: list[BatchItem]) -> list[int]:
    """Insert the rows, reopening the batch in the same transaction (a runner may have just
    finished its earlier files); the ids of the queued ones."""
    with write_session() as s:
        s.add_all(items)
        s.execute(update(Batch).where(Batch.id == batch_id).values(finished_at=None, audited_at=None))
        s.flush()
        return [item.id for item in items if item.status == BatchItemStatus.QUEUED]


def queued_ids(batch_id: int) -> list[int]:
    with read_session() as s:
        return list(
            s.scalars(
                select(BatchItem.id)
                .where(BatchItem.batch_id == batch_id, BatchItem.status == BatchItemStatus.QUEUED)
                .order_by(BatchItem.id)
            )
        )


# Built once: claiming and recording run under the one writer lock, `record` inside ingest's transaction.
_items, _batches = BatchItem.__table__, Batch.__table__
_CLAIM = (
    update(_items)
    .where(_items.c.id == bindparam("item_id"), _items.c.status == BatchItemStatus.QUEUED)
    .values(status=BatchItemStatus.RUNNING, attempts=_items.c.attempts + 1, updated_at=bindparam("now"))
    .returning(_items.c.batch_id, _items.c.path, _items.c.sha256, _items.c.unit_name, _items.c.attempts,
               _items.c.file_modified)
)
_RECORD = (
    update(_items)
    .where(_items.c.id == bindparam("item_id"), _items.c.status == BatchItemStatus.RUNNING,
           _items.c.attempts == bindparam("attempt"))
    .values(status=bindparam("new_status"), submission_id=bindparam("submission_id"),
            entry_count=bindparam("entry_count"), error_code=bindparam("error_code"),
            error_message=bindparam("error_message"), updated_at=bindparam("updated_at"),
            unit_name=func.coalesce(bindparam("unit_name", type_=String), _items.c.unit_name))
)
# Lock the batch first: on PostgreSQL two runners finishing the last two items would
# otherwise each still see the other's item open, and neither would close the batch.
_LOCK_BATCH = select(_batches.c.id).where(_batches.c.id == bindparam("batch_id")).with_for_update()
_STILL_OPEN = select(_items.c.id).where(_items.c.batch_id == bindparam("batch_id"), _items.c.status.in_(OPEN)).limit(1)
_CLOSE = update(_batches).where(_batches.c.id == bindparam("batch_id"), _batches.c.finished_at.is_(None)).values(
    finished_at=bindparam("now"))


def claim(item_id: int) -> Claim | None:
    """Move a queued item to running under a new attempt; None if it is not queued.

    One conditional UPDATE … RETURNING under the writer lock; the batch's settings, which
    never change, are read after it.
    """
    with write_session() as s:
        row = s.execute(_CLAIM, {"item_id": item_id, "now": utcnow()}).first()
    if row is None:
        return None
    unit_from, campaign_id, created_by = _batch_settings(settings().database_url, row.batch_id)
    return Claim(
        item_id=item_id,
        batch_id=row.batch_id,
        path=row.path,
        sha256=row.sha256,
        unit_name=row.unit_name,
        unit_from=unit_from,
        campaign_id=campaign_id,
        created_by=created_by,
        attempt=row.attempts,
        modified=row.file_modified,
    )


class Recorded(enum.IntEnum):
    """What recording an outcome did; falsy when another attempt has taken the item since."""

    STALE = 0
    DONE = 1
    CLOSED_BATCH = 2  # and it was the batch's last open item: the batch is finished


@functools.lru_cache(maxsize=64)
def _batch_settings(_database: str, batch_id: int) -> tuple[str, int | None, int | None]:
    """(unit_from, campaign_id, created_by) of a batch: fixed when it is opened, read once per
    process and database."""
    with read_session() as s:
        return tuple(s.execute(
            select(Batch.unit_from, Batch.campaign_id, Batch.created_by).where(Batch.id == batch_id)
        ).one())


def finish(claim: Claim, status: BatchItemStatus, **outcome: Any) -> Recorded:
    """Record the outcome of `claim` (see `Recorded`)."""
    with write_session() as s:
        return record(s, claim, status, **outcome)


def record(
    s: Session,
    claim: Claim,
    status: BatchItemStatus,
    *,
    unit_name: str | None = None,
    submission_id: int | None = None,
    entry_count: int = 0,
    error_code: str | None = None,
    error_message: str | None = None,
) -> Recorded:
    """`finish` inside a write transaction the caller holds (ingest's own, for a stored file)."""
    landed = s.execute(_RECORD, {
        "item_id": claim.item_id, "attempt": claim.attempt, "new_status": status, "submission_id": submission_id,
        "entry_count": entry_count, "error_code": error_code, "error_message": error_message, "unit_name": unit_name,
        "updated_at": utcnow(),
    }).rowcount
    if not landed:
        return Recorded.STALE
    return Recorded.CLOSED_BATCH if _close_if_complete(s, claim.batch_id) else Recorded.DONE


def _close_if_complete(s: Session, batch_id: int) -> bool:
    """Mark the batch finished if no item is open; True if this call finished it."""
    s.execute(_LOCK_BATCH, {"batch_id": batch_id})
    if s.execute(_STILL_OPEN, {"batch_id": batch_id}).first() is not None:
        return False
    return bool(s.execute(_CLOSE, {"batch_id": batch_id, "now": utcnow()}).rowcount)


def close_if_complete(batch_id: int) -> bool:
    """Mark the batch finished when no item is open (a batch of only refused files); True if finished."""
    with write_session() as s:
        _close_if_complete(s, batch_id)
    with read_session() as s:
        return s.scalar(select(Batch.finished_at).where(Batch.id == batch_id)) is not None


def requeue_orphans(batch_id: int, *, older_than: float | None) -> list[int]:
    """Put items stuck in running back to queued: all of them (None) or those idle `older_than` seconds.

    An item whose runner has died MAX_ATTEMPTS times is failed instead: a file that kills
    every process that opens it must not loop forever. Returns the ids put back.
    """
    stmt = select(BatchItem.id, BatchItem.attempts).where(
        BatchItem.batch_id == batch_id, BatchItem.status == BatchItemStatus.RUNNING
    )
    if older_than is not None:
        stmt = stmt.where(BatchItem.updated_at < utcnow() - timedelta(seconds=older_than))
    with write_session() as s:
        rows = s.execute(stmt).all()
        again = [r.id for r in rows if r.attempts < MAX_ATTEMPTS]
        given_up = [r.id for r in rows if r.attempts >= MAX_ATTEMPTS]
        running = BatchItem.status == BatchItemStatus.RUNNING
        if again:
            s.execute(update(BatchItem).where(BatchItem.id.in_(again), running).values(status=BatchItemStatus.QUEUED))
        if given_up:
            s.execute(
                update(BatchItem)
                .where(BatchItem.id.in_(given_up), running)
                .values(status=BatchItemStatus.FAILED, error_code="crashed", error_message=CRASHED_MESSAGE)
            )
            _close_if_complete(s, batch_id)
    return again


def unfinished_batches() -> list[tuple[int, str]]:
    """(id, mode) of every batch with files still open."""
    with read_session() as s:
        return [(r.id, r.mode) for r in s.execute(select(Batch.id, Batch.mode).where(Batch.finished_at.is_(None)))]


def counts(batch_id: int) -> dict[str, int]:
    with read_session() as s:
        rows = s.execute(
            select(BatchItem.status, func.count()).where(BatchItem.batch_id == batch_id).group_by(BatchItem.status)
        ).all()
        duplicates = s.scalar(
            select(func.count())
            .select_from(BatchItem)
            .where(BatchItem.batch_id == batch_id, BatchItem.status == BatchItemStatus.DONE, BatchItem.error_code == DUPLICATE)
        )
        held = s.scalar(
            select(func.count())
            .select_from(BatchItem)
            .join(Submission, Submission.id == BatchItem.submission_id)
            .where(BatchItem.batch_id == batch_id, BatchItem.status == BatchItemStatus.DONE,
                   Submission.status == SubmissionStatus.HELD)
        )
    out = dict.fromkeys(STATUSES, 0)
    out.update({status: n for status, n in rows})
    out["total"] = sum(out[s] for s in STATUSES)
    out[DUPLICATE] = duplicates or 0  # done items that found their file already stored (part of done)
    out[HELD] = held or 0  # done items stored but held as 待确认 until the office decides (part of done)
    return out


def submission_origin(submission_id: int | None) -> tuple[int | None, int]:
    """(batch that stored it, its entry count): tells a retry of our own file from a true duplicate."""
    if submission_id is None:
        return None, 0
    with read_session() as s:
        batch_id = s.scalar(select(Submission.batch_id).where(Submission.id == submission_id))
        count = s.scalar(select(func.count()).select_from(Entry).where(Entry.submission_id == submission_id))
    return batch_id, count or 0
