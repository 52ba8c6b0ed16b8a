"""The embedded path: a folder processed in a local pool, interrupted, resumed, re-run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from redis.exceptions import RedisError
from sqlalchemy import func, select

from service.batch import report
from service.batch.run import reconcile, run_batch
from service.config import settings
from service.demo import make_form_docx
from service.store.db import read_session
from service.store.models import Batch, Submission
from tests.service.batch.batch_helpers import (
    free_port,
    frozen,
    item_states,
    lianfang,
    record_batch,
    signal_taken,
    store_totals,
    wait_until,
    write_forms,
)

FORMS = 100  # enough to interrupt mid-run twice; the queue test runs the full 200


def _done(batch_id: int) -> int:
    return item_states(batch_id).get("done", 0)


def _only_batch() -> int:
    with read_session() as s:
        (batch_id,) = s.scalars(select(Batch.id)).all()
    return batch_id


def test_a_folder_is_ingested_once_and_running_it_again_adds_nothing(units, tmp_path: Path) -> None:
    entries = write_forms(tmp_path / "forms", FORMS, rows=1)
    first = run_batch(tmp_path / "forms", workers=2)
    assert item_states(first) == {"done": FORMS}
    assert store_totals() == {"submissions": FORMS, "entries": entries, "stored_twice": 0}
    assert report.status(first)["finished"]

    again = run_batch(tmp_path / "forms", workers=2)
    assert again != first  # the first batch had finished: a new one, whose files are all known
    counts = report.status(again)["counts"]
    assert counts["done"] == FORMS and counts["duplicate"] == FORMS
    assert store_totals() == {"submissions": FORMS, "entries": entries, "stored_twice": 0}
    assert {r["outcome_label"] for r in report.rows(again)} == {"重复(未重复入库)"}


def test_interrupted_runs_resume_and_every_file_is_stored_exactly_once(units, tmp_path: Path) -> None:
    entries = write_forms(tmp_path / "forms", FORMS, rows=1)

    # Ctrl-C: the run stops cleanly, nothing is left half-done. The pool is frozen until the
    # run has taken the signal, so the batch cannot finish first however loaded the machine is.
    run = lianfang("batch", str(tmp_path / "forms"), "--workers", "2")
    wait_until(lambda: _has_batch() and _done(_only_batch()) >= 20, 120, "20 files done")
    with frozen(run.pid):
        assert _done(_only_batch()) < FORMS
        run.send_signal(signal.SIGINT)
        wait_until(lambda: signal_taken(run.pid, signal.SIGINT), 60, "the run to take Ctrl-C")
    assert run.wait(60) == 130
    assert "重新运行同一命令即可继续" in run.stderr.read().decode()
    batch_id = _only_batch()
    states = item_states(batch_id)
    assert states.get("running", 0) == 0 and states.get("queued", 0) > 0

    # kill -9 of the whole run, pool processes included: items are left running.
    run = lianfang("batch", str(tmp_path / "forms"), "--workers", "2")
    start = _done(batch_id)
    wait_until(lambda: _done(batch_id) >= start + 20, 120, "20 more files done")
    with frozen(run.pid):
        os.killpg(run.pid, signal.SIGKILL)
    run.wait(30)
    assert item_states(batch_id).get("done", 0) < FORMS

    # Running the same folder again resumes the same batch and finishes it.
    assert run_batch(tmp_path / "forms", workers=2) == batch_id
    assert item_states(batch_id) == {"done": FORMS}
    assert store_totals() == {"submissions": FORMS, "entries": entries, "stored_twice": 0}


def _has_batch() -> bool:
    with read_session() as s:
        return s.scalar(select(Batch.id)) is not None


def test_unplaceable_and_unreadable_files_are_reported_not_guessed(units, tmp_path: Path) -> None:
    root = tmp_path / "forms"
    write_forms(root, 3, rows=1)
    (root / "散落的表.docx").write_bytes(make_form_docx(_spec("财务局")))
    (root / "不存在的局").mkdir()
    (root / "不存在的局" / "表.docx").write_bytes(make_form_docx(_spec("不存在的局")))
    (root / "1").mkdir()  # a folder named like an id is a name: not filed under unit 1
    (root / "1" / "表.docx").write_bytes(make_form_docx(_spec("1")))
    (root / "财务局" / "坏文件.docx").write_bytes(b"PK\x03\x04 broken")
    (root / "财务局" / "说明.txt").write_text("readme")
    batch_id = run_batch(root, workers=1)
    by_path = {r["path"]: r for r in report.rows(batch_id)}
    assert by_path["散落的表.docx"]["error_code"] == "unit_unknown"
    assert by_path["不存在的局/表.docx"]["error_code"] == "unknown_unit"
    assert by_path["1/表.docx"]["error_code"] == "unknown_unit"
    assert by_path["财务局/坏文件.docx"]["outcome"] == "failed"
    assert by_path["财务局/坏文件.docx"]["error_message"]
    assert by_path["财务局/说明.txt"]["error_code"] == "unsupported_format"
    good = [r for r in by_path.values() if r["outcome"] == "done"]
    assert len(good) == 3 and all(r["entry_count"] == 1 for r in good)
    assert store_totals()["submissions"] == 3

    with read_session() as s:
        recorded = s.scalar(select(func.count()).select_from(Submission))
    rerun = {r["path"]: r for r in report.rows(run_batch(root, workers=1))}
    assert rerun["财务局/坏文件.docx"]["outcome"] == "failed"  # tried again, failed again...
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == recorded  # ...and recorded once


def test_units_from_file_names_and_from_the_form_itself(units, tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "教育局_排查表.docx").write_bytes(make_form_docx(_spec("教育局", "一科")))
    (flat / "无单位前缀.docx").write_bytes(make_form_docx(_spec("教育局", "二科")))
    by_name = {r["path"]: r for r in report.rows(run_batch(flat, unit_from="filename", workers=1))}
    assert by_name["教育局_排查表.docx"]["unit"] == "教育局" and by_name["教育局_排查表.docx"]["outcome"] == "done"
    assert by_name["无单位前缀.docx"]["error_code"] == "unit_unknown"

    stated = tmp_path / "stated"
    stated.mkdir()
    (stated / "a.docx").write_bytes(make_form_docx(_spec("卫生健康委", "三科")))
    (row,) = report.rows(run_batch(stated, unit_from="form", workers=1))
    assert row["unit"] == "卫生健康委" and row["outcome"] == "done" and row["entry_count"] == 1


def _spec(unit: str, department: str = "综合科") -> dict:
    return {
        "title": "廉政风险点排查表",
        "unit": unit,
        "department": department,
        "filled_on": "2024-05-01",
        "rows": [{"position": "科员", "risk": f"{unit}{department}收受礼金", "category": "思想道德",
                  "level": "中", "measures": ["签订廉政承诺书"]}],
    }


def test_reconcile_finishes_in_process_batches_even_when_redis_is_down(
    units, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = write_forms(tmp_path / "local", 4, rows=1)
    write_forms(tmp_path / "queued", 2, rows=1)
    local = record_batch(tmp_path / "local")  # a run that died before processing anything
    queued = record_batch(tmp_path / "queued", "queue")
    monkeypatch.setenv("LIANFANG_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    settings.cache_clear()
    with pytest.raises(RedisError):
        reconcile()
    assert item_states(local) == {"done": 4} and item_states(queued) == {"queued": 2}
    assert store_totals() == {"submissions": 4, "entries": entries, "stored_twice": 0}



def test_runners_get_each_chunk_once_the_next_is_recorded(units, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from service.batch import items
    from service.batch.attribute import compile_pattern
    from service.batch.discover import discover

    monkeypatch.setattr(items, "INSERT_CHUNK", 2)
    write_forms(tmp_path / "forms", 5, rows=1)
    batch_id, _ = items.open_batch(str(tmp_path / "forms"), unit_from="folder", mode="inprocess", campaign_id=None)
    handed: list[tuple[list[int], int]] = []  # (ids handed on, rows recorded by then)
    items.add_items(batch_id, discover(tmp_path / "forms", max_file_bytes=10**7), unit_from="folder",
                    pattern=compile_pattern(None), on_added=lambda ids: handed.append((ids, sum(item_states(batch_id).values()))))

    assert [len(ids) for ids, _ in handed] == [2, 2, 1]
    assert [recorded for _, recorded in handed] == [4, 5, 5]  # a chunk goes on only once the next is in
    assert sorted(i for ids, _ in handed for i in ids) == items.queued_ids(batch_id)


def test_a_second_runner_of_a_busy_batch_records_its_new_files_and_says_so(units, tmp_path: Path) -> None:
    from service.batch.inprocess import BatchBusy, batch_lock

    write_forms(tmp_path / "forms", 3, rows=1)
    batch_id = record_batch(tmp_path / "forms")
    form = next((tmp_path / "forms").rglob("*.docx"))
    (form.parent / "新增表.docx").write_bytes(form.read_bytes())  # same unit folder; its content a duplicate
    with batch_lock(batch_id), pytest.raises(BatchBusy) as busy:
        run_batch(tmp_path / "forms", workers=1)
    assert busy.value.message == f"批次 {batch_id} 正在另一进程中处理,请等待其结束"
    assert item_states(batch_id) == {"queued": 4}  # the new file is recorded for the runner holding the batch

    assert run_batch(tmp_path / "forms", workers=1) == batch_id
    assert item_states(batch_id) == {"done": 4}
