"""The Redis path with a real redis-server and real `lianfang worker` processes:
every file processed once, through worker crashes, a Redis restart and re-runs."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from service.audit import run_audit
from service.batch import report
from service.batch.items import queued_ids
from service.batch.rq_queue import JOB_FUNCTION, QUEUE_NAME, connection, enqueue
from service.batch.run import reconcile, run_batch
from service.demo import make_form_xlsx
from tests.service.batch.batch_helpers import (
    children,
    form_spec,
    item_states,
    kill_tree,
    lianfang,
    no_measures_forms,
    open_findings,
    store_totals,
    wait_until,
    write_forms,
)

pytestmark = pytest.mark.redis


def _workers(count: int, *extra: str) -> list[subprocess.Popen]:
    return [lianfang("worker", *extra) for _ in range(count)]


def _finish(workers: list[subprocess.Popen], timeout: float = 300) -> None:
    for w in workers:
        assert w.wait(timeout) == 0, w.stderr.read().decode()[-2000:]


def _done(batch_id: int) -> int:
    return item_states(batch_id).get("done", 0)


def test_two_workers_process_200_forms_once_and_a_rerun_adds_nothing(units, redis_server, tmp_path: Path) -> None:
    entries = write_forms(tmp_path / "forms", 197, rows=1) + no_measures_forms(tmp_path / "forms")
    batch_id = run_batch(tmp_path / "forms", queue=True)
    assert item_states(batch_id) == {"queued": 200}
    assert Queue(QUEUE_NAME, connection=connection(), serializer=JSONSerializer).count == 200

    _finish(_workers(2, "--burst"))
    assert item_states(batch_id) == {"done": 200}
    assert report.status(batch_id)["finished"]
    assert store_totals() == {"submissions": 200, "entries": entries, "stored_twice": 0}
    findings = open_findings()  # the worker that finished the last file audited every unit
    run_audit()
    assert findings and open_findings() == findings

    again = run_batch(tmp_path / "forms", queue=True)
    _finish(_workers(2, "--burst"))
    assert report.status(again)["counts"]["duplicate"] == 200
    assert store_totals() == {"submissions": 200, "entries": entries, "stored_twice": 0}


def test_a_job_queued_under_the_old_function_name_still_runs(units, redis_server, tmp_path: Path) -> None:
    """Jobs enqueued before the item's processing moved into the batch package name
    `service.jobs.process_item`; a worker of this version runs them, and new jobs use the new name."""
    write_forms(tmp_path / "forms", 2, rows=1)
    batch_id = run_batch(tmp_path / "forms", queue=True)
    q = Queue(QUEUE_NAME, connection=connection(), serializer=JSONSerializer)
    assert {job.func_name for job in q.jobs} == {JOB_FUNCTION} == {"service.batch.process.process_item"}
    old = queued_ids(batch_id)[0]
    (current,) = [job for job in q.jobs if job.args[0] == old]
    current.delete()  # replaced by the job an earlier version enqueued for the item
    q.enqueue("service.jobs.process_item", old, result_ttl=0)
    assert sorted(job.func_name for job in q.jobs) == [JOB_FUNCTION, "service.jobs.process_item"]

    _finish(_workers(1, "--burst"))
    assert item_states(batch_id) == {"done": 2}
    assert report.status(batch_id)["finished"]


def test_enqueueing_an_item_twice_gives_one_job(units, redis_server, tmp_path: Path) -> None:
    write_forms(tmp_path / "forms", 4, rows=1)
    batch_id = run_batch(tmp_path / "forms", queue=True)
    conn = connection()
    assert enqueue(batch_id, queued_ids(batch_id), conn=conn) == 0  # every job is already live
    run_batch(tmp_path / "forms", queue=True)  # resuming the unfinished batch enqueues nothing new
    assert Queue(QUEUE_NAME, connection=conn, serializer=JSONSerializer).count == 4


def _parse_children(worker: subprocess.Popen) -> list[int]:
    """The parse children of a worker: forked by its zygote, the worker's own child."""
    return [pid for zygote in children(worker.pid) for pid in children(zygote)]


def test_a_worker_killed_mid_file_loses_nothing_and_stores_nothing_twice(units, redis_server, tmp_path: Path) -> None:
    entries = write_forms(tmp_path / "forms", 100, rows=1)
    heavy = form_spec(units[0], 999, rows=20_000)  # parses for seconds: a worker on it is surely mid-file
    (tmp_path / "forms" / units[0] / "大表.xlsx").write_bytes(make_form_xlsx(heavy))
    batch_id = run_batch(tmp_path / "forms", queue=True)
    workers = _workers(2, "--burst")
    first_seen: dict[int, float] = {}

    def busy_on_heavy() -> subprocess.Popen | None:
        for worker in workers:
            for child in _parse_children(worker):
                if time.monotonic() - first_seen.setdefault(child, time.monotonic()) > 0.5:
                    return worker
        return None

    wait_until(lambda: busy_on_heavy() is not None, 120, "a worker to be parsing the large form")
    victim = busy_on_heavy()
    survivor = next(w for w in workers if w is not victim)
    kill_tree(victim.pid)  # the worker, its zygote and the parse child, mid-file
    assert victim.wait(10) == -9
    _finish([survivor])
    # The victim was mid-file: that one file is left running, not lost.
    assert item_states(batch_id) == {"done": 100, "running": 1}

    reconcile(older_than=0)  # every worker is gone: whatever is still running is lost
    _finish(_workers(1, "--burst"))
    assert item_states(batch_id) == {"done": 101}
    assert store_totals() == {"submissions": 101, "entries": entries + 20_000, "stored_twice": 0}


def test_redis_restarted_without_persistence_mid_batch_is_recovered(units, redis_server, tmp_path: Path) -> None:
    entries = write_forms(tmp_path / "forms", 100, rows=1)
    batch_id = run_batch(tmp_path / "forms", queue=True)
    workers = _workers(2)
    wait_until(lambda: _done(batch_id) >= 15, 120, "15 files done")
    redis_server.stop()  # every queued job is gone with it
    for w in workers:
        try:
            w.wait(60)  # a worker whose Redis vanished exits...
        except subprocess.TimeoutExpired:  # ...or keeps retrying, and its operator stops it
            kill_tree(w.pid)
            w.wait(10)
    redis_server.start()
    time.sleep(0.2)
    assert item_states(batch_id).get("queued", 0) > 0  # files still to do...
    assert Queue(QUEUE_NAME, connection=connection(), serializer=JSONSerializer).count == 0  # ...with no job left

    reconcile(older_than=0)
    _finish(_workers(2, "--burst"))
    assert item_states(batch_id) == {"done": 100}
    assert store_totals() == {"submissions": 100, "entries": entries, "stored_twice": 0}


def test_the_worker_refreshes_its_key_at_most_once_a_second_but_never_lets_it_lapse(redis_server) -> None:  # noqa: ANN001
    from rq import Worker as RQWorker

    from service.batch.rq_queue import Worker, queue

    conn = connection()
    worker = Worker([queue(conn)], connection=conn, serializer=JSONSerializer)
    worker.register_birth()
    first = conn.hget(worker.key, "last_heartbeat")
    conn.expire(worker.key, 5)
    worker.heartbeat()  # within the second: no round trip
    assert conn.hget(worker.key, "last_heartbeat") == first and conn.ttl(worker.key) <= 5

    with conn.pipeline() as pipe:  # inside RQ's own pipelines it always goes through
        worker.heartbeat(pipeline=pipe)
        pipe.execute()
    assert conn.ttl(worker.key) > 5
    conn.expire(worker.key, 5)
    worker.heartbeat(timeout=900)  # as does a heartbeat with a TTL of its own
    assert conn.ttl(worker.key) > 5

    worker.last_heartbeat -= timedelta(seconds=Worker.HEARTBEAT_EVERY_S)
    conn.expire(worker.key, 5)
    worker.heartbeat()
    assert conn.ttl(worker.key) > 5
    assert RQWorker.find_by_key(worker.key, connection=conn) is not None  # `rq info` still sees it


def test_a_worker_that_stops_listening_exits_within_seconds(redis_server) -> None:  # noqa: ANN001
    """The race RQ's teardown can lose: the listener thread sees the unsubscription before it
    is told to stop, and goes back to waiting for a subscription; the stop must not wait a minute."""
    from service.batch.rq_queue import Worker, queue

    conn = connection()
    worker = Worker([queue(conn)], connection=conn, serializer=JSONSerializer)
    worker.subscribe()
    wait_until(lambda: worker.pubsub.subscribed and worker.pubsub.subscribed_event.is_set(), 10, "the subscription")
    worker.pubsub.unsubscribe()
    wait_until(lambda: not worker.pubsub.subscribed, 10, "the listener to see the unsubscription")
    time.sleep(0.2)  # the listener is back in get_message, waiting to be subscribed again
    start = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - start < 3
    assert not worker.pubsub_thread.is_alive()


def test_the_queue_command_says_how_many_files_went_to_the_workers(units, redis_server, cli, tmp_path: Path) -> None:  # noqa: ANN001
    write_forms(tmp_path / "forms", 3, rows=1)
    loose = next((tmp_path / "forms").rglob("*.xlsx"))
    (tmp_path / "forms" / "未放入单位文件夹.xlsx").write_bytes(loose.read_bytes())  # refused: no unit folder

    result = cli("batch", tmp_path / "forms", "--queue")
    assert result.exit_code == 0
    assert "批次 1:共 4 个文件,由 lianfang worker 处理,已处理 1 个;进度:lianfang batch-status 1" in result.output
    assert item_states(1) == {"queued": 3, "failed": 1}
