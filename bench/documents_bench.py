"""Document generation speed: `python bench/documents_bench.py` (from the repository root).

Targets (issue 4): 阶段总结 of a unit with 2,000 entries, charts included, < 2 s; 500 commitment
letters as a zip < 60 s; a ledger of 50,000 entries < 30 s with memory < 1 GB (max RSS).
Targets (issue 14): the first 阶段总结 of a fresh server process (after its start-up warm-up)
≤ 1.5 s, beside the same without warm-up; PDF of a 3-page 整改通知书 ≤ 0.5 s with the warm
LibreOffice converter (median of 5 after the first), beside the cold fallback (a new soffice).
The store is a fresh SQLite file in a temporary LIANFANG_HOME; each case runs in its own child
process so its max RSS is its own; process CPU time (which includes imports) is shown beside
the wall time because the machine may be shared.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

UNIT = "基准测试局"
OTHERS = "其他单位"
SMALL = "小单位"  # 200 entries: the first summary of a server process
PERSONS = 500
ENTRIES_PER_PERSON = 4  # 2,000 entries in UNIT
LEDGER_TOTAL = 50_000
CASES = {
    "summary": ("summary", {"unit": UNIT}, 2.0),
    "commitment": ("commitment", {"unit": UNIT}, 60.0),
    "ledger": ("ledger", {}, 30.0),
}


def _rows(unit_id: int, campaign_id: int, submission_id: int, count: int, start: int) -> list[dict]:
    levels = ("high", "medium", "low")
    types = ("思想道德", "岗位职责", "业务流程", "制度机制", "外部环境")
    return [{
        "id": start + i, "submission_id": submission_id, "unit_id": unit_id, "campaign_id": campaign_id,
        "is_current": True, "ordinal": i + 1, "department": f"第{(i // ENTRIES_PER_PERSON) % 12 + 1}科",
        "position": f"岗位{(i // ENTRIES_PER_PERSON) % 40 + 1}", "person": f"干部{i // ENTRIES_PER_PERSON + 1:04d}",
        "duty": "行政审批", "risk": f"第{i + 1}个风险点:审批环节不按规定程序办理,存在优亲厚友的风险",
        "category": types[i % 5], "category_label": types[i % 5], "level": levels[i % 3],
        "level_label": "高中低"[i % 3], "owner": f"干部{i // ENTRIES_PER_PERSON + 1:04d}", "deadline": "2026-12-31",
    } for i in range(count)]


def prepare() -> None:
    from sqlalchemy import insert

    from service.store.bootstrap import init_store
    from service.store.db import write_session
    from service.store.models import Campaign, Entry, Measure, StoredFile, Submission, Unit

    init_store(admin_password="bench")
    with write_session() as s:
        c = Campaign(name="基准测试任务", year=2026, stages=[{"name": "查找风险", "start": "2026-01-01",
                                                          "end": "2026-12-31"}])
        units = [Unit(name=UNIT), Unit(name=OTHERS)]
        s.add_all([c, *units, StoredFile(sha256="0" * 64, size=1)])
        s.flush()
        next_id = 1
        small = Unit(name=SMALL)
        s.add(small)
        s.flush()
        for unit, count in ((units[0], PERSONS * ENTRIES_PER_PERSON),
                            (units[1], LEDGER_TOTAL - PERSONS * ENTRIES_PER_PERSON - 200), (small, 200)):
            sub = Submission(campaign_id=c.id, unit_id=unit.id, original_name="bench.xlsx", sha256="0" * 64,
                             status="parsed")
            s.add(sub)
            s.flush()
            rows = _rows(unit.id, c.id, sub.id, count, next_id)
            s.execute(insert(Entry), rows)
            s.execute(insert(Measure), [{"entry_id": r["id"], "ordinal": k + 1, "text": f"措施{k + 1}:严格执行审批制度,实行集体研究"}
                                        for r in rows for k in range(3)])
            next_id += count


def run_first_summary(warm: bool) -> None:
    """A fresh process, as a server worker: optionally warm up as it would at start, then the first summary."""
    from service.documents import generate, warm_up
    from service.store.scope import Viewer

    start = time.perf_counter()
    if warm:
        warm_up(converter_too=False)
    warmed = time.perf_counter() - start
    start = time.perf_counter()
    generate("summary", {"unit": SMALL}, viewer=Viewer.system())
    print(f"{time.perf_counter() - start:.2f} {warmed:.2f}")


def run_pdf() -> None:
    """A 3-page notice: PDF by the warm converter (first, then the median of 5) and by a cold soffice."""
    import statistics

    from service.documents import converter, generate, pdf
    from service.store.scope import Viewer

    items = ["风险点排查不全面,部分岗位职责梳理不清晰,防控措施缺少责任人和完成时限" for _ in range(20)]
    start = time.perf_counter()
    doc = generate("rectification", {"unit": UNIT, "items": items}, viewer=Viewer.system())
    made = time.perf_counter() - start
    data = doc.path.read_bytes()
    times, cpu = [], []
    office = converter.warm()
    for _ in range(6):
        before = _group_cpu(office.office.pid) if office and office.office else 0.0
        start = time.perf_counter()
        out = pdf.pdf_bytes(data, ".docx")
        times.append(time.perf_counter() - start)
        cpu.append(_group_cpu(office.office.pid) - before if office and office.office else 0.0)
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(out)) as d:
        pages = len(d.pages)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "notice.docx")
        source.write_bytes(pdf.for_libreoffice(data))
        start = time.perf_counter()
        converter.to_pdf(source, Path(tmp, "notice.pdf"), allow_warm=False)
        cold = time.perf_counter() - start
    print(f"{times[0]:.2f} {statistics.median(times[1:]):.2f} {cold:.2f} {pages} {made:.2f} "
          f"{statistics.median(cpu[1:]):.2f}")


def _group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the processes of group `pgid` (the warm soffice and its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_case(name: str) -> None:
    from service.documents import generate
    from service.store.scope import Viewer

    kind, params, _ = CASES[name]
    start = time.perf_counter()
    result = generate(kind, params, viewer=Viewer.system())
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if name == "commitment":
        with zipfile.ZipFile(result.path) as z:
            assert len(z.namelist()) == PERSONS + 1, len(z.namelist())  # one per person + the merged one
    print(f"{elapsed:.2f} {usage.ru_maxrss / 1024:.0f} {result.path.stat().st_size} {usage.ru_utime + usage.ru_stime:.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lianfang-bench-") as home:
        env = {**os.environ, "LIANFANG_HOME": home}
        env.pop("LIANFANG_DATABASE_URL", None)
        env.pop("LIANFANG_TEMPLATES", None)
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--prepare"], env=env, check=True)
        print(f"store: {PERSONS * ENTRIES_PER_PERSON} entries in {UNIT}, {LEDGER_TOTAL} in all "
              f"(3 measures each), filled in {time.perf_counter() - t:.1f} s")
        failed = False
        for name, (_, _, limit) in CASES.items():
            out = subprocess.run([sys.executable, __file__, "--case", name], env=env, check=True,
                                 capture_output=True, text=True).stdout.split()
            elapsed, rss, size, cpu = float(out[0]), float(out[1]), int(out[2]), float(out[3])
            ok = elapsed < limit and (name != "ledger" or rss < 1024)
            failed |= not ok
            print(f"{name:11s} {elapsed:7.2f} s (limit {limit:g} s, process CPU {cpu:.1f} s)  max RSS {rss:5.0f} MB  "
                  f"{size / 1e6:6.1f} MB  {'ok' if ok else 'TOO SLOW/BIG'}")
        for warm in (True, False):
            out = subprocess.run([sys.executable, __file__, "--first-summary", str(int(warm))], env=env, check=True,
                                 capture_output=True, text=True).stdout.split()
            first, warmed = float(out[0]), float(out[1])
            ok = first <= 1.5 or not warm
            failed |= not ok
            label = f"after the start-up warm-up ({warmed:.2f} s)" if warm else "without warm-up"
            print(f"first summary of a fresh process {label}: {first:.2f} s (limit 1.5 s)  {'ok' if ok else 'TOO SLOW'}")
        out = subprocess.run([sys.executable, __file__, "--pdf"], env=env, check=True,
                             capture_output=True, text=True).stdout.split()
        first, median, cold, pages, made, cpu = (float(out[0]), float(out[1]), float(out[2]), int(out[3]),
                                                 float(out[4]), float(out[5]))
        ok = median <= 0.5 and pages >= 3
        failed |= not ok
        print(f"PDF of a {pages}-page notice: warm {median:.2f} s median, soffice CPU {cpu:.2f} s (first, starting "
              f"soffice: {first:.2f} s; limit 0.5 s), cold {cold:.2f} s; the notice itself (版记 laid out) {made:.2f} s"
              f"  {'ok' if ok else 'TOO SLOW'}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        prepare()
    elif sys.argv[1:2] == ["--first-summary"]:
        run_first_summary(sys.argv[2] == "1")
    elif sys.argv[1:2] == ["--pdf"]:
        run_pdf()
    elif sys.argv[1:2] == ["--case"]:
        run_case(sys.argv[2])
    else:
        main()
