"""The sandbox child's side: what runs in the process the zygote forks for one request.

`parsers.sandbox` (the caller's side) sends a request; `parsers.zygote` forks a child that
runs `serve_request` on it. Both import this module and neither imports the other's side:
the request's framing (`CHUNK`), the child's address-space cap and the function run for a
parse live here.
"""

from __future__ import annotations

import faulthandler
import functools
import importlib
import json
import os
import pickle
import resource
import socket
from typing import Any

from parsers import parse_bytes
from parsers.errors import ParseError, fail, out_of_memory

MB = 1024 * 1024
CHUNK = 1024 * 1024  # bytes read from a request or answer socket at a time
ADDRESS_SPACE_FACTOR = 3  # RLIMIT_AS allows this many times memory_mb of new address space


@functools.cache
def preload() -> None:
    """Import the readers once, in the zygote, so every child starts with them loaded (the
    OCR engine stays lazy: it costs more to load than most parses take)."""
    for module in ("parsers.docx", "parsers.xlsx", "parsers.pdf"):
        importlib.import_module(module)


def parse_to_json(data: bytes, filename: str, level_standard: dict | None) -> dict[str, Any]:
    """`parse_bytes` as the JSON the child answers with (the OCR flag beside the contract)."""
    form = parse_bytes(data, filename, level_standard=level_standard)
    return {**form.to_json(), "ocr": form.ocr}


def serve_request(conn: socket.socket) -> None:
    """Read the request (module, function, arguments, memory budget), run it, answer, exit."""
    faulthandler.disable()  # a crash here is the caller's to report, not a dump on its stderr
    _silence_output()
    try:
        request = b"".join(iter(lambda: conn.recv(CHUNK), b""))
        module, qualname, args, memory_mb = pickle.loads(request)  # noqa: S301  (written by our caller)
        _limit_address_space(statm(os.getpid())[0] + ADDRESS_SPACE_FACTOR * memory_mb * MB)
        func: Any = importlib.import_module(module)
        for name in qualname.split("."):
            func = getattr(func, name)
        encoded = _encode({"result": func(*args)})
    except ParseError as exc:
        encoded = _encode({"error": exc.code, "message": exc.message})
    except BaseException as exc:  # noqa: B036 - whatever broke, the user gets the standard message
        code = "out_of_memory" if out_of_memory(exc) else "corrupt_file"
        encoded = _encode({"error": code, "message": fail(code).message})
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


def statm(pid: int) -> list[int]:
    """Sizes from /proc/PID/statm in bytes: [address space, resident, ...]; zeros once it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as sizes:
            return [int(pages) * resource.getpagesize() for pages in sizes.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return [0, 0]
