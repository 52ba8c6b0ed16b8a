"""Start, resume and reconcile batches: the functions the CLI and the web page call.

A batch is keyed by its source: running the same folder again while its batch is
unfinished resumes that batch (new files are added, done ones are not touched); once
finished, a new run makes a new batch whose files ingest finds already stored, so it
adds nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from redis.exceptions import RedisError

from service.batch import inprocess, items, rq_queue
from service.batch.attribute import UNIT_FROM, compile_pattern
from service.batch.audit import audit_if_finished, unaudited_batches
from service.batch.discover import discover, discover_archive
from service.batch.process import lease_seconds
from service.config import settings
from service.errors import ServiceError
from service.store.errors import NotFound
from service.store.files import sha256_hex

log = logging.getLogger(__name__)


def run_batch(
    path: str | Path,
    *,
    unit_from: str = "folder",
    queue: bool = False,
    pattern: str | None = None,
    campaign: str | int | None = None,
    created_by: int | None = None,
    workers: int | None = None,
    progress: TextIO | None = None,
) -> int:
    """Ingest every form under `path`; returns the batch id.

    In-process (the default) returns when every file is processed; with `queue` it
    returns once every file has its RQ job, and `lianfang worker` does the rest.
    """
    root = Path(path)
    if not root.is_dir():
        raise NotFound("folder_not_found", f"文件夹不存在:{root}")
    regex = compile_pattern(pattern)
    found = discover(root, max_file_bytes=settings().max_upload_bytes)
    mode = "queue" if queue else "inprocess"
    batch_id = _open(str(root.resolve()), unit_from, mode, campaign, created_by)
    if queue:
        items.add_items(batch_id, found, unit_from=unit_from, pattern=regex, on_added=_enqueuer(batch_id))
        resume(batch_id, mode=mode)
        return batch_id
    try:
        with inprocess.running(batch_id, workers=workers, progress=progress) as submit:
            items.add_items(batch_id, found, unit_from=unit_from, pattern=regex, on_added=submit)
    except inprocess.BatchBusy:  # the runner holding the batch picks up what is recorded now
        items.add_items(batch_id, found, unit_from=unit_from, pattern=regex)
        raise
    audit_if_finished(batch_id)  # the runner of the last file did it, unless every file was refused
    return batch_id


def run_archive(
    data: bytes,
    name: str,
    *,
    unit_from: str = "folder",
    queue: bool = False,
    campaign: str | int | None = None,
    created_by: int | None = None,
) -> int:
    """A .zip of forms uploaded on the web page becomes a batch, attributed like a folder.

    Returns as soon as the files are recorded: with `queue` the workers take them, without
    it a background thread of this process runs the pool (a server restart mid-batch
    leaves it for `lianfang reconcile`).
    """
    found = discover_archive(data, name, max_file_bytes=settings().max_upload_bytes)
    source = f"upload:{sha256_hex(data)[:16]}:{name}"
    mode = "queue" if queue else "inprocess"
    batch_id = _open(source, unit_from, mode, campaign, created_by)
    items.add_items(batch_id, found, unit_from=unit_from, pattern=compile_pattern(None))
    if queue:
        resume(batch_id, mode="queue")
    else:
        threading.Thread(target=_resume_quietly, args=(batch_id,), name=f"batch-{batch_id}", daemon=True).start()
    return batch_id


def _resume_quietly(batch_id: int) -> None:
    try:
        resume(batch_id, mode="inprocess")
    except inprocess.BatchBusy:
        pass  # another runner has it
    except Exception:
        log.exception("background run of batch %s stopped; `lianfang reconcile` resumes it", batch_id)


def _open(source: str, unit_from: str, mode: str, campaign: str | int | None, created_by: int | None) -> int:
    """Open (or reopen) the batch of `source`; its id."""
    if unit_from not in UNIT_FROM:
        raise ServiceError("invalid_unit_from", f"单位来源只能是 {' / '.join(UNIT_FROM)}")
    campaign_id = items.campaign_id_for(campaign)
    batch_id, _resumed = items.open_batch(
        source, unit_from=unit_from, mode=mode, campaign_id=campaign_id, created_by=created_by
    )
    return batch_id


def _enqueuer(batch_id: int) -> Callable[[list[int]], None]:
    """Enqueue each chunk of a queue batch as it is recorded, so workers start on a big folder
    at once. Redis being down stops nothing here: `resume` enqueues whatever is left, and reports it."""
    conn = rq_queue.connection()
    down = False

    def enqueue(item_ids: list[int]) -> None:
        nonlocal down
        if down:
            return
        try:
            rq_queue.enqueue(batch_id, item_ids, conn=conn)
        except RedisError:
            down = True

    return enqueue


def resume(
    batch_id: int,
    *,
    mode: str,
    workers: int | None = None,
    progress: TextIO | None = None,
    older_than: float | None = None,
) -> None:
    """Carry an existing batch forward: run its open items here, or make sure each has a job.

    Queue items running longer than `older_than` seconds (default: the job lease) are
    presumed orphaned by a dead worker and enqueued again.
    """
    if mode == "inprocess":
        inprocess.run(batch_id, workers=workers, progress=progress)
    else:
        conn = rq_queue.connection()
        lease = lease_seconds() if older_than is None else older_than
        orphans = items.requeue_orphans(batch_id, older_than=lease)
        rq_queue.enqueue(batch_id, orphans, conn=conn, replace=True)
        rq_queue.enqueue(batch_id, items.queued_ids(batch_id), conn=conn)
        items.close_if_complete(batch_id)
    audit_if_finished(batch_id)  # the runner of the last file did it, unless every file was refused


def reconcile(*, older_than: float | None = None, progress: TextIO | None = None) -> list[int]:
    """Bring every unfinished batch forward after a crash; returns the batch ids it touched.

    Queue batches: items stuck in running past their lease go back to the queue, and
    queued items whose job Redis lost (restart without persistence) get a new one.
    In-process batches no live runner holds are resumed here, in this process. Finished
    batches whose closing audit never ran (its runner died) are audited.
    `older_than` shortens the lease when every worker is known to be gone. With Redis
    unreachable the other batches are still resumed, then the Redis error is raised.
    """
    touched = []
    unreachable: RedisError | None = None
    for batch_id, mode in items.unfinished_batches():
        try:
            resume(batch_id, mode=mode, progress=progress, older_than=older_than)
        except inprocess.BatchBusy:
            continue
        except RedisError as exc:  # the in-process batches can still be resumed
            unreachable = exc
            continue
        touched.append(batch_id)
    for batch_id in unaudited_batches():
        audit_if_finished(batch_id)
        touched.append(batch_id)
    if unreachable is not None:
        raise unreachable
    return touched
