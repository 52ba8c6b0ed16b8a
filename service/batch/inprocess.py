"""The embedded path: a batch's queued items run in a local process pool, one per core.

Pool processes are spawned, not forked, so none inherits the parent's database
connections; each opens its own engine and caps its memory. A lock file held for the
whole run makes a second runner of the same batch refuse to start, which in turn lets a
runner that gets the lock treat every `running` item as an orphan of a dead run.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

from service.batch import items
from service.config import settings
from service.jobs import cap_memory, process_item

PROGRESS_EVERY_S = 0.5


class BatchBusy(RuntimeError):
    """Another process is running this batch right now."""

    code = "batch_busy"

    def __init__(self, batch_id: int) -> None:
        self.message = f"批次 {batch_id} 正在另一进程中处理,请等待其结束"
        super().__init__(self.message)


@contextmanager
def batch_lock(batch_id: int) -> Iterator[None]:
    """Hold the batch's run lock; released by the OS even when the process is killed."""
    folder = settings().home / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"batch-{batch_id}.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchBusy(batch_id) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run(batch_id: int, *, workers: int | None = None, progress: TextIO | None = None) -> None:
    """Process every queued item of the batch, resuming after an interrupted run.

    Ctrl-C stops the run cleanly: items in flight go back to queued, so running the
    batch again picks up exactly where this run stopped.
    """
    workers = workers or os.cpu_count() or 1
    with batch_lock(batch_id):
        items.requeue_orphans(batch_id, older_than=None)
        try:
            while ids := items.queued_ids(batch_id):
                if not _run_pool(batch_id, ids, workers, progress):
                    # A pool process died (killed, out of memory): its item is an orphan.
                    items.requeue_orphans(batch_id, older_than=None)
        except KeyboardInterrupt:
            items.requeue_orphans(batch_id, older_than=None)
            raise
        items.close_if_complete(batch_id)


def _run_pool(batch_id: int, ids: list[int], workers: int, progress: TextIO | None) -> bool:
    """Run `ids` in one pool; False when the pool broke before finishing them."""
    context = multiprocessing.get_context("spawn")
    bar = _Progress(batch_id, len(ids), progress)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(ids)), mp_context=context, initializer=cap_memory)
    try:
        futures = [pool.submit(process_item, item_id) for item_id in ids]
        for future in as_completed(futures):
            future.result()
            bar.advance()
    except BrokenProcessPool:
        return False
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return True


class _Progress:
    """done / failed / rate / time left on stderr (tqdm computes rate and time left)."""

    def __init__(self, batch_id: int, total: int, stream: TextIO | None) -> None:
        self.batch_id = batch_id
        self.last = 0.0
        self.bar = tqdm(total=total, file=stream, disable=stream is None, unit="份", desc=f"批次 {batch_id}")

    def advance(self) -> None:
        self.bar.update(1)
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or self.bar.n == self.bar.total:
            self.last = now
            c = items.counts(self.batch_id)
            self.bar.set_postfix_str(f"完成 {c['done']} 失败 {c['failed']}", refresh=False)

    def close(self) -> None:
        self.bar.close()
