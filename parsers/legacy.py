"""Legacy .doc/.xls and Kingsoft .wps/.et to .docx/.xlsx through headless LibreOffice.

Each call gets its own profile folder, so parallel workers never share (and lock) one;
LibreOffice picks the input filter from the content (Kingsoft files are Word 97 /
Excel 97 inside, some .xls are HTML), so no filter is forced. The whole process group
is killed on timeout because soffice forks a child that outlives its launcher.

LibreOffice runs outside the parse child's memory watch (a process of its own, in a
session of its own), so the conversion watches it: the resident memory of every process
in its session, summed, must stay within the parse's memory budget, or it is killed and
the file refused as `out_of_memory`. The sandbox's wall-clock limit covers it too (on
timeout the sandbox kills the child and everything it started).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from parsers import limits
from parsers.errors import fail

TARGETS = {"doc": "docx", "wps": "docx", "xls": "xlsx", "et": "xlsx"}
WATCH_INTERVAL = 0.1  # seconds between looks at LibreOffice's memory (a look reads /proc: ~10 ms)
MB = 1024 * 1024


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(
    data: bytes, fmt: str, *, timeout: float = limits.LEGACY_TIMEOUT, memory_mb: int = limits.PARSE_MEMORY_MB
) -> bytes:
    """The .docx (doc, wps) or .xlsx (xls, et) bytes LibreOffice makes of `data`, within
    `timeout` seconds and `memory_mb` of resident memory."""
    target = TARGETS.get(fmt)
    if target is None:
        raise fail("unsupported_format")
    soffice = soffice_path()
    if soffice is None:
        raise fail("libreoffice_missing")
    with tempfile.TemporaryDirectory(prefix="lianfang-lo-") as tmp:
        work = Path(tmp)
        source = work / f"input.{fmt}"
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        _run(command, timeout, memory_mb * MB, env={**os.environ, "HOME": tmp})
        result = work / "out" / f"input.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            raise fail("conversion_failed")
        return result.read_bytes()


def _run(command: list[str], timeout: float, memory: int, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            process.wait(timeout=WATCH_INTERVAL)
            return
        except subprocess.TimeoutExpired:
            pass
        over = _session_resident(process.pid) > memory
        if over or time.monotonic() > deadline:
            _kill_session(process.pid)
            process.wait()
            raise fail("out_of_memory" if over else "timeout")


def _session_resident(session: int) -> int:
    """Resident bytes of every process in `session` (soffice forks soffice.bin, which
    outlives its launcher)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[3]) == session:
                total += int((stat.parent / "statm").read_text().split()[1]) * resource.getpagesize()
    return total


def _kill_session(session: int) -> None:
    """Kill the process group LibreOffice started (its session's group; the session leader's pid)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(session, signal.SIGKILL)
