"""Parse an uploaded file in a child process with a memory cap and a wall-clock limit.

A hostile or pathological file can make a parser loop, allocate without bound or crash
inside a C library; in the child that costs only the child. Children are forked by a
lean zygote process (parsers.zygote) and run parsers.child, not by the caller: forking a large web
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
import json
import os
import pickle
import re
import select
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers import limits, zygote
from parsers.child import CHUNK, MB, parse_to_json, statm
from parsers.errors import ParseError, fail
from parsers.model import ParsedForm
from parsers.pool import MemoryPool
from parsers.sniff import IMAGE_MAGICS

WATCH_INTERVAL = 0.01  # seconds between looks at the child's resident memory
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
        parse_to_json, data, filename, level_standard, timeout=timeout, memory_mb=budget, pool=pool
    )
    form = ParsedForm.from_json(payload)
    form.ocr = payload["ocr"]
    return form


def memory_budget(data: bytes) -> int:
    """The budget of a parse of `data`, from its first bytes, without parsing it: an image, or
    a PDF that holds an image (a scanned page, a photo pasted in), may need OCR."""
    head = data[:1024]
    if head.startswith(IMAGE_MAGICS) or (b"%PDF-" in head and PDF_IMAGE.search(data)):
        return limits.OCR_MEMORY_MB
    return limits.PARSE_MEMORY_MB


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


def _resident(pid: int) -> int:
    return statm(pid)[1]
