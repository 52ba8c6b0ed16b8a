"""A lean process that forks the sandbox's children, so the caller never forks itself.

Forking the caller costs more than parsing a one-page form: a web server or a batch
worker maps far more memory than the parsers need, and the kernel copies its page tables
at fork, tears them down at exit and faults on every page either side writes in between
(figures: bench/README.md). The zygote is a fresh interpreter holding
only the parsers; it forks one child per request, hands it the request's
socket, and reaps it. One zygote per calling process, started on first use; it exits
when its caller does (its control socket closes).

Protocol on the control socket (one request at a time, under a lock):
  b"F" with one fd (the child's end of a request socket) -> the child's pid (8 bytes)
  b"S" + pid (8 bytes)                                   -> its wait status (8 bytes; -1 unknown)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

PID = 8  # bytes of a pid or a status on the wire
KEEP_STATUSES = 1000  # exit statuses remembered for children nobody asked about yet
STATUS_WAIT = 2.0  # seconds to wait for a child that closed its socket without answering to end
READY = b"R"
# glibc's malloc in the zygote and its children: every block over 256 kB is its own mapping,
# returned to the system when freed (by default the threshold grows with the blocks freed,
# and an OCR page's large buffers then stay in the heap: resident memory varied by 150 MB
# from run to run of the same file); two arenas, not eight per core, for the threads of
# onnxruntime and OpenCV, which otherwise reserve address space the RLIMIT_AS backstop counts.
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024), "MALLOC_ARENA_MAX": "2"}


class ZygoteError(RuntimeError):
    """The zygote could not be started or stopped answering twice in a row."""


class Zygote:
    """The caller's handle: start, fork a child for a request socket, ask how a child ended."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {**os.environ, **MALLOC, "LIANFANG_ZYGOTE_FD": str(theirs.fileno()),
               "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from parsers.zygote import serve; serve()"],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.control = ours
        self.owner = os.getpid()
        try:
            ready = _recv_exact(ours, 1) == READY
        except (OSError, EOFError):
            ready = False
        if not ready:
            ours.close()
            self.process.wait()
            raise ZygoteError("the parse zygote did not start")

    def fork(self, request: socket.socket) -> int:
        """A new child that serves `request`; its pid."""
        socket.send_fds(self.control, [b"F"], [request.fileno()])
        return int.from_bytes(_recv_exact(self.control, PID), "little", signed=True)

    def status(self, pid: int) -> int | None:
        """How child `pid` ended (a wait status), waiting for it to end; None if unknown."""
        self.control.sendall(b"S" + pid.to_bytes(PID, "little", signed=True))
        status = int.from_bytes(_recv_exact(self.control, PID), "little", signed=True)
        return None if status < 0 else status


_lock = threading.Lock()
_zygote: Zygote | None = None


def call(step: Callable[[Zygote], Any]) -> Any:
    """Run one exchange with this process's zygote, (re)starting it as needed.

    A process forked from one that had a zygote starts its own: two processes on one
    control socket would read each other's answers. A zygote that died is replaced once;
    an exchange cut short (a job's timeout signal) discards the zygote, whose socket may
    hold an answer nobody read.
    """
    global _zygote
    with _lock:
        for attempt in (1, 2):
            if _zygote is None or _zygote.owner != os.getpid():
                _zygote = Zygote()
            try:
                return step(_zygote)
            except (OSError, EOFError):
                _discard()
                if attempt == 2:
                    raise ZygoteError("the parse zygote stopped answering") from None
            except BaseException:
                _discard()
                raise
    raise AssertionError("unreachable")


def _discard() -> None:
    global _zygote
    if _zygote is not None and _zygote.owner == os.getpid():
        _zygote.control.close()  # it exits on the closed socket; its pid is reaped by whoever waits
    _zygote = None


def pid() -> int:
    """The zygote's pid (its children's parent), started if need be."""
    return call(lambda z: z.process.pid)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("control socket closed")
        data += chunk
    return data


# --- the zygote process ---------------------------------------------------------------

_statuses: dict[int, int] = {}


def serve() -> None:
    """The zygote's main loop (run by `python -c`, see Zygote)."""
    control = socket.socket(fileno=int(os.environ.pop("LIANFANG_ZYGOTE_FD")))
    from parsers import child  # the parsers, imported once here and shared by every child

    child.preload()
    signal.signal(signal.SIGCHLD, _reap)
    control.sendall(READY)
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, 1 + PID, 1)
        except InterruptedError:
            continue
        if not message:
            return  # the caller is gone
        if message[:1] == b"F":
            forked = os.fork()
            if forked == 0:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the child may wait for LibreOffice
                child.serve_request(socket.socket(fileno=fds[0]))  # never returns
            os.close(fds[0])
            control.sendall(forked.to_bytes(PID, "little", signed=True))
        else:
            wanted = int.from_bytes(message[1:] + _recv_exact(control, 1 + PID - len(message)), "little", signed=True)
            control.sendall(_wait(wanted).to_bytes(PID, "little", signed=True))


def _reap(_signum: int, _frame: Any) -> None:
    while True:
        try:
            child, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if child == 0:
            return
        _statuses[child] = status
        while len(_statuses) > KEEP_STATUSES:
            del _statuses[next(iter(_statuses))]


def _wait(child: int, timeout: float = STATUS_WAIT) -> int:
    """The wait status of `child`, once it has ended (-1 if it does not within `timeout`: the
    caller kills it)."""
    deadline = time.monotonic() + timeout
    while child not in _statuses:
        try:
            ended, status = os.waitpid(child, os.WNOHANG)
        except ChildProcessError:  # reaped by _reap meanwhile, or not ours at all
            break
        if ended:
            _statuses[child] = status
        elif time.monotonic() > deadline:
            break
        else:
            time.sleep(0.01)
    return _statuses.pop(child, -1)
