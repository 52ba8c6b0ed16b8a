"""Batch runners take a core each, and their parse zygote (so every parse child) runs on it."""

from __future__ import annotations

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


def _runner(tmp_path: Path, **env: str) -> tuple[subprocess.Popen, dict]:
    """A process set up as a batch runner; it holds its core until its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path), "LIANFANG_HOME": str(tmp_path / "home"), **env},
    )
    return proc, json.loads(proc.stdout.readline())


def _stop(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(10)


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


def test_pinning_can_be_switched_off(tmp_path: Path) -> None:
    proc, seen = _runner(tmp_path, LIANFANG_PIN_CORES="0")
    _stop(proc)
    assert seen["own"] == sorted(os.sched_getaffinity(0))
