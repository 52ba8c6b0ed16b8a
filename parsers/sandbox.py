"""Parse an uploaded file in a forked child with a memory cap and a wall-clock limit.

A hostile or pathological file can make a parser loop, allocate without bound or crash
inside a C library; in the child that costs only the child. Results come back as JSON
(never pickle: a child that a malicious file subverted must not run code in the parent).

Memory is capped twice. The parent watches the child's resident memory and kills it
once the parse has added `memory_mb` to what it inherited (the parent's pages, shared
copy-on-write, are not the parse's doing). RLIMIT_AS is only the backstop for an
allocation too fast to watch: address space is not memory — OCR (onnxruntime, OpenBLAS)
reserves about 1 GB of it to use under 500 MB — so it gets a few times the budget.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import importlib
import json
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers import limits, parse_bytes  # imported here, so every forked child starts with it loaded
from parsers.errors import ParseError, fail
from parsers.model import ParsedForm

MB = 1024 * 1024
ADDRESS_SPACE_FACTOR = 3  # RLIMIT_AS allows this many times memory_mb of new address space
WATCH_INTERVAL = 0.01  # seconds between looks at the child's resident memory
EXIT_GRACE = 1.0  # seconds a child that has answered gets to exit before it is killed (with its children:
# scanning /proc for them costs ~10 ms of system time, more than the parse of a one-page form)


def parse_isolated(
    data: bytes,
    filename: str,
    *,
    level_standard: dict | None = None,
    timeout: float = limits.PARSE_TIMEOUT,
    memory_mb: int = limits.PARSE_MEMORY_MB,
) -> ParsedForm:
    """`parsers.parse_bytes` in a child process; ParseError('timeout'/'too_large'/...) on failure."""
    _preload_readers()
    payload = run_isolated(
        _parse_to_json, data, filename, level_standard, timeout=timeout, memory_mb=memory_mb
    )
    form = ParsedForm.from_json(payload)
    form.ocr = payload["ocr"]
    return form


@functools.cache
def _preload_readers() -> None:
    """Import the readers once here, so every forked child starts with them loaded (the OCR
    engine stays lazy: it costs more to load than most parses take)."""
    for module in ("parsers.docx", "parsers.xlsx", "parsers.pdf"):
        importlib.import_module(module)


def _parse_to_json(data: bytes, filename: str, level_standard: dict | None) -> dict[str, Any]:
    form = parse_bytes(data, filename, level_standard=level_standard)
    return {**form.to_json(), "ocr": form.ocr}


def run_isolated(func: Callable[..., Any], *args: Any, timeout: float, memory_mb: int) -> Any:
    """`func(*args)` in a forked child; its JSON-serialisable result, or its ParseError re-raised.

    timeout → 'timeout'; out of memory → 'too_large'; any other failure → 'corrupt_file'
    (the child's traceback is never shown to the user).
    """
    rss_cap = _resident(os.getpid()) + memory_mb * MB
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, func, args, memory_mb))  # not daemonic: may nest
    child.start()
    sender.close()
    message = None
    try:
        message = _await(child, receiver, time.monotonic() + timeout, rss_cap)
    finally:
        receiver.close()
        if message is not None:  # it answered and is on its way out: let it exit by itself
            child.join(EXIT_GRACE)
        if child.is_alive():
            _kill_tree(child.pid)
        child.join()
    if "error" in message:
        raise ParseError(message["error"], message["message"])
    return message["result"]


def _kill_tree(pid: int) -> None:
    """Kill the child and everything it started (LibreOffice runs in a session of its own,
    so killing the child alone would leave a converter running on a hostile file)."""
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


def _await(child, receiver, deadline: float, rss_cap: int) -> dict[str, Any]:
    while not receiver.poll(WATCH_INTERVAL):
        if _resident(child.pid) > rss_cap:
            raise fail("too_large")
        if time.monotonic() > deadline:
            raise fail("timeout")
    try:
        return json.loads(receiver.recv_bytes())
    except EOFError:  # the child died without a word: killed by the kernel or crashed in C code
        child.join()
        raise fail("too_large" if child.exitcode == -signal.SIGKILL else "corrupt_file") from None


def _child(sender, func: Callable[..., Any], args: tuple, memory_mb: int) -> None:
    faulthandler.disable()  # a crash here is the parent's to report, not a dump on the server's stderr
    try:
        _limit_address_space(_address_space() + ADDRESS_SPACE_FACTOR * memory_mb * MB)
        encoded = _encode({"result": func(*args)})
    except ParseError as exc:
        encoded = _encode({"error": exc.code, "message": exc.message})
    except MemoryError:
        encoded = _encode(_error("too_large"))
    except BaseException:  # noqa: B036 - whatever broke, the user gets the standard message
        encoded = _encode(_error("corrupt_file"))
    sender.send_bytes(encoded)
    sender.close()


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
