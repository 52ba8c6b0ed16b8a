"""The Redis path: one RQ job per batch item, run by memory-capped `lianfang worker` processes.

Jobs carry the item id only, serialized as JSON (no pickle of anything a user sent).
A job id derives from the batch, the item and the file's sha256 and is enqueued with
`unique=True`, so enqueueing an item twice (a resumed batch, a reconcile racing a
re-run) adds no second job. RQ state is a cache: the BatchItem rows say what is done,
and `service.batch.run.reconcile` re-enqueues whatever Redis has lost.

Run Redis with `appendonly yes` and `maxmemory-policy noeviction`: without them a
restart or memory pressure drops queued jobs (the reconciler recovers them, later).
"""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis
from redis.client import Pipeline
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now
from sqlalchemy import select

from service.batch.process import job_timeout, prepare_runner
from service.config import settings
from service.store.db import read_session
from service.store.models import BatchItem

QUEUE_NAME = "lianfang"
DEFAULT_REDIS_URL = "redis://localhost:6379/0"
JOB_FUNCTION = "service.batch.process.process_item"
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
FAILURE_TTL = 24 * 3600


def connection(url: str | None = None) -> Redis:
    return Redis.from_url(url or settings().redis_url or DEFAULT_REDIS_URL)


def queue(conn: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=conn, serializer=JSONSerializer, default_timeout=job_timeout())


def job_id(batch_id: int, item_id: int, sha256: str) -> str:
    return f"lianfang-b{batch_id}-i{item_id}-{sha256[:16]}"


def enqueue(batch_id: int, item_ids: Iterable[int], *, conn: Redis, replace: bool = False) -> int:
    """Give each item one job; `replace` drops an existing job first (its runner is presumed dead).

    Without `replace`, an item whose job is still live in Redis is left alone, and one whose
    job has ended or vanished (Redis restarted) gets a fresh one. Returns jobs enqueued.
    """
    ids = list(item_ids)
    if not ids:
        return 0
    with read_session() as s:
        shas = {i: sha for i, sha in s.execute(select(BatchItem.id, BatchItem.sha256).where(BatchItem.id.in_(ids)))}
    jids = [job_id(batch_id, item_id, shas[item_id]) for item_id in ids]
    existing = Job.fetch_many(jids, connection=conn, serializer=JSONSerializer)
    q = queue(conn)
    added = 0
    for item_id, jid, job in zip(ids, jids, existing, strict=True):
        if job is not None:
            if not replace and job.get_status(refresh=False) in LIVE:
                continue
            job.delete()
        try:
            q.enqueue(
                JOB_FUNCTION,
                item_id,
                job_id=jid,
                unique=True,
                job_timeout=job_timeout(),
                result_ttl=0,  # the BatchItem row holds the outcome; RQ keeps nothing of a finished job
                failure_ttl=FAILURE_TTL,
                description=f"batch {batch_id} item {item_id}",
            )
            added += 1
        except DuplicateJobError:  # a concurrent enqueue won; one job is all we want
            continue
    return added


class Worker(SimpleWorker):
    """RQ's SimpleWorker, sending its worker heartbeat at most once a second and exiting promptly.

    RQ refreshes the worker's key three times around every job, three round trips each:
    with two workers sharing the cores with Redis, each round trip waits for Redis to be
    scheduled, and those waits keep two workers from being twice one (re-measured against
    RQ's own heartbeat by bench/runtime_bench.py; figures in bench/README.md). The key
    lives `worker_ttl` + 60 s, so a heartbeat a second keeps it exactly as alive.
    Heartbeats with their own TTL or inside a pipeline pass through.
    """

    HEARTBEAT_EVERY_S = 1.0
    LISTEN_WAKE_S = 1.0

    def subscribe(self) -> None:
        """RQ's, with the command listener waking every second instead of every minute.

        At exit RQ unsubscribes, then stops the listener thread; since redis-py 8.2 that stop
        waits for the thread, which, when it saw the unsubscription before the stop, is asleep
        in `get_message(timeout=60)` waiting to be subscribed again: a worker took up to a
        minute to exit (seen in CI: a burst worker hung in teardown). A wake a second costs
        no Redis command.
        """
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=self.LISTEN_WAKE_S, daemon=True, exception_handler=self._pubsub_exception_handler)

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        last = self.last_heartbeat
        if timeout is None and pipeline is None and last and (now() - last).total_seconds() < self.HEARTBEAT_EVERY_S:
            return
        super().heartbeat(timeout, pipeline)


def work(*, burst: bool = False, url: str | None = None) -> bool:
    """Run one worker on the lianfang queue until stopped (or, with `burst`, until it is empty).

    The worker runs jobs in its own process (RQ's SimpleWorker) under a memory cap, rather
    than forking a work horse per job: a fresh horse re-pays imports, SQL compilation and
    copy-on-write faults on every file (bench/README.md), while the step that touches
    hostile bytes — the parse — already runs in a forked child with its own time and memory
    limits (parsers.sandbox). RQ's job_timeout still bounds every job, by SIGALRM. The
    worker takes a core of its own (service.batch.affinity): run one worker per core.
    """
    prepare_runner()
    conn = connection(url)
    worker = Worker([queue(conn)], connection=conn, serializer=JSONSerializer)
    return worker.work(burst=burst)
