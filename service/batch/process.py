"""Process one batch item: the same function runs in the in-process pool and in RQ workers.

`process_item` takes an id only (RQ passes it as JSON), claims the item, reads its bytes
from the shared file store and hands them to `service.ingest.ingest_file`; it never
raises for a bad file. Retry policy:
- a parse failure (any ParseError, `timeout` and `conversion_failed` included) is
  recorded, not retried: the parse already ran in a fresh sandboxed child, so the same
  bytes fail the same way, and retrying a hostile file only multiplies its cost;
- a transient failure (database locked or unreachable, I/O error) is retried with
  backoff, then recorded as `transient_error`; running the batch again retries it.
A runner killed mid-file leaves the item `running`; the reconciler puts it back.
The runner that finishes a batch's last file re-audits the units the batch touched.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from typing import Any, TypeVar

from rq.timeouts import JobTimeoutException
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from parsers import zygote
from parsers.errors import MESSAGES, ParseError
from service.batch import items
from service.batch.affinity import pin_to_free_core
from service.batch.attribute import UNIT_UNKNOWN, UNIT_UNKNOWN_MESSAGES, blank_to_none
from service.batch.audit import audit_if_finished
from service.config import settings
from service.ingest import DUPLICATE, Parser, ingest_file, parse_for, parse_sandboxed
from service.store import files
from service.store.errors import NotFound
from service.store.models import BatchItemStatus, SubmissionStatus
from service.store.units import UnitName

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_DELAYS = (0.5, 2.0, 8.0)  # seconds before each retry of a transient failure
JOB_MEMORY_MB = 2048  # address-space cap of a runner process; the parse child has its own, lower one
TRANSIENT_MESSAGE = "暂时性错误(数据库繁忙或不可用),多次重试后仍失败,请稍后重新运行批处理"
INTERNAL_MESSAGE = "处理该文件时发生内部错误,请联系管理员"
TRANSIENT_CODES = frozenset({"store_failed"})  # ingest's codes for a database that failed, not the file
FILE_MISSING_MESSAGE = "文件存储中找不到该文件的内容,请重新运行批处理"


class TransientFailure(Exception):
    """Ingest recorded a failure that says nothing about the file (its store step failed).

    Not a `ServiceError`: an internal signal to `_with_retry`, caught in `process_item` and
    recorded on the item after the last retry; it never reaches a person as an exception."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message


def _failed(code: str, message: str) -> dict[str, Any]:
    return {"status": BatchItemStatus.FAILED, "error_code": code, "error_message": message}


def job_timeout() -> int:
    """Seconds one item may take: the parse limit plus room for storing the result."""
    return int(settings().parse_timeout) + 60


def lease_seconds() -> int:
    """How long an item may sit in `running` before its runner is presumed dead.

    A job past its RQ job_timeout has been stopped by SIGALRM; a minute after that, nobody is on it.
    """
    return job_timeout() + 60


def prepare_runner() -> None:
    """Set up a process that will run batch items: a core of its own, a memory cap, and its
    parse zygote started now (it inherits both) rather than by the first file."""
    pin_to_free_core()
    cap_memory()
    try:
        zygote.pid()
    except zygote.ZygoteError:  # the first file tries again, and records the failure if it must
        log.exception("could not start the parse zygote")


def cap_memory(megabytes: int = JOB_MEMORY_MB) -> None:
    """Limit this process's address space so one hostile file cannot take the runner down."""
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def process_item(item_id: int, *, parser: Parser = parse_sandboxed) -> None:
    """Ingest one batch item exactly once; the outcome is written to its BatchItem row.

    RQ and the pool pass the id only; `parser` is there for tests."""
    claim = items.claim(item_id)
    if claim is None:  # done already, or another runner holds it
        return
    try:
        outcome = _with_retry(lambda: _ingest(claim, parser))
    except JobTimeoutException:
        outcome = _failed("timeout", MESSAGES["timeout"])
    except TransientFailure as exc:
        outcome = _failed(exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001  (a file must never take the batch down)
        if is_transient(exc):
            outcome = _failed("transient_error", TRANSIENT_MESSAGE)
        else:
            log.exception("batch item %s (%s) failed unexpectedly", item_id, claim.path)
            outcome = _failed("internal_error", INTERNAL_MESSAGE)
    recorded = _with_retry(lambda: items.finish(claim, **outcome)) if isinstance(outcome, dict) else outcome
    if recorded is items.Recorded.CLOSED_BATCH:
        try:
            audit_if_finished(claim.batch_id)  # the last file of the batch audits its units
        except Exception:  # the files are in; `lianfang reconcile` runs the audit again
            log.exception("audit of batch %s failed", claim.batch_id)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: the database was locked or unreachable, a concurrent runner won a
    unique-key race (the retry then finds its row), or the disk hiccuped."""
    if isinstance(exc, TransientFailure | OperationalError | InterfaceError | IntegrityError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError)


def _with_retry(step: Callable[[], T]) -> T:
    for delay in RETRY_DELAYS:
        try:
            return step()
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("transient failure, retrying in %.1f s: %s", delay, exc)
            time.sleep(delay)
    return step()


def _ingest(claim: items.Claim, parser: Parser) -> dict[str, Any] | items.Recorded:
    """The item's outcome to record, or what recording it did when ingest recorded it with the stored file."""
    recorded: list[items.Recorded] = []
    try:
        data = files.get(claim.sha256)
    except FileNotFoundError:
        return _failed("file_missing", FILE_MISSING_MESSAGE)
    try:
        parsed = None
        unit = claim.unit_name
        if claim.unit_from == "form":  # the form names its unit: parsed once, here, and handed to ingest
            parsed = parse_for(data, claim.filename, campaign=claim.campaign_id, parser=parser)
            unit = blank_to_none(parsed.form.unit)
        if unit is None:
            return _failed(UNIT_UNKNOWN, UNIT_UNKNOWN_MESSAGES["form"])
        result = ingest_file(
            data,
            claim.filename,
            unit=UnitName(unit),  # a folder, file name or 填报单位: a name, never an id
            campaign=claim.campaign_id,
            uploader_id=claim.created_by,
            batch_id=claim.batch_id,
            batch_seq=claim.item_id,
            modified=claim.modified,
            parsed=parsed,
            audit=False,  # once per unit when the batch finishes (service.batch.audit)
            parser=parser,
            on_stored=lambda s, stored: recorded.append(items.record(
                s, claim, BatchItemStatus.DONE, unit_name=unit, submission_id=stored.submission_id, entry_count=stored.entry_count,
                error_code=stored.error_code, error_message=stored.error_message,
            )),
        )
    except (ParseError, NotFound) as exc:
        return _failed(exc.code, exc.message)
    if result.status in (SubmissionStatus.PARSED, SubmissionStatus.HELD):
        return recorded[-1]  # committed together with the stored file (parsed, or held as 待确认)
    if result.status == SubmissionStatus.FAILED and result.error_code in TRANSIENT_CODES:
        raise TransientFailure(result.error_code, result.error_message or TRANSIENT_MESSAGE)
    outcome: dict[str, Any] = {
        "status": BatchItemStatus.FAILED if result.status == SubmissionStatus.FAILED else BatchItemStatus.DONE,
        "unit_name": unit,
        "submission_id": result.submission_id,
        "entry_count": result.entry_count,
        "error_code": result.error_code,
        "error_message": result.error_message,
    }
    if result.status == DUPLICATE:
        origin, count = items.submission_origin(result.submission_id)
        if origin == claim.batch_id:  # an earlier attempt of ours stored it before dying
            outcome.update(entry_count=count)
        else:
            outcome.update(error_code=items.DUPLICATE, error_message=items.DUPLICATE_MESSAGE)
    return outcome

