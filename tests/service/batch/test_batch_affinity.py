"""Batch runners take a core each, and their parse zygote (so every parse child) runs on it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RUNNER = """
import json, os, sys
from parsers import zygote
from service.batch.process import prepare_runner
prepare_runner()
print(json.dumps({"own": sorted(os.sched_getaffinity(0)), "zygote": sorted(os.sched_getaffinity(zygote.pid()))}),
      flush=True)
sys.stdin.read()  # hold the core until the test lets go
"""

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
restricted_here = pytest.mark.skipif(hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) < os.cpu_count(),
                                     reason="this process is held to a subset of the cores: runners do not pin")


def _runner(tmp_path: Path, cores: set[int] | None = None, **env: str) -> tuple[subprocess.Popen, dict]:
    """A process set up as a batch runner (started on `cores` when given, as a container's cpuset
    would); it holds its core until its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path), "LIANFANG_HOME": str(tmp_path / "home"), **env},
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )
    return proc, json.loads(proc.stdout.readline())


def _stop(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(10)


@restricted_here
def test_each_runner_takes_a_free_core_with_its_zygote_and_the_rest_stay_unpinned(tmp_path: Path) -> None:
    cores = sorted(os.sched_getaffinity(0))
    runners = [_runner(tmp_path) for _ in cores]
    extra = None
    try:
        assert sorted(seen["own"] for _, seen in runners) == [[core] for core in cores]
        assert all(seen["zygote"] == seen["own"] for _, seen in runners)

        extra = _runner(tmp_path)  # every core is held: this one is left to the scheduler
        assert extra[1]["own"] == cores and extra[1]["zygote"] == cores

        freed = runners[0][1]["own"]
        _stop(runners[0][0])  # a runner that ends frees its core for the next
        runners[0] = _runner(tmp_path)
        assert runners[0][1]["own"] == freed
    finally:
        for proc, _ in [*runners, *([extra] if extra else [])]:
            _stop(proc)


@restricted_here
def test_pinning_can_be_switched_off(tmp_path: Path) -> None:
    proc, seen = _runner(tmp_path, LIANFANG_PIN_CORES="0")
    _stop(proc)
    assert seen["own"] == sorted(os.sched_getaffinity(0))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: a runner cannot be held to fewer")
def test_a_runner_held_to_fewer_cores_than_the_machine_has_is_not_pinned(tmp_path: Path) -> None:
    allowed = sorted(os.sched_getaffinity(0))
    subset = set(allowed[:-1]) if len(allowed) == os.cpu_count() else set(allowed)
    proc, seen = _runner(tmp_path, subset)
    try:
        assert seen["own"] == sorted(subset) and seen["zygote"] == sorted(subset)  # left where it was put
        for lock in (tmp_path / f"lianfang-cores-{os.getuid()}").glob("core-*.lock"):  # no core was claimed
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
    finally:
        _stop(proc)
