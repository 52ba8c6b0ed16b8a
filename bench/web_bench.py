"""Web speed: upload-and-parse with 8 concurrent clients, and the entries list over 100,000 entries.

Run from the repository root:
    .venv/bin/python bench/web_bench.py [--entries 100000] [--uploads 80] [--workers N]

Makes a fresh store in a temporary LIANFANG_HOME (SQLite), bulk-inserts the entries (20 units,
one measure each), starts `lianfang serve` (gunicorn, a process per core) on a free loopback port in a
child process, then drives it from a thread pool over loopback only, with bounded request
loops: 8 clients POST distinct 50-row .docx forms to /api/v1/submissions (each parsed in the
sandboxed child, stored in one transaction); then filtered, paginated GETs of the entries list,
both /api/v1/entries and the HTML page /entries. Prints p50/p95/max per scenario.

    .venv/bin/python bench/web_bench.py --dashboard [--units 100] [--per-unit 200] [--requests 30]

times the office's 首页 (dashboard: charts, 报送率, late units) over a campaign of 100 units x 200
entries (bench/audit_bench.py's campaign, audited, so findings exist), in-process through the
Flask test client, against the progress board /review/board measured in the same run (target:
dashboard under 300 ms).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_PASSWORD = "bench-admin-pass"
UNIT_PASSWORD = "bench-unit-pass"
DEPARTMENTS = ["办公室", "财务科", "人事科", "审批科", "执法大队", "信息中心", "后勤科", "法规科", "监察室", "计划科"]
CATEGORIES = ["思想道德", "岗位职责", "业务流程", "制度机制", "外部环境"]
LEVELS = ["high", "medium", "low"]
WORDS = ["审批", "采购", "报销", "招标", "执法", "检查", "收费", "资金", "人事", "印章"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_store(clients: int) -> dict[str, object]:
    """The store, 20 units for the bulk entries, one unit (and unit user) per uploading client, tokens."""
    from service.store.bootstrap import init_store
    from service.store.db import write_session
    from service.store.models import Unit
    from service.store.users import add_user
    from service.web.auth import create_token

    init_store(admin_password=ADMIN_PASSWORD)
    with write_session() as s:
        bulk = [Unit(name=f"基准测试单位{i + 1:02d}") for i in range(20)]
        uploading = [Unit(name=f"上传测试单位{i + 1:02d}") for i in range(clients)]
        s.add_all(bulk + uploading)
        s.flush()
        names = [f"bench_unit{i}" for i in range(clients)]
        for name, unit in zip(names, uploading, strict=True):
            add_user(s, name, UNIT_PASSWORD, unit_id=unit.id)
        bulk_ids = [u.id for u in bulk]
    return {"admin_token": create_token("admin"), "unit_tokens": [create_token(n) for n in names],
            "unit_ids": bulk_ids}


def insert_entries(unit_ids: list[int], entry_count: int) -> None:
    """`entry_count` current entries (one measure each) spread over `unit_ids`, inserted in bulk."""
    from sqlalchemy import func, insert, select

    from service.store.db import read_session, write_session
    from service.store.models import Entry, Measure, StoredFile, Submission

    rng = random.Random(7)
    per_unit = entry_count // len(unit_ids)
    with write_session() as s:
        s.add(StoredFile(sha256="0" * 64, size=0))
        subs = []
        for unit_id in unit_ids:
            sub = Submission(unit_id=unit_id, original_name="批量.docx", sha256="0" * 64, status="parsed", form={})
            s.add(sub)
            s.flush()
            subs.append(sub.id)
    with read_session() as s:
        next_id = (s.scalar(select(func.max(Entry.id))) or 0) + 1
    for unit_id, sub_id in zip(unit_ids, subs, strict=True):
        rows, measures = [], []
        for ordinal in range(1, per_unit + 1):
            word = rng.choice(WORDS)
            rows.append({"id": next_id, "submission_id": sub_id, "unit_id": unit_id, "is_current": True,
                         "ordinal": ordinal, "department": rng.choice(DEPARTMENTS), "position": f"{word}岗",
                         "risk": f"{word}环节第{ordinal}项风险:未按规定程序办理,存在利益输送可能",
                         "category": rng.choice(CATEGORIES), "level": rng.choice(LEVELS), "source_row": ordinal + 1})
            measures.append({"entry_id": next_id, "ordinal": 1, "text": f"{word}事项实行集体研究并公开结果"})
            next_id += 1
        with write_session() as s:
            s.execute(insert(Entry), rows)
            s.execute(insert(Measure), measures)


def form_docx(rows: int, *, copied: bool = False) -> bytes:
    """A distinct 50-row department form; `copied` repeats one risk list in every form.

    Copied forms are the audit's worst case: every entry is a copy of one in each other form,
    so each ingest re-audits a unit whose findings grow with every upload.
    """
    from service.demo import make_form_docx

    tag = uuid.uuid4().hex[:8]  # distinct bytes each time: never a duplicate
    rng = random.Random(tag)
    words = "审批采购验收招标收费执法检查核算报销登记许可监管拨付评审核定调配"

    def risk(i: int) -> str:
        if copied:
            return f"第{i}项审批未经集体研究擅自决定"
        return "".join(rng.choice(words) for _ in range(8)) + f"环节第{i}项未经集体研究擅自决定"

    return make_form_docx({
        "title": "科室廉政风险防控排查表", "unit": "基准测试单位01", "department": f"审批科{tag}",
        "filled_on": "2026-05-08",
        "rows": [{"position": f"审批岗{i // 3}", "risk": risk(i), "category": "岗位职责",
                  "level": "高中低"[i % 3], "measures": ["严格执行审批制度", "结果公开"], "owner": "科长"}
                 for i in range(1, rows + 1)],
    })


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def timed(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, response.status


def session_cookie(port: int, username: str, password: str) -> str:
    """Log in through the form like a browser: CSRF token, then the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    body = urlencode({"username": username, "password": password, "csrf_token": token})
    conn.request("POST", "/login", body=body, headers={"Cookie": cookie,
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";", 1)[0]


Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def server_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of the server's processes (its workers too), and of the children they reaped
    (the sandboxed parse children)."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), [int(x) for x in fields[11:15]])
    tree, queue = [], [pid]
    while queue:
        tree.append(queue.pop())
        queue.extend(child for child, (parent, _) in stats.items() if parent == tree[-1])
    tick = os.sysconf("SC_CLK_TCK")
    own = sum(sum(stats[p][1][:2]) for p in tree if p in stats) / tick
    reaped = sum(sum(stats[p][1][2:]) for p in tree if p in stats) / tick
    return own, reaped


def run(name: str, port: int, requests: list[Request], clients: int, expect: int, server: int) -> None:
    before = server_cpu(server)
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda r: timed(port, *r), requests))
    after = server_cpu(server)
    times = sorted(t * 1000 for t, _ in results)
    bad = sum(1 for _, status in results if status != expect)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{name:<52} n={len(times):4d} clients={clients} p50={statistics.median(times):7.1f} ms "
          f"p95={p95:7.1f} ms max={times[-1]:7.1f} ms errors={bad}")
    own, reaped = ((a - b) / len(requests) * 1000 for a, b in zip(after, before, strict=True))
    print(f"{'':<52} server CPU a request: {own:.1f} ms, its reaped children {reaped:.1f} ms")


def dashboard_bench(units: int, per_unit: int, requests: int) -> None:
    """The 首页 of the office over `units` x `per_unit` entries, with the board as the same-run baseline."""
    from bench.audit_bench import build
    from service.audit import run_audit
    from service.web import create_app

    started = time.perf_counter()
    build(units, per_unit)
    run_audit(campaign="基准测试工作")
    print(f"built and audited {units} units x {per_unit} entries in {time.perf_counter() - started:.1f} s")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench"})
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": "admin", "password": "bench-pass", "csrf_token": token}).status_code == 302
    results = {}
    for name, path in (("progress board /review/board (baseline)", "/review/board"), ("dashboard /", "/")):
        client.get(path)  # warm-up
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        results[name] = statistics.median(times)
        print(f"{name}: p50 {statistics.median(times):.0f} ms, p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, "
              f"max {times[-1]:.0f} ms over {requests} requests")
    p50 = results["dashboard /"]
    print(f"{'OK' if p50 < 300 else 'SLOW'}: dashboard p50 {p50:.0f} ms (target < 300 ms), "
          f"{p50 / results['progress board /review/board (baseline)']:.2f}x the board")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dashboard", action="store_true", help="time the office's 首页 only (in-process)")
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--per-unit", type=int, default=200)
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--uploads", type=int, default=80)
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--copied", action="store_true", help="every form repeats one risk list (audit worst case)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--list-requests", type=int, default=400)
    ap.add_argument("--workers", type=int, help="`lianfang serve --workers N` (default: its own, one per core)")
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="lianfang-web-bench-"))
    os.environ["LIANFANG_HOME"] = str(home)
    os.environ.pop("LIANFANG_DATABASE_URL", None)
    os.environ.pop("LIANFANG_REDIS_URL", None)
    if args.dashboard:
        try:
            dashboard_bench(args.units, args.per_unit, args.requests)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        return
    ctx = prepare_store(args.clients)

    port = _free_port()
    command = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        admin = {"Authorization": f"Bearer {ctx['admin_token']}"}
        tokens = ctx["unit_tokens"]
        unit = {"Authorization": f"Bearer {tokens[0]}"}

        def upload(name: str, token: str) -> Request:
            body, ctype = multipart({}, name, form_docx(args.rows, copied=args.copied))
            return "POST", "/api/v1/submissions", body, {"Authorization": f"Bearer {token}", "Content-Type": ctype}

        timed(port, "GET", "/api/v1/entries?page=1", None, admin)  # warm-up
        alone = [upload(f"单独上传{i}.docx", tokens[0]) for i in range(10)]
        run(f"upload+parse {args.rows}-row .docx, one client", port, alone, 1, 201, server.pid)
        # each client is a different unit's user, as when units upload at the same time
        uploads = [upload(f"审批科排查表{i}.docx", tokens[i % len(tokens)]) for i in range(args.uploads)]
        run(f"upload+parse {args.rows}-row .docx (POST /api/v1/submissions)", port, uploads, args.clients, 201, server.pid)

        started = time.perf_counter()
        insert_entries(ctx["unit_ids"], args.entries)
        print(f"inserted {args.entries} entries in {time.perf_counter() - started:.1f} s")

        rng = random.Random(11)
        unit_ids = ctx["unit_ids"]
        pages = max(1, args.entries // 50)

        def query() -> str:
            q = rng.choice([
                {},
                {"page": rng.randint(1, pages)},
                {"level": rng.choice(LEVELS), "page": rng.randint(1, 50)},
                {"unit": rng.choice(unit_ids), "page": rng.randint(1, 20)},
                {"unit": rng.choice(unit_ids), "department": rng.choice(DEPARTMENTS), "level": rng.choice(LEVELS)},
                {"category": rng.choice(CATEGORIES), "level": rng.choice(LEVELS), "page": rng.randint(1, 30)},
                {"q": rng.choice(WORDS), "page": rng.randint(1, 10)},
            ])
            return urlencode(q)

        api = [("GET", f"/api/v1/entries?{query()}", None, rng.choice([admin, unit]))
               for _ in range(args.list_requests)]
        run(f"entries list over {args.entries} (GET /api/v1/entries)", port, api, args.clients, 200, server.pid)
        cookie = {"Cookie": session_cookie(port, "admin", ADMIN_PASSWORD)}
        pages_html = [("GET", f"/entries?{query()}", None, cookie) for _ in range(args.list_requests)]
        run(f"entries page over {args.entries} (GET /entries, HTML)", port, pages_html, args.clients, 200, server.pid)
        single = [("GET", f"/api/v1/entries?{query()}", None, admin) for _ in range(args.list_requests // 2)]
        run(f"entries list over {args.entries}, one client", port, single, 1, 200, server.pid)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
