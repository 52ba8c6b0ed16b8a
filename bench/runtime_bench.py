"""A/B of the batch runners' runtime pieces: core pinning, and the RQ worker's heartbeat throttle.

Usage: .venv/bin/python bench/runtime_bench.py [--files 500] [--rounds 3] [--cases pin,heartbeat]

`pin`: two RQ workers and an in-process pool of two, each with LIANFANG_PIN_CORES=1 and =0.
`heartbeat`: one and two RQ workers as shipped (`service.batch.rq_queue.Worker`, its heartbeat
sent at most once a second) and with RQ's own SimpleWorker heartbeat put back (every refresh
sent); Redis commands a file are read from the server's `total_commands_processed` around the batch.
The variants of a case alternate inside every round, so a noisy minute on a shared machine
hits both (and each runs first in every other round); it prints each round's ratio (variant /
baseline: files per second, and CPU milliseconds a file, which load on a shared machine disturbs
less) and their spread.
Forms, stores and timing are `batch_bench.py`'s (one-page forms, fresh store per run, workers
idle before the batch, clock stopped when the batch's closing audit has run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_bench import (  # noqa: E402  (the bench folder is put on the path first)
    _audited,
    _tree_cpu,
    fresh_store,
    queue_with_workers,
    write_forms,
)

SHIPPED = "import sys; from service.cli import main; sys.argv[1:] = ['worker']; main()"
# RQ's own heartbeat put back into the shipped worker: every refresh sent.
STOCK_HEARTBEAT = "import rq, service.batch.rq_queue as q; q.Worker.heartbeat = rq.SimpleWorker.heartbeat; " + SHIPPED


def _commands(conn) -> int:  # noqa: ANN001
    return int(conn.info("stats")["total_commands_processed"])


def _redis_cpu(conn) -> float:  # noqa: ANN001
    info = conn.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_rq(forms: Path, home: Path, workers: int, worker_code: str) -> tuple[float, float, float]:
    """Seconds for the batch, Redis commands a file, and CPU ms a file (workers, their zygotes and
    parse children, and Redis)."""
    from service.batch import report, run_batch
    from service.batch.rq_queue import connection
    from service.config import reset_settings

    fresh_store(home, None)
    try:
        with queue_with_workers(home, workers, [sys.executable, "-c", worker_code]) as procs:
            conn = connection()
            before, cpu_before = _commands(conn), _tree_cpu([p.pid for p in procs]) + _redis_cpu(conn)
            start = time.perf_counter()
            batch_id = run_batch(forms, queue=True)
            while not _audited(batch_id):
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            commands = _commands(conn) - before
            cpu = _tree_cpu([p.pid for p in procs]) + _redis_cpu(conn) - cpu_before
            counts = report.status(batch_id)["counts"]
    finally:
        os.environ.pop("LIANFANG_REDIS_URL", None)
        reset_settings()
    if counts["done"] != counts["total"]:
        raise SystemExit(f"not every file was done: {counts}")
    return elapsed, commands / counts["total"], cpu / counts["total"] * 1000


def run_inprocess(forms: Path, home: Path, workers: int, files: int) -> tuple[float, float]:
    """Seconds for the batch, and CPU ms a file of the pool (its processes, zygotes, parse children)."""
    from service.batch import run_batch

    fresh_store(home, None)
    cpu_before = _children_cpu()
    start = time.perf_counter()
    run_batch(forms, workers=workers)
    return time.perf_counter() - start, (_children_cpu() - cpu_before) / files * 1000


def _pinned(value: str) -> None:
    from service.config import reset_settings

    os.environ["LIANFANG_PIN_CORES"] = value
    reset_settings()


def _ordered(r: int, pair: tuple, other: tuple) -> list[tuple]:
    """A then B in even rounds, B then A in odd ones: neither variant always runs first."""
    return [pair, other] if r % 2 == 0 else [other, pair]


def pin_round(forms: Path, tmp: Path, r: int, files: int, out: dict[str, list[float]]) -> None:
    for label, value in _ordered(r, ("pinned", "1"), ("unpinned", "0")):
        _pinned(value)
        t, _, cpu = run_rq(forms, tmp / f"pin_rq_{label}_{r}", 2, SHIPPED)
        out.setdefault(f"rq-2 {label}", []).append(files / t)
        out.setdefault(f"rq-2 {label} cpu ms", []).append(cpu)
        t, ip_cpu = run_inprocess(forms, tmp / f"pin_ip_{label}_{r}", 2, files)
        out.setdefault(f"inprocess-2 {label}", []).append(files / t)
        out.setdefault(f"inprocess-2 {label} cpu ms", []).append(ip_cpu)
        print(f"round {r} {label:8s}: rq-2 {out[f'rq-2 {label}'][-1]:6.1f} files/s {cpu:5.1f} ms CPU a file, "
              f"inprocess-2 {out[f'inprocess-2 {label}'][-1]:6.1f} files/s {ip_cpu:5.1f} ms CPU a file;"
              f" load {os.getloadavg()[0]:.1f}", flush=True)
    _pinned("1")


def heartbeat_round(forms: Path, tmp: Path, r: int, files: int, out: dict[str, list[float]]) -> None:
    for workers in (1, 2):
        for label, code in _ordered(r, ("throttled", SHIPPED), ("stock", STOCK_HEARTBEAT)):
            t, per_file, cpu = run_rq(forms, tmp / f"hb_{workers}_{label}_{r}", workers, code)
            out.setdefault(f"rq-{workers} heartbeat {label}", []).append(files / t)
            out.setdefault(f"rq-{workers} heartbeat {label} commands", []).append(per_file)
            out.setdefault(f"rq-{workers} heartbeat {label} cpu ms", []).append(cpu)
            print(f"round {r} rq-{workers} heartbeat {label:9s}: {files / t:6.1f} files/s, "
                  f"{per_file:5.1f} Redis commands and {cpu:5.1f} ms CPU a file; load {os.getloadavg()[0]:.1f}",
                  flush=True)


def summary(out: dict[str, list[float]]) -> None:
    pairs = [(a + m, b + m) for a, b in (("rq-2 pinned", "rq-2 unpinned"), ("inprocess-2 pinned", "inprocess-2 unpinned"),
                                         ("rq-1 heartbeat throttled", "rq-1 heartbeat stock"),
                                         ("rq-2 heartbeat throttled", "rq-2 heartbeat stock")) for m in ("", " cpu ms")]
    for name, values in out.items():
        print(f"median {name:36s} {statistics.median(values):7.1f}  (rounds {', '.join(f'{v:.1f}' for v in values)})")
    for a, b in pairs:
        if a in out and b in out:
            ratios = [x / y for x, y in zip(out[a], out[b], strict=True)]
            print(f"{a} / {b}: median {statistics.median(ratios):.3f}, rounds {', '.join(f'{x:.3f}' for x in ratios)}"
                  f" (min {min(ratios):.3f}, max {max(ratios):.3f})")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", default="pin,heartbeat")
    args = parser.parse_args()
    out: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="lianfang-runtime-bench-") as tmp:
        forms = Path(tmp) / "forms"
        write_forms(forms, args.files)
        for r in range(args.rounds):
            if "pin" in args.cases.split(","):
                pin_round(forms, Path(tmp), r, args.files, out)
            if "heartbeat" in args.cases.split(","):
                heartbeat_round(forms, Path(tmp), r, args.files, out)
    summary(out)


if __name__ == "__main__":
    main()
