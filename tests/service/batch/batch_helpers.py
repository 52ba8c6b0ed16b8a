"""Batch test helpers: a folder of generated forms, what the store holds, a real
redis-server, and `lianfang` subprocesses (workers, batch runs) that can be killed like real ones.

A module of its own rather than conftest.py: `from conftest import` would find tests/conftest.py."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from service.demo import make_form_docx, make_form_xlsx
from service.store.db import read_session
from service.store.models import BatchItem, Entry, Finding, Submission

REPO = Path(__file__).resolve().parents[3]
UNITS = ("财务局", "教育局", "卫生健康委")


def form_spec(unit: str, n: int, rows: int = 2) -> dict:
    return {
        "title": f"{unit}廉政风险点排查登记表",
        "unit": unit,
        "department": f"第{n}科",
        "filled_on": "2024-03-01",
        "person": "张三",
        "rows": [
            {
                "position": f"岗位{n}-{r}",
                "risk": f"{unit}第{n}号表第{r}个风险点:审批把关不严",
                "category": "岗位职责",
                "level": "高" if r % 2 else "低",
                "measures": [f"建立第{n}-{r}项复核制度", "每季度开展专项检查"],
                "owner": "李四",
            }
            for r in range(1, rows + 1)
        ],
    }


def write_forms(root: Path, count: int, *, units: tuple[str, ...] = UNITS, rows: int = 2) -> int:
    """`count` distinct one-page forms under root/<unit>/, docx and xlsx alternating; returns entries."""
    for n in range(count):
        unit = units[n % len(units)]
        folder = root / unit
        folder.mkdir(parents=True, exist_ok=True)
        spec = form_spec(unit, n, rows)
        if n % 2:
            (folder / f"表{n:04d}.xlsx").write_bytes(make_form_xlsx(spec))
        else:
            (folder / f"表{n:04d}.docx").write_bytes(make_form_docx(spec))
    return count * rows


def no_measures_forms(root: Path) -> int:
    """One form in every unit with a risk point that has no measures; returns entries."""
    for n, unit in enumerate(UNITS):
        spec = form_spec(unit, 900 + n, rows=2)
        spec["rows"][1]["measures"] = []
        (root / unit).mkdir(parents=True, exist_ok=True)
        (root / unit / "无措施.docx").write_bytes(make_form_docx(spec))
    return 2 * len(UNITS)


def store_totals() -> dict[str, int]:
    """What the store holds: parsed submissions, entries, and files stored more than once."""
    with read_session() as s:
        submissions = s.scalar(select(func.count()).select_from(Submission).where(Submission.status == "parsed"))
        entries = s.scalar(select(func.count()).select_from(Entry))
        twice = s.scalar(
            select(func.count()).select_from(
                select(Submission.sha256, Submission.unit_id)
                .where(Submission.status == "parsed")
                .group_by(Submission.sha256, Submission.unit_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
    return {"submissions": submissions, "entries": entries, "stored_twice": twice}


def open_findings() -> list[tuple[int, str, str]]:
    """(unit, rule, key) of every open finding, sorted."""
    with read_session() as s:
        rows = s.execute(select(Finding.unit_id, Finding.rule, Finding.key).where(Finding.status == "open")).all()
    return sorted(tuple(r) for r in rows)


def item_states(batch_id: int) -> dict[str, int]:
    with read_session() as s:
        rows = s.execute(
            select(BatchItem.status, func.count()).where(BatchItem.batch_id == batch_id).group_by(BatchItem.status)
        ).all()
    return dict(rows)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def lianfang(*args: str, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    """`lianfang ARGS` as a real process in its own session (so it can be killed as a group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "service", *args],
        cwd=REPO,
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: the children of each of its threads, and theirs."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in map(int, (task / "children").read_text().split()):
                found += [child, *descendants(child)]
    return found


@contextlib.contextmanager
def frozen(pid: int) -> Iterator[None]:
    """Stop every process below `pid` (pool processes, parse children) while inside: no item finishes."""
    stopped = descendants(pid)
    for child in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGSTOP)
    try:
        yield
    finally:
        for child in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGCONT)


def signal_taken(pid: int, signum: int) -> bool:
    """True once the process has taken delivery of `signum` (its handler ran): nothing pending."""
    status = Path(f"/proc/{pid}/status").read_text()
    masks = [int(line.split()[1], 16) for line in status.splitlines() if line.startswith(("SigPnd:", "ShdPnd:"))]
    return not any(mask >> (signum - 1) & 1 for mask in masks)


def kill_tree(pid: int) -> None:
    """SIGKILL a process, its group, and its children's groups (a forked child may have its own)."""
    for group in (*children(pid), pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, "redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record_batch(root: Path, mode: str = "inprocess") -> int:
    """A batch of the files under `root`, recorded but not processed (as a run killed at once leaves it)."""
    from service.batch import items
    from service.batch.attribute import compile_pattern
    from service.batch.discover import discover

    batch_id, _ = items.open_batch(str(root), unit_from="folder", mode=mode, campaign_id=None)
    items.add_items(batch_id, discover(root, max_file_bytes=10**7), unit_from="folder", pattern=compile_pattern(None))
    return batch_id
