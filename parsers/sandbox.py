"""Parse an uploaded file in a child process with a memory cap and a wall-clock limit.

A hostile or pathological file can make a parser loop, allocate without bound or crash
inside a C library; in the child that costs only the child. Children are forked by a
lean zygote process (parsers.zygote), not by the caller: forking a large web
server or worker cost more than the parse. The request goes to the child pickled (it
comes from this trusted process); the result comes back as JSON, never pickle: a child
that a malicious file subverted must not run code in the caller.

Memory is capped twice. The caller watches the child's resident memory and kills it
once the parse has added `memory_mb` to what it inherited from the zygote. RLIMIT_AS is
only the backstop for an allocation too fast to watch: address space is not memory —
OCR (onnxruntime, OpenBLAS) reserves about 1 GB of it to use under 400 MB — so it gets
a few times the budget. Either way, and whenever an allocation fails inside the child
(MemoryError, onnxruntime's bad_alloc), the answer is `out_of_memory` ("内存不足").

The budget is chosen from the file before the fork (`memory_budget`): a file that may
need OCR gets limits.OCR_MEMORY_MB, anything else limits.PARSE_MEMORY_MB. With a
`MemoryPool`, the budget is reserved from a machine-wide total first, so parses running
at once never add up to more than that total; waiting for the pool does not count
against the parse's time limit.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import importlib
import json
import os
import pickle
import re
import resource
import select
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers import limits, parse_bytes, zygote
from parsers.errors import ParseError, fail, out_of_memory
from parsers.model import ParsedForm
from parsers.pool import MemoryPool
from parsers.sniff import IMAGE_MAGICS

MB = 1024 * 1024
ADDRESS_SPACE_FACTOR = 3  # RLIMIT_AS allows this many times memory_mb of new address space
WATCH_INTERVAL = 0.01  # seconds between looks at the child's resident memory
CHUNK = 1024 * 1024
# An image XObject's dictionary (a stream's, so never hidden in a compressed object stream);
# not the /ImageB /ImageC names of an old ProcSet, which text PDFs carry too.
PDF_IMAGE = re.compile(rb"/Subtype\s*/Image(?![A-Za-z0-9])")


def parse_isolated(
    data: bytes,
    filename: str,
    *,
    level_standard: dict | None = None,
    timeout: float = limits.PARSE_TIMEOUT,
    memory_mb: int | None = None,
    pool: MemoryPool | None = None,
) -> ParsedForm:
    """`parsers.parse_bytes` in a child process; ParseError('timeout'/'out_of_memory'/...) on failure.

    `memory_mb` defaults to `memory_budget(data)`; with a `pool` the budget is reserved from it first.
    """
    budget = memory_budget(data) if memory_mb is None else memory_mb
    payload = run_isolated(
        _parse_to_json, data, filename, level_standard, timeout=timeout, memory_mb=budget, pool=pool
    )
    form = ParsedForm.from_json(payload)
    form.ocr = payload["ocr"]
    return form


@functools.cache
def preload() -> None:
    """Import the readers once, in the zygote, so every child starts with them loaded (the
    OCR engine stays lazy: it costs more to load than most parses take)."""
    for module in ("parsers.docx", "parsers.xlsx", "parsers.pdf"):
        importlib.import_module(module)


def memory_budget(data: bytes) -> int:
    """The budget of a parse of `data`, from its first bytes, without parsing it: an image, or
    a PDF that holds an image (a scanned page, a photo pasted in), may need OCR."""
    head = data[:1024]
    if head.startswith(IMAGE_MAGICS) or (b"%PDF-" in head and PDF_IMAGE.search(data)):
        return limits.OCR_MEMORY_MB
    return limits.PARSE_MEMORY_MB


def _parse_to_json(data: bytes, filename: str, level_standard: dict | None) -> dict[str, Any]:
    form = parse_bytes(data, filename, level_standard=level_standard)
    return {**form.to_json(), "ocr": form.ocr}


def run_isolated(
    func: Callable[..., Any], *args: Any, timeout: float, memory_mb: int, pool: MemoryPool | None = None
) -> Any:
    """`func(*args)` in a child; its JSON-serialisable result, or its ParseError re-raised.

    `func` must be importable by its module and name (the child imports it). timeout →
    'timeout'; out of memory → 'out_of_memory'; any other failure → 'corrupt_file' (the
    child's traceback is never shown to the user). With a `pool`, `memory_mb` is held from
    it while the child runs.
    """
    with pool.reserve(memory_mb) if pool else contextlib.nullcontext():
        return _run(func, args, timeout, memory_mb)


def _run(func: Callable[..., Any], args: tuple[Any, ...], timeout: float, memory_mb: int) -> Any:
    ours, theirs = socket.socketpair()
    deadline = time.monotonic() + timeout
    try:
        with theirs:
            child, parent = zygote.call(lambda z: (z.fork(theirs), z.process.pid))
        answered = False
        try:
            ours.sendall(pickle.dumps((func.__module__, func.__qualname__, args, memory_mb)))
            ours.shutdown(socket.SHUT_WR)
            message = _await(child, ours, deadline, _resident(parent) + memory_mb * MB)
            answered = True
        finally:
            if not answered:  # timed out, too big, or broken: it and whatever it started go
                _kill_tree(child)
    finally:
        ours.close()
    if "error" in message:
        raise ParseError(message["error"], message["message"])
    return message["result"]


def _kill_tree(pid: int) -> None:
    """Kill the child and everything it started (LibreOffice runs in a session of its own,
    so killing the child alone would leave a converter running on a hostile file).
    Scanning /proc is not free, so a child that answered is left to exit by itself."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    doomed, queue = [], [pid]
    while queue:
        doomed.append(queue.pop())
        queue.extend(parents.get(doomed[-1], []))
    for victim in doomed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def _await(child: int, conn: socket.socket, deadline: float, rss_cap: int) -> dict[str, Any]:
    chunks = []
    poller = select.poll()
    poller.register(conn, select.POLLIN)
    while True:
        if poller.poll(WATCH_INTERVAL * 1000):
            chunk = conn.recv(CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            continue
        if _resident(child) > rss_cap:
            raise fail("out_of_memory")
        if time.monotonic() > deadline:
            raise fail("timeout")
    if not chunks:  # the child died without a word: killed by the kernel or crashed in C code
        status = zygote.call(lambda z: z.status(child))
        killed = status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        raise fail("out_of_memory" if killed else "corrupt_file")
    return json.loads(b"".join(chunks))


def serve_request(conn: socket.socket) -> None:
    """The child's side (forked by the zygote): read the request, run it, answer, exit."""
    faulthandler.disable()  # a crash here is the caller's to report, not a dump on its stderr
    _silence_output()
    try:
        request = b"".join(iter(lambda: conn.recv(CHUNK), b""))
        module, qualname, args, memory_mb = pickle.loads(request)  # noqa: S301  (written by our caller)
        _limit_address_space(_address_space() + ADDRESS_SPACE_FACTOR * memory_mb * MB)
        func: Any = importlib.import_module(module)
        for name in qualname.split("."):
            func = getattr(func, name)
        encoded = _encode({"result": func(*args)})
    except ParseError as exc:
        encoded = _encode({"error": exc.code, "message": exc.message})
    except BaseException as exc:  # noqa: B036 - whatever broke, the user gets the standard message
        encoded = _encode(_error("out_of_memory" if out_of_memory(exc) else "corrupt_file"))
    try:
        conn.sendall(encoded)
        conn.close()
    finally:
        os._exit(0)


def _silence_output() -> None:
    """C libraries in the child (libtiff, LibreOffice's loaders) write raw lines to fds 1 and 2;
    those are the caller's terminal or log, whose only line about a file is the one-line message."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit_address_space(limit: int) -> None:
    """Lower RLIMIT_AS to `limit`, never above a cap the process already has (raising the
    hard limit is refused to non-root users)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    capped = [value for value in (soft, hard) if value != resource.RLIM_INFINITY]
    limit = min([limit, *capped])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode()


def _error(code: str) -> dict[str, str]:
    return {"error": code, "message": fail(code).message}


def _statm(pid: int) -> list[int]:
    """Sizes from /proc/PID/statm in bytes: [address space, resident, ...]; zeros once it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return [int(pages) * resource.getpagesize() for pages in statm.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return [0, 0]


def _address_space() -> int:
    return _statm(os.getpid())[0]


def _resident(pid: int) -> int:
    return _statm(pid)[1]
