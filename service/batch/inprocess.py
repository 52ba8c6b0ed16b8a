"""The embedded path: a batch's queued items run in a local process pool, one per core.

Pool processes are spawned, not forked, so none inherits the parent's database
connections; each opens its own engine, takes a core of its own and caps its memory.
The pool starts before the folder is recorded and takes its files chunk by chunk, so
spawning it and storing the files overlap the first parses. A lock file held for the
whole run makes a second runner of the same batch refuse to start, which in turn lets a
runner that gets the lock treat every `running` item as an orphan of a dead run.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

from service.batch import items
from service.batch.process import prepare_runner, process_item
from service.config import settings
from service.errors import Unavailable

PROGRESS_EVERY_S = 0.5


class BatchBusy(Unavailable):
    """Another process is running this batch right now."""

    def __init__(self, batch_id: int) -> None:
        super().__init__("batch_busy", f"批次 {batch_id} 正在另一进程中处理,请等待其结束")


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


@contextmanager
def running(
    batch_id: int, *, workers: int | None = None, progress: TextIO | None = None
) -> Iterator[Callable[[list[int]], None]]:
    """Run the batch here: yields `submit` for items recorded meanwhile, which start at once;
    on leaving, waits for every item, resuming after an interrupted run.

    Ctrl-C stops the run cleanly: items in flight go back to queued, so running the
    batch again picks up exactly where this run stopped.
    """
    workers = workers or os.cpu_count() or 1
    with batch_lock(batch_id):
        items.requeue_orphans(batch_id, older_than=None)
        bar = _Progress(batch_id, progress)
        pool = _Pool(workers, bar)
        try:
            pool.submit(items.queued_ids(batch_id))
            yield pool.submit
            while not pool.drain() or items.queued_ids(batch_id):
                # A pool process died (killed, out of memory): its item is an orphan.
                items.requeue_orphans(batch_id, older_than=None)
                pool = _Pool(workers, bar)
                pool.submit(items.queued_ids(batch_id))
        except BaseException:  # Ctrl-C, or the recording failed: stop, and leave the batch resumable
            pool.executor.shutdown(wait=True, cancel_futures=True)
            items.requeue_orphans(batch_id, older_than=None)
            raise
        finally:
            bar.close()
        items.close_if_complete(batch_id)


def run(batch_id: int, *, workers: int | None = None, progress: TextIO | None = None) -> None:
    """Process every queued item of the batch (see `running`)."""
    with running(batch_id, workers=workers, progress=progress):
        pass


class _Pool:
    """A pool of spawned runner processes and the items submitted to it."""

    def __init__(self, workers: int, bar: _Progress) -> None:
        context = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=prepare_runner)
        self.futures: list[Future[None]] = []
        self.bar = bar

    def submit(self, item_ids: list[int]) -> None:
        """Start on these items (a process is spawned per item until the pool is full)."""
        self.bar.grow(len(item_ids))
        self.futures += [self.executor.submit(process_item, item_id) for item_id in item_ids]

    def drain(self) -> bool:
        """Wait for every submitted item; False when the pool broke before finishing them."""
        try:
            for future in as_completed(self.futures):
                future.result()
                self.bar.advance()
        except BrokenProcessPool:
            return False
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)
        return True


class _Progress:
    """done / failed / rate / time left on stderr (tqdm computes rate and time left)."""

    def __init__(self, batch_id: int, stream: TextIO | None) -> None:
        self.batch_id = batch_id
        self.last = 0.0
        self.bar = tqdm(total=0, file=stream, disable=stream is None, unit="份", desc=f"批次 {batch_id}")

    def grow(self, count: int) -> None:
        self.bar.total += count
        self.bar.refresh()

    def advance(self) -> None:
        self.bar.update(1)
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or self.bar.n == self.bar.total:
            self.last = now
            c = items.counts(self.batch_id)
            self.bar.set_postfix_str(f"完成 {c['done']} 失败 {c['failed']}", refresh=False)

    def close(self) -> None:
        self.bar.close()
