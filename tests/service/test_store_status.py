"""Status columns are enums in code and the same strings in the database (no migration);
advisory locks serialize PostgreSQL writers by lock space and key; settings do not import the store."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from sqlalchemy import select, text

from service.store import files
from service.store.db import Lock, advisory_lock, read_session, write_session
from service.store.models import (
    Batch,
    BatchItem,
    BatchItemStatus,
    Finding,
    FindingStatus,
    ReviewState,
    ReviewStep,
    StoredFile,
    Submission,
    SubmissionStatus,
)
from service.store.units import add_unit


def test_status_values_round_trip_unchanged(store):
    sha = files.put(b"form")
    with write_session() as s:
        unit, _ = add_unit(s, "财务科")
        s.add(StoredFile(sha256=sha, size=4))
        batch = Batch(source="x", unit_from="folder", mode="inprocess")
        s.add(batch)
        s.flush()
        for n, (status, state) in enumerate(zip(list(SubmissionStatus) * 2, ReviewState, strict=False)):
            sub = Submission(unit_id=unit.id, original_name=f"{n}.docx", sha256=sha, status=status, review_state=state)
            s.add(sub)
            s.flush()
            s.add(ReviewStep(submission_id=sub.id, sha256=sha, from_state=state, to_state=state, role="admin"))
        s.add_all(Finding(unit_id=unit.id, rule="r", severity="low", message="m", key=str(f), status=f)
                  for f in FindingStatus)
        s.add_all(BatchItem(batch_id=batch.id, path=str(b), sha256=sha, status=b) for b in BatchItemStatus)
    with read_session() as s:
        raw = {
            "submission": s.scalars(text("SELECT status FROM submission ORDER BY id")).all(),
            "review_state": s.scalars(text("SELECT review_state FROM submission ORDER BY id")).all(),
            "to_state": s.scalars(text("SELECT to_state FROM review_step ORDER BY id")).all(),
            "finding": s.scalars(text("SELECT status FROM finding ORDER BY id")).all(),
            "batch_item": s.scalars(text("SELECT status FROM batch_item ORDER BY id")).all(),
        }
        assert raw == {
            "submission": ["received", "parsed", "failed", "held", "rejected", "received", "parsed"],
            "review_state": ["submitted", "dept_review", "leader_review", "group_review", "publicity", "effective",
                             "returned"],
            "to_state": ["submitted", "dept_review", "leader_review", "group_review", "publicity", "effective",
                         "returned"],
            "finding": ["open", "closed"],
            "batch_item": ["queued", "running", "done", "failed"],
        }
        assert all(type(v) is str for values in raw.values() for v in values)
        subs = s.scalars(select(Submission).order_by(Submission.id)).all()
        assert [type(x.status) for x in subs] == [SubmissionStatus] * 7
        assert [x.review_state for x in subs] == list(ReviewState)
        assert s.scalars(select(Finding.status).order_by(Finding.id)).all() == [FindingStatus.OPEN, FindingStatus.CLOSED]
        assert type(s.scalar(select(BatchItem.status).limit(1))) is BatchItemStatus
        # a filter naming no member (a request's ?status=) matches nothing, as before
        assert s.scalars(select(Submission.id).where(Submission.status == "nonsense")).all() == []


def _hold(lock: Lock, key: int | str, seconds: float, held: threading.Event, log: list[tuple[str, float]]) -> None:
    with write_session() as s:
        advisory_lock(s, lock, key)
        log.append(("first holds", time.monotonic()))
        held.set()
        time.sleep(seconds)
        log.append(("first ends", time.monotonic()))


def _waited(lock: Lock, key: int | str, other_key: int | str) -> tuple[list[tuple[str, float]], float]:
    """A second session takes (lock, key) while the first holds it; how long another key waited."""
    held, log = threading.Event(), []
    first = threading.Thread(target=_hold, args=(lock, key, 0.6, held, log))
    first.start()
    assert held.wait(30)
    start = time.monotonic()
    with write_session() as s:
        advisory_lock(s, lock, other_key)
        other = time.monotonic() - start
    with write_session() as s:
        advisory_lock(s, lock, key)
        log.append(("second holds", time.monotonic()))
    first.join()
    return log, other


def test_advisory_lock_serializes_sessions_on_postgresql(store):
    if not store.database_url.startswith("postgresql"):
        with write_session() as s:  # SQLite: writers are serialized already; the lock is nothing
            advisory_lock(s, Lock.INGEST_UNIT, 1)
        return
    for lock, key, other in ((Lock.INGEST_UNIT, 7, 8), (Lock.DOCUMENT_NUMBER, "廉防办:2026", "廉防办:2027")):
        log, other_waited = _waited(lock, key, other)
        assert [what for what, _ in log] == ["first holds", "first ends", "second holds"]
        assert log[2][1] >= log[1][1]
        assert other_waited < 0.5  # another key of the same space is free
    with write_session() as s:  # the same key in another space is another lock
        held, log = threading.Event(), []
        first = threading.Thread(target=_hold, args=(Lock.AUDIT_UNIT, 7, 0.6, held, log))
        first.start()
        assert held.wait(30)
        start = time.monotonic()
        advisory_lock(s, Lock.INGEST_UNIT, 7)
        assert time.monotonic() - start < 0.5
    first.join()


def test_settings_do_not_import_the_store():
    code = "import sys, service.config as c; c.reset_settings(); print('service.store.db' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
