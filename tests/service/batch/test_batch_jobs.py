"""One item's life: claimed once, retried on transient trouble, never overwritten by a
runner presumed dead, given up after repeated crashes, run under a memory cap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from service.batch import items, process
from service.demo import make_form_docx
from service.store.db import read_session
from service.store.models import BatchItem
from tests.service.batch.batch_helpers import REPO, form_spec, record_batch


@pytest.fixture
def item_id(units, tmp_path: Path) -> int:  # noqa: ANN001
    """One queued item: a real form in a unit folder, recorded but not yet processed."""
    root = tmp_path / "forms"
    (root / "财务局").mkdir(parents=True)
    (root / "财务局" / "表.docx").write_bytes(make_form_docx(form_spec("财务局", 1, rows=2)))
    (only,) = items.queued_ids(record_batch(root))
    return only


def _item(item_id: int) -> BatchItem:
    with read_session() as s:
        return s.get(BatchItem, item_id)


def _locked(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
    raise OperationalError("INSERT ...", {}, Exception("database is locked"))


def test_a_transient_database_failure_is_retried(item_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = process.ingest_file
    calls = []

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return _locked() if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(process, "ingest_file", flaky)
    monkeypatch.setattr(process, "RETRY_DELAYS", (0, 0, 0))
    process.process_item(item_id)
    item = _item(item_id)
    assert (item.status, item.entry_count, item.attempts, len(calls)) == ("done", 2, 1, 2)


def test_a_failure_that_persists_is_recorded_after_the_retries(item_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "ingest_file", _locked)
    monkeypatch.setattr(process, "RETRY_DELAYS", (0, 0, 0))
    process.process_item(item_id)
    item = _item(item_id)
    assert (item.status, item.error_code) == ("failed", "transient_error")
    assert "重试" in item.error_message


def test_an_item_is_claimed_once_and_a_late_runner_cannot_overwrite_it(item_id: int) -> None:
    first = items.claim(item_id)
    assert first is not None and items.claim(item_id) is None  # a second runner gets nothing
    items.requeue_orphans(_item(item_id).batch_id, older_than=None)  # the first runner is presumed dead
    process.process_item(item_id)  # a retry does the work
    assert not items.finish(first, "failed", error_code="late", error_message="late")
    item = _item(item_id)
    assert (item.status, item.attempts, item.error_code) == ("done", 2, None)


def test_a_file_that_keeps_killing_its_runner_is_given_up(item_id: int) -> None:
    batch_id = _item(item_id).batch_id
    for _ in range(items.MAX_ATTEMPTS):
        assert items.claim(item_id) is not None
        items.requeue_orphans(batch_id, older_than=None)  # the runner died mid-file
    item = _item(item_id)
    assert (item.status, item.error_code) == ("failed", "crashed")
    assert items.counts(batch_id)["failed"] == 1


def test_runner_memory_is_capped() -> None:
    code = "from service.batch.process import cap_memory; cap_memory(1024); bytearray(2 * 1024**3)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "MemoryError" in done.stderr
