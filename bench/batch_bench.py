"""Batch speed: one-page .docx/.xlsx forms in-process and through RQ workers, files per second.

Usage: .venv/bin/python bench/batch_bench.py [--files 1000] [--cases inprocess-1,inprocess-2,rq-1,rq-2] [--repeat 3]
                                             [--database-url postgresql+psycopg://user@host:port/postgres]

Generates the forms once (half .docx, half .xlsx, spread over 10 unit folders), then runs
each case in a fresh store (a temporary LIANFANG_HOME; SQLite, or a database created on the
given PostgreSQL server and dropped after): in-process with a pool of
1 and 2 processes, and through a real redis-server (started here on a free port, no
persistence) with 1 and 2 `lianfang worker` processes, started and idle before the batch
as under the Procfile. A case is timed from the start of `run_batch` (finding, storing and,
on the queue path, enqueueing the files) to the last file done. Targets (issue 6): 2 RQ workers reach at least
1.7x one worker; the queue path costs under 30 ms a file more than in-process with as many
processes.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNITS = [f"测试单位{i:02d}" for i in range(10)]


def write_forms(root: Path, count: int, rows: int = 1) -> None:
    from service.demo import make_form_docx, make_form_xlsx

    for n in range(count):
        unit = UNITS[n % len(UNITS)]
        spec = {
            "title": f"{unit}廉政风险点排查登记表",
            "unit": unit,
            "department": f"第{n}科",
            "filled_on": "2024-03-01",
            "rows": [{"position": f"岗位{n}-{r}", "risk": f"第{n}号表第{r}项:审批把关不严,存在优亲厚友",
                      "category": "岗位职责", "level": "高中低"[r % 3],
                      "measures": [f"建立第{n}-{r}项复核制度", "每季度开展专项检查"], "owner": "李四"}
                     for r in range(1, rows + 1)],
        }
        folder = root / unit
        folder.mkdir(parents=True, exist_ok=True)
        make = make_form_xlsx if n % 2 else make_form_docx
        (folder / f"表{n:05d}{'.xlsx' if n % 2 else '.docx'}").write_bytes(make(spec))


def _server(server_url: str, *statements: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def fresh_database(server_url: str, name: str) -> str:
    """A new, empty database on the PostgreSQL server; its URL."""
    from sqlalchemy.engine import make_url

    _server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def fresh_store(home: Path, server_url: str | None) -> None:
    from service.config import reset_settings
    from service.store.bootstrap import init_store
    from service.store.db import write_session
    from service.store.units import add_unit

    os.environ["LIANFANG_HOME"] = str(home)
    if server_url:
        os.environ["LIANFANG_DATABASE_URL"] = fresh_database(server_url, f"lianfang_bench_{home.name}")
    reset_settings()
    init_store(admin_password="bench-pass")
    with write_session() as s:
        for unit in UNITS:
            add_unit(s, unit)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_redis(timeout: float = 10) -> None:
    from redis.exceptions import ConnectionError as RedisDown

    from service.batch.rq_queue import connection

    deadline = time.monotonic() + timeout
    while True:
        try:
            connection().ping()
            return
        except RedisDown:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _wait_for_workers(count: int, timeout: float = 60) -> None:
    from rq import Worker

    from service.batch.rq_queue import connection

    deadline = time.monotonic() + timeout
    while Worker.count(connection=connection()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not start within {timeout} s")
        time.sleep(0.05)


WORKER = [sys.executable, "-m", "service", "worker"]


@contextmanager
def queue_with_workers(home: Path, count: int, command: list[str] = WORKER) -> Iterator[list[subprocess.Popen]]:
    """A redis-server on a free port (no persistence) and `count` workers running `command`,
    started and idle before the batch, as under the Procfile; all stopped after."""
    from service.config import reset_settings

    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                              "--dir", str(home)], stdout=subprocess.DEVNULL)
    workers: list[subprocess.Popen] = []
    try:
        os.environ["LIANFANG_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        reset_settings()
        _wait_for_redis()
        workers = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(count)]
        _wait_for_workers(count)
        yield workers
    finally:
        for w in workers:
            w.terminate()
            w.wait()
        redis.kill()
        redis.wait()


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes, their children (the zygotes) and the
    children those reaped (the parse children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        family = [pid] + [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                          for c in (task / "children").read_text().split()]
        for member in family:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
            own_and_reaped = 13 if member == pid else 15  # utime stime [cutime cstime]
            total += sum(int(f) for f in fields[11:own_and_reaped])
    return total / tick


def _audited(batch_id: int) -> bool:
    from sqlalchemy import select

    from service.store.db import read_session
    from service.store.models import Batch

    with read_session() as s:
        return s.scalar(select(Batch.audited_at).where(Batch.id == batch_id)) is not None


def _cpu_times() -> list[int]:
    return [int(f) for f in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def _idle_share(before: list[int]) -> float:
    delta = [b - a for a, b in zip(before, _cpu_times(), strict=True)]
    return (delta[3] + delta[4]) / sum(delta)


def run_case(case: str, forms: Path, home: Path, server_url: str | None) -> float:
    """Seconds from the start of the batch to its last file done."""
    from service.batch import report
    from service.batch.run import run_batch

    fresh_store(home, server_url)
    mode, processes = case.split("-")
    if mode == "inprocess":
        os.environ.pop("LIANFANG_REDIS_URL", None)
        start = time.perf_counter()
        batch_id = run_batch(forms, workers=int(processes))
        elapsed = time.perf_counter() - start
    else:
        with queue_with_workers(home, int(processes)) as workers:
            before, cores_before = _tree_cpu([w.pid for w in workers]), _cpu_times()
            start = time.perf_counter()
            batch_id = run_batch(forms, queue=True)
            while not _audited(batch_id):  # every file done, and the batch's closing audit run
                time.sleep(0.05)  # looking costs the workers' cores too: ±0.5 % of a 10 s run
            elapsed = time.perf_counter() - start
            used, idle = _tree_cpu([w.pid for w in workers]) - before, _idle_share(cores_before)
            files = report.status(batch_id)["counts"]["total"]
            print(f"  workers, zygotes and parse children: {used / files * 1000:.1f} ms CPU a file;"
                  f" cores idle {idle:.0%} of the time", flush=True)
    counts = report.status(batch_id)["counts"]
    if server_url:
        from service.config import reset_settings

        reset_settings()
        _server(server_url, f'DROP DATABASE IF EXISTS "lianfang_bench_{home.name}" WITH (FORCE)')
    if counts["done"] != counts["total"]:
        raise SystemExit(f"{case}: not every file was done: {counts}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--cases", default="inprocess-1,inprocess-2,rq-1,rq-2")
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it); default SQLite")
    parser.add_argument("--rows", type=int, default=1, help="risk points on each form (a one-page form holds about 8)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of all cases; figures are per-case medians")
    args = parser.parse_args()
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="lianfang-batch-bench-") as tmp:
        forms = Path(tmp) / "forms"
        write_forms(forms, args.files, args.rows)
        for round_ in range(args.repeat):  # rounds interleave the cases, so a noisy minute hits all of them
            for case in args.cases.split(","):
                home = Path(tmp) / f"{case.replace('-', '_')}_{round_}"
                elapsed = run_case(case, forms, home, args.database_url)
                times.setdefault(case, []).append(elapsed)
                print(f"{case:12s} {args.files} files in {elapsed:7.1f} s = {args.files / elapsed:6.1f} files/s",
                      flush=True)
    results = {case: statistics.median(values) for case, values in times.items()}
    if args.repeat > 1:
        for case, elapsed in results.items():
            print(f"median {case:12s} {args.files / elapsed:6.1f} files/s over {args.repeat} rounds")
    if "rq-1" in results and "rq-2" in results:
        ratios = [one / two for one, two in zip(times["rq-1"], times["rq-2"], strict=True)]
        print(f"rq-2 / rq-1 speed-up: {results['rq-1'] / results['rq-2']:.2f}x of the medians"
              f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target >= 1.7x)")
    for n in ("1", "2"):
        if f"rq-{n}" in results and f"inprocess-{n}" in results:
            extra = (results[f"rq-{n}"] - results[f"inprocess-{n}"]) * int(n) / args.files * 1000
            print(f"queue cost over in-process with {n} process(es): {extra:+.1f} ms a file (target < 30 ms)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
