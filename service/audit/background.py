"""Re-audit units after web uploads, off the request path, coalesced per campaign and unit.

The audit of a unit reads all its entries, so running it inside every upload's write
transaction makes each upload wait for it and makes concurrent uploads queue behind one
another (SQLite has one writer). Uploads instead ask for their unit to be re-audited;
one daemon thread per process runs each pending unit once, however many uploads asked
while it was busy, so the findings catch up within moments of the last upload.

The audit is of a top-level unit in one campaign, so that pair is what coalesces: the
thread takes every submission that asked, finds its (campaign, top unit) and re-audits
each pair once, for its newest submission. Two uploads of one unit into two campaigns
are two audits; an upload to a department is its unit's.
"""

from __future__ import annotations

import atexit
import logging
import threading
from datetime import date

log = logging.getLogger(__name__)

_lock = threading.Condition()
_pending: set[int] = set()  # the submissions whose unit awaits its re-audit
_running = 0
_thread: threading.Thread | None = None


def request(submission_id: int) -> None:
    """Ask for the unit of `submission_id` to be re-audited soon in its campaign."""
    global _thread
    with _lock:
        _pending.add(submission_id)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="lianfang-audit", daemon=True)
            _thread.start()
        _lock.notify_all()


def drain(timeout: float = 60.0) -> bool:
    """Wait until every requested audit has run; False if `timeout` passed first."""
    with _lock:
        return _lock.wait_for(lambda: not _pending and not _running, timeout)


def newest_per_unit(submission_ids: set[int]) -> list[int]:
    """The newest of `submission_ids` for each (campaign, top unit) they belong to."""
    from service.audit.runner import submission_unit
    from service.store.db import read_session

    newest: dict[tuple[int | None, int], int] = {}
    with read_session() as s:
        for submission_id in sorted(submission_ids):
            key = submission_unit(s, submission_id)
            if key is not None:
                newest[key] = submission_id
    return list(newest.values())


def _work() -> None:
    global _running
    from service.audit import runner  # looked up at each audit: the thread outlives a test's patches

    while True:
        with _lock:
            _lock.wait_for(lambda: _pending)
            asked = set(_pending)
            _pending.clear()
            _running += 1
        try:
            for submission_id in newest_per_unit(asked):
                try:
                    runner.reaudit_snapshot(submission_id, date.today())
                except Exception:  # the findings wait for the next upload or `lianfang audit`
                    log.exception("background audit after submission %s failed", submission_id)
        except Exception:
            log.exception("background audit of submissions %s failed", sorted(asked))
        finally:
            with _lock:
                _running -= 1
                _lock.notify_all()


atexit.register(drain, 30.0)
