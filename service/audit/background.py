"""Re-audit units after web uploads, off the request path, coalesced per unit.

The audit of a unit reads all its entries, so running it inside every upload's write
transaction makes each upload wait for it and makes concurrent uploads queue behind one
another (SQLite has one writer). Uploads instead ask for their unit to be re-audited;
one daemon thread per process runs each pending unit once, however many uploads asked
while it was busy, so the findings catch up within moments of the last upload.
"""

from __future__ import annotations

import atexit
import logging
import threading
from datetime import date

log = logging.getLogger(__name__)

_lock = threading.Condition()
_pending: dict[int, int] = {}  # top unit id -> the newest submission id that asked
_running = 0
_thread: threading.Thread | None = None


def request(unit_key: int, submission_id: int) -> None:
    """Ask for the unit of `submission_id` to be re-audited soon."""
    global _thread
    with _lock:
        _pending[unit_key] = max(submission_id, _pending.get(unit_key, 0))
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="lianfang-audit", daemon=True)
            _thread.start()
        _lock.notify_all()


def drain(timeout: float = 60.0) -> bool:
    """Wait until every requested audit has run; False if `timeout` passed first."""
    with _lock:
        return _lock.wait_for(lambda: not _pending and not _running, timeout)


def _work() -> None:
    global _running
    from service.audit.runner import reaudit_snapshot

    while True:
        with _lock:
            _lock.wait_for(lambda: _pending)
            _, submission_id = _pending.popitem()
            _running += 1
        try:
            reaudit_snapshot(submission_id, date.today())
        except Exception:  # the findings wait for the next upload or `lianfang audit`
            log.exception("background audit after submission %s failed", submission_id)
        finally:
            with _lock:
                _running -= 1
                _lock.notify_all()


atexit.register(drain, 30.0)
