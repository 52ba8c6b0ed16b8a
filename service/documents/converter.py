"""PDF from LibreOffice: a warm soffice per process, a cold one when that cannot be had.

Starting LibreOffice costs seconds; a document converts in a fraction of one. Each process that
converts (a web worker, the CLI, a batch runner) keeps one soffice listening on a private UNO
pipe, with its own profile folder, and talks to it through `uno_helper.py` run by a Python that
has the `uno` module (Debian's python3-uno: the project's own interpreter has none). A
conversion is bounded: past its time limit both are killed and the next conversion starts a
fresh pair. They are also restarted after MAX_DOCUMENTS conversions and when either has died.
When there is no UNO Python, or the warm pair fails, the document is converted by a cold
`soffice --convert-to pdf` with a profile of its own (the old way, seconds a document).

Both ways run LibreOffice with the project's fontconfig file (assets/fonts.conf), which maps
the official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体) to the free faces
the set-up installs.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from functools import lru_cache
from pathlib import Path

from parsers.legacy import soffice_path
from service.documents.errors import DocumentError

FONTS_CONF = Path(__file__).resolve().parent / "assets" / "fonts.conf"
HELPER = Path(__file__).resolve().parent / "uno_helper.py"
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
MAX_DOCUMENTS = 200
START_TIMEOUT_S = 60.0
TIMEOUT_S = 120.0
COLD_MIN_S = 1.0  # a warm attempt that used up the time still leaves the cold fallback this long


def environment(home: Path) -> dict[str, str]:
    """soffice's environment: the project's fonts, a HOME of its own."""
    env = {**os.environ, "HOME": str(home), "FONTCONFIG_FILE": str(FONTS_CONF)}
    env.pop("PYTHONPATH", None)  # the UNO Python must not see the project's virtualenv
    env.pop("PYTHONHOME", None)
    return env


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """An interpreter that can `import uno`, or None."""
    for candidate in UNO_PYTHONS:
        if not os.access(candidate, os.X_OK):
            continue
        try:
            done = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30,
                                  env=environment(Path(tempfile.gettempdir())))
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return candidate
    return None


def _kill(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class WarmConverter:
    """One soffice and its UNO helper, started on first use; not shared between processes."""

    def __init__(self, soffice: str, python: str) -> None:
        self.soffice, self.python = soffice, python
        self.office: subprocess.Popen | None = None
        self.helper: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.done = 0
        self.pid = os.getpid()
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return (self.office is not None and self.office.poll() is None
                and self.helper is not None and self.helper.poll() is None)

    def stop(self) -> None:
        _kill(self.helper)
        _kill(self.office)
        self.office = self.helper = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _read(self, timeout: float) -> dict:
        assert self.helper is not None and self.helper.stdout is not None
        ready, _, _ = select.select([self.helper.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.helper.stdout.readline()
        if not line:
            raise ConnectionError("helper exited")
        return json.loads(line)

    def start(self) -> None:
        self.stop()
        self.folder = Path(tempfile.mkdtemp(prefix="lianfang-soffice-"))
        pipe = f"lianfang_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        env = environment(self.folder)
        self.office = subprocess.Popen(
            [self.soffice, f"-env:UserInstallation={(self.folder / 'profile').as_uri()}", "--headless",
             "--invisible", "--nologo", "--norestore", "--nolockcheck", "--nodefault",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=env)
        self.helper = subprocess.Popen(
            [self.python, str(HELPER), pipe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True, env=env, text=True, bufsize=1)
        self.done = 0
        if not self._read(START_TIMEOUT_S).get("ready"):
            raise ConnectionError("helper not ready")

    def convert(self, source: Path, target: Path, timeout: float) -> None:
        """Convert, starting or restarting the pair as needed; raises on failure or time-out."""
        with self.lock:
            if not self.alive() or self.done >= MAX_DOCUMENTS:
                self.start()
            assert self.helper is not None and self.helper.stdin is not None
            try:
                self.helper.stdin.write(json.dumps({"source": str(source), "target": str(target)}) + "\n")
                self.helper.stdin.flush()
                reply = self._read(timeout)
            except (OSError, TimeoutError, ConnectionError, ValueError):
                self.stop()  # hung or dead: the next conversion starts a fresh pair
                raise
            self.done += 1
            if "error" in reply:
                raise RuntimeError(reply["error"])


_warm: WarmConverter | None = None
_warm_lock = threading.Lock()


def warm() -> WarmConverter | None:
    """This process's warm converter (a forked child gets its own), or None without UNO."""
    global _warm
    with _warm_lock:
        if _warm is not None and _warm.pid != os.getpid():
            _warm = None  # inherited through fork: the pair belongs to the parent
        if _warm is None:
            soffice, python = soffice_path(), uno_python()
            if soffice is None or python is None:
                return None
            _warm = WarmConverter(soffice, python)
        return _warm


@atexit.register
def _stop_warm() -> None:
    if _warm is not None and _warm.pid == os.getpid():
        _warm.stop()


def start_warm() -> bool:
    """Start this process's converter now (e.g. when a server worker starts); True when warm."""
    converter = warm()
    if converter is None:
        return False
    with converter.lock:
        if not converter.alive():
            try:
                converter.start()
            except (OSError, TimeoutError, ConnectionError, ValueError):
                converter.stop()
                return False
    return True


def cold(source: Path, target: Path, timeout: float) -> None:
    """One `soffice --convert-to pdf` with a profile of its own."""
    soffice = soffice_path()
    if soffice is None:
        raise DocumentError("libreoffice_missing", "转换 PDF 需要安装 LibreOffice,请联系管理员")
    with tempfile.TemporaryDirectory(prefix="lianfang-pdf-") as tmp:
        command = [soffice, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", tmp, str(source)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, env=environment(Path(tmp)))
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise DocumentError("timeout", f"转换 PDF 超时({timeout:.0f} 秒)") from None
        produced = Path(tmp) / f"{source.stem}.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise DocumentError("conversion_failed", f"{source.name} 转换 PDF 失败")
        shutil.move(produced, target)


def to_pdf(source: Path, target: Path, *, timeout: float = TIMEOUT_S, allow_warm: bool = True) -> str:
    """Convert `source` (.docx/.xlsx) to `target` (.pdf); returns "warm" or "cold" (how it was done)."""
    converter = warm() if allow_warm else None
    if converter is not None:
        started = time.monotonic()
        try:
            converter.convert(source, target, timeout)
            if target.is_file() and target.stat().st_size:
                return "warm"
        except (OSError, TimeoutError, ConnectionError, RuntimeError, ValueError):
            pass
        timeout = max(timeout - (time.monotonic() - started), COLD_MIN_S)
    cold(source, target, timeout)
    return "cold"
