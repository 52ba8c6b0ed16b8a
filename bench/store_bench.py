"""Concurrent writers on the store: N processes each run M ingest transactions at once.

Every transaction is a real `service.ingest.ingest_file` call — original stored, duplicate
check, ONE write transaction with submission, entries, measures, roster, audit log and the
audit hook — except that parsing is replaced by a form parsed once up front, so the figure
is about the store (parse speed is bench/parse_bench.py's business).

    .venv/bin/python bench/store_bench.py                      # 8 × 150 on a fresh SQLite store
    .venv/bin/python bench/store_bench.py --processes 8 --transactions 150 --database-url postgresql+psycopg://...

Prints failures (target 0; "database is locked" counted apart) and transactions per second.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers import parse_bytes  # noqa: E402
from service import ingest  # noqa: E402
from service.config import reset_settings  # noqa: E402
from service.demo import DEMO_UNITS, FormSpec, make_form_docx  # noqa: E402
from service.store.bootstrap import init_store  # noqa: E402
from service.store.db import write_session  # noqa: E402
from service.store.units import add_unit  # noqa: E402

UNIT = "安澜县财政局"  # whose demo form every transaction stores (under a new department name)


def _template():
    head, rows = DEMO_UNITS[UNIT]["departments"]["国库股"]
    spec = FormSpec(title="科室廉政风险防控排查表", unit=UNIT, department="国库股", filled_on="2025-04-15",
                    rows=rows, person=head)
    return make_form_docx(spec)


def _writer(worker: int, transactions: int, units: int, template: bytes, queue) -> None:  # noqa: ANN001
    reset_settings()  # never share the parent's connections across fork
    parsed = parse_bytes(template, "国库股.docx")
    latencies, errors = [], []
    for n in range(transactions):
        department = f"科室{worker:02d}-{n:04d}"  # each transaction a new form, never a duplicate
        form = dataclasses.replace(parsed.form, department=department)
        start = time.perf_counter()
        try:
            unit = f"演示单位{(worker * transactions + n) % units:03d}"
            result = ingest.ingest_file(template + department.encode(), f"{department}.docx", unit=unit,
                                        parsed=dataclasses.replace(parsed, form=form))
            if result.status != "parsed":
                errors.append(f"{result.error_code}: {result.error_message}")
        except Exception as exc:  # a benchmark reports every failure instead of stopping
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - start)
    queue.put((latencies, errors))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--transactions", type=int, default=150, help="per process")
    ap.add_argument("--units", type=int, default=40, help="units the forms are spread over (the audit re-reads a unit)")
    ap.add_argument("--database-url", help="default: SQLite in a fresh temporary LIANFANG_HOME")
    ap.add_argument("--without-audit", action="store_true", help="skip the audit hook: the store's own cost")
    args = ap.parse_args()

    home = tempfile.mkdtemp(prefix="lianfang-bench-")
    os.environ["LIANFANG_HOME"] = home
    if args.database_url:
        os.environ["LIANFANG_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("LIANFANG_DATABASE_URL", None)
    reset_settings()
    init_store(admin_password="bench")
    with write_session() as s:
        for u in range(args.units):
            add_unit(s, f"演示单位{u:03d}")
    reset_settings()

    template = _template()
    if args.without_audit:
        ingest.audit_after_ingest = lambda session, submission_id: None
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(w, args.transactions, args.units, template, queue)) for w in range(args.processes)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start

    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, errs in results for e in errs]
    locked = sum("database is locked" in e for e in errors)
    total = args.processes * args.transactions
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"store_bench: {args.processes} processes × {args.transactions} ingest transactions "
          f"over {args.units} units on {backend}{' without the audit' if args.without_audit else ''}")
    print(f"  transactions: {total}, failures: {len(errors)} (database is locked: {locked})")
    print(f"  elapsed {elapsed:.1f} s, {total / elapsed:.1f} transactions/s")
    print(f"  latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms")
    for e in errors[:5]:
        print(f"  e.g. {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
