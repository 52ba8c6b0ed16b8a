"""A machine-wide bound on the memory budgets of the parse children running at once.

Every isolated parse reserves its budget (parsers.sandbox) before its child is forked and
gives it back when the child has answered, so the summed budgets of children started by
any number of threads and processes — web workers, batch runners, the CLI — never exceed
the pool's total. The pool is a folder of lock files, one per UNIT_MB of the total: a
reservation holds as many of them (flock) as its budget needs. The kernel drops the locks
of a process that dies, so a killed caller never leaks memory from the pool. The files are
opened close-on-exec, so spawned processes (the zygote, LibreOffice, the batch pool) never
hold them; a process merely forked while a reservation is open would, until it exits.

Reservations queue at a gate lock: the one at the gate takes free units as they come
back until it has enough, the others wait behind it, so a large budget is never
starved by a stream of small ones, and nobody holds units while waiting for the gate.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

UNIT_MB = 50
POLL = 0.01  # seconds between looks for returned units while at the gate


class MemoryPool:
    """`total_mb` of parse budgets shared by every process that uses the same `folder`
    (they must agree on the total)."""

    def __init__(self, total_mb: int, folder: Path) -> None:
        self.total_mb = total_mb
        self.units = max(total_mb // UNIT_MB, 1)
        self.folder = folder

    @classmethod
    def machine(cls, total_mb: int) -> MemoryPool:
        """The pool every lianfang process on this machine shares (in its temporary folder)."""
        return cls(total_mb, Path(tempfile.gettempdir()) / f"lianfang-parse-memory-{os.getuid()}")

    def units_for(self, budget_mb: int) -> int:
        """Units a budget holds: rounded up, and never more than the pool (a budget larger
        than the whole pool runs alone)."""
        return min(-(-budget_mb // UNIT_MB), self.units)

    @contextlib.contextmanager
    def reserve(self, budget_mb: int) -> Iterator[None]:
        """Hold `budget_mb` of the pool for the duration of the block, waiting for it if need be."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        wanted = self.units_for(budget_mb)
        held: list[int] = []
        try:
            gate = self._open("gate")
            try:
                fcntl.flock(gate, fcntl.LOCK_EX)
                while True:
                    for unit in range(self.units):
                        if len(held) == wanted:
                            break
                        fd = self._open(f"unit-{unit:04d}")
                        try:
                            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        except BlockingIOError:
                            os.close(fd)
                        else:
                            held.append(fd)
                    if len(held) == wanted:
                        break
                    time.sleep(POLL)
            finally:
                os.close(gate)  # closing drops the lock
            yield
        finally:
            for fd in held:
                os.close(fd)

    def _open(self, name: str) -> int:
        return os.open(self.folder / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def in_use_mb(self) -> int:
        """Budget held right now (by probing each unit; for tests and reports)."""
        if not self.folder.is_dir():
            return 0
        used = 0
        for unit in range(self.units):
            fd = self._open(f"unit-{unit:04d}")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                used += UNIT_MB
            finally:
                os.close(fd)
        return used
