"""Give each batch runner a core of its own, so its parse children run beside it.

A runner's file passes through three processes in turn: the runner, its zygote and the
parse child (parsers.sandbox). Left to the scheduler, two runners on two cores have their
six processes migrate between the cores at every hand-over, waking each other across
them; pinned, each pipeline stays warm on its core (the A/B against LIANFANG_PIN_CORES=0:
bench/runtime_bench.py, figures in bench/README.md). The zygote and its children inherit
the runner's affinity, so pinning the runner pins its whole pipeline.

A process already held to fewer cores than the machine has (a container's cpuset, taskset)
is never pinned: whoever placed it knows the machine better than our lock files do.

Cores are claimed with a lock file each, in this machine's temporary folder (never in
LIANFANG_HOME, which several machines may share): a runner takes a free core, looking
first at the one the scheduler has just put it on, the kernel frees the claim when the
runner dies, and a runner that finds every core taken stays unpinned. Starting from the
current core rather than core 0 spreads runners whose lock files cannot see each other
(one container each on a shared host) the way the scheduler already does.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from service.config import settings

_claim: int | None = None  # the open lock file holding this process's core, kept for its lifetime


def pin_to_free_core() -> int | None:
    """Bind this process to the first core no other runner on this machine holds; that core.

    None when pinning is switched off (LIANFANG_PIN_CORES=0), unsupported, the process is
    held to a subset of the cores already, or every core is taken.
    """
    global _claim
    if not settings().pin_cores or not hasattr(os, "sched_setaffinity"):
        return None
    if _claim is not None:  # already pinned: keep the core we hold
        return next(iter(os.sched_getaffinity(0)))
    if restricted():
        return None
    folder = Path(tempfile.gettempdir()) / f"lianfang-cores-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    here = _current_core()
    for core in sorted(os.sched_getaffinity(0), key=lambda c: (c != here, c)):
        fd = os.open(folder / f"core-{core}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        os.sched_setaffinity(0, {core})
        _claim = fd
        return core
    return None


def restricted() -> bool:
    """This process may run on fewer cores than the machine has (a container's cpuset, taskset):
    whoever placed it knows better, and the lock files here cannot see runners outside its set."""
    return len(os.sched_getaffinity(0)) < (os.cpu_count() or 0)


def _current_core() -> int | None:
    """The core this process last ran on (field 39 of /proc/self/stat)."""
    try:
        with open("/proc/self/stat") as stat:
            return int(stat.read().rpartition(")")[2].split()[36])
    except (OSError, IndexError, ValueError):
        return None
