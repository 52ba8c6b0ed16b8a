"""Legacy .doc/.xls and Kingsoft .wps/.et to .docx/.xlsx through headless LibreOffice.

Each call gets its own profile folder, so parallel workers never share (and lock) one;
LibreOffice picks the input filter from the content (Kingsoft files are Word 97 /
Excel 97 inside, some .xls are HTML), so no filter is forced. The whole process group
is killed on timeout because soffice forks a child that outlives its launcher.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parsers import limits
from parsers.errors import fail

TARGETS = {"doc": "docx", "wps": "docx", "xls": "xlsx", "et": "xlsx"}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, fmt: str, *, timeout: float = limits.LEGACY_TIMEOUT) -> bytes:
    """The .docx (doc, wps) or .xlsx (xls, et) bytes LibreOffice makes of `data`."""
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
        _run(command, timeout, env={**os.environ, "HOME": tmp})
        result = work / "out" / f"input.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            raise fail("conversion_failed")
        return result.read_bytes()


def _run(command: list[str], timeout: float, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise fail("timeout") from None
