"""Start-up of the `lianfang` command: `lianfang --help` must answer in ≤ 0.3 s.

Runs each command N times as a new process and prints the median wall time and CPU time,
beside the bare interpreter (`python -c pass`) measured in the same run, then the slowest
imports of `lianfang --help` (`python -X importtime`, cumulative).

    .venv/bin/python bench/startup_bench.py            # 11 runs each
    .venv/bin/python bench/startup_bench.py --runs 21 --top 15
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIANFANG = Path(sys.executable).with_name("lianfang")  # the console script pip installed beside python
TARGET_S = 0.3


def _run(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(argv: list[str], runs: int) -> tuple[float, float]:
    _run(argv)  # warm the page cache and .pyc files
    times = [_run(argv) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def _slowest_imports(top: int) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "service", "--help"], cwd=REPO,
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--top", type=int, default=10, help="slowest imports to list")
    args = ap.parse_args()
    if not LIANFANG.exists():
        sys.exit(f"{LIANFANG} not found: run with the project's venv python (pip install -e .)")

    cases = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "lianfang --help": [str(LIANFANG), "--help"],
        "lianfang parse --help": [str(LIANFANG), "parse", "--help"],
        "lianfang init --help": [str(LIANFANG), "init", "--help"],
    }
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it, CPU times barely)")
    print(f"{'command':<28} {'wall median':>12} {'CPU median':>11} {'× baseline':>11}")
    baseline = None
    results = {}
    for name, argv in cases.items():
        wall, cpu = results[name] = _median(argv, args.runs)
        baseline = baseline or wall
        print(f"{name:<28} {wall * 1000:>9.0f} ms {cpu * 1000:>8.0f} ms {wall / baseline:>10.1f}×")
    wall = results["lianfang --help"][0]
    print(f"\nlianfang --help: {wall:.3f} s, target ≤ {TARGET_S} s: {'met' if wall <= TARGET_S else 'NOT met'}")
    print(f"\nslowest imports of `lianfang --help` (cumulative µs, {args.top}):")
    for micros, module in _slowest_imports(args.top):
        print(f"{micros:>10}  {module}")


if __name__ == "__main__":
    main()
