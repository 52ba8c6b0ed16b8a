"""Probe the web app as an attacker would, class by class, and count what was tried and what
answered wrongly (the figures of docs/security.md and issue 16's closing note).

    .venv/bin/python bench/security_probe.py

A fresh store in a temporary LIANFANG_HOME: two units (A, B) with a user each, B's form in 公示,
a notice and a batch of B's. Every route of the app is enumerated from its URL map, so a new
route is probed without editing this script. "wrong" counts answers that break the rule of the
class (e.g. a 2xx carrying unit B's data for unit A's user, a 500, an offsite Location).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LIANFANG_HOME"] = tempfile.mkdtemp(prefix="lianfang-probe-")
os.environ.pop("LIANFANG_DATABASE_URL", None)

from sqlalchemy import func, select  # noqa: E402

from service.store.bootstrap import init_store  # noqa: E402
from service.store.db import read_session, write_session  # noqa: E402
from service.store.models import ActivityLog, IssuedDocument, Submission, User  # noqa: E402
from service.store.users import hash_password  # noqa: E402
from service.web import create_app  # noqa: E402
from service.web.auth import create_token  # noqa: E402
from tests.service.web.conftest import _seed_entries  # noqa: E402

PASSWORD = "probe-pass-2026"
MARK_B = "交通局风险点"  # the text of unit B's risk points: seen by unit A's user = a leak
tried: Counter[str] = Counter()
wrong: Counter[str] = Counter()
examples: dict[str, list[str]] = {}


def record(cls: str, ok: bool, what: str) -> None:
    tried[cls] += 1
    if not ok:
        wrong[cls] += 1
        examples.setdefault(cls, []).append(what)


def setup() -> dict[str, int]:
    init_store(admin_password="admin-pass-2026")
    with write_session() as s:
        from service.store.models import Unit

        a, b = Unit(name="安澜县财政局"), Unit(name="安澜县交通局")
        s.add_all([a, b])
        s.flush()
        for name, unit in (("alice", a.id), ("bob", b.id)):
            s.add(User(username=name, password_hash=hash_password(PASSWORD), unit_id=unit))
        ids = {"unit_a": a.id, "unit_b": b.id}
    ids["sub_b"] = _seed_entries(ids["unit_b"], 2, risk=MARK_B)
    with write_session() as s:
        s.get(Submission, ids["sub_b"]).review_state = "publicity"
        s.add(ActivityLog(actor="admin", action="review.publish", object_type="submission", object_id=ids["sub_b"],
                       details={"until": (date.today() + timedelta(days=5)).isoformat()}))
        doc = IssuedDocument(kind="rectification", unit_id=ids["unit_b"], filename="通知.docx", sha256="0" * 64)
        s.add(doc)
        s.flush()
        ids["doc_b"] = doc.id
        ids["user_b"] = s.scalar(select(User.id).where(User.username == "bob"))
    return ids


def login(app, username: str, password: str = PASSWORD):  # noqa: ANN001, ANN201
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    return client


def csrf(client) -> str:  # noqa: ANN001
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").get_data(as_text=True)).group(1)


def fill(rule: str, ids: dict[str, int], value: str | None = None) -> str:
    mapping = {"submission_id": ids["sub_b"], "document_id": ids["doc_b"], "user_id": ids["user_b"], "batch_id": 1}
    path = re.sub(r"<int:(\w+)>", lambda m: value or str(mapping.get(m.group(1), 1)), rule)
    return path.replace("<fmt>", "xlsx").replace("<path:filename>", "style.css")


def access_control(app, ids: dict[str, int]) -> None:  # noqa: ANN001
    """Unit A's user (page cookie, and API token) on every route, with unit B's ids and filters."""
    alice = login(app, "alice")
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('alice')}"
    before = state_of_b(ids)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login", "auth.logout"):
            continue
        client = api if rule.rule.startswith("/api/") else alice
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for query in ("", f"?unit={ids['unit_b']}", "?unit=安澜县交通局"):
                path = fill(rule.rule, ids) + query
                data = {"csrf_token": csrf(alice), "unit": str(ids["unit_b"]), "action": "approve", "comment": "x",
                        "text": "x", "kind": "ledger", "disabled": "1", "password": "Probe-Reset-2026"}
                if method == "GET":
                    response = client.get(path)
                elif client is api:
                    response = client.post(path, json={"kind": "ledger", "params": {"unit": ids["unit_b"]}})
                else:
                    response = client.post(path, data=data)
                body = response.get_data(as_text=True) if response.mimetype != "application/octet-stream" else ""
                leaked = 200 <= response.status_code < 300 and MARK_B in body  # B's risk points, not the echoed filter
                record("access control (unit A user → unit B / admin)", not leaked and response.status_code < 500,
                       f"{method} {path} {response.status_code}")
    record("access control (unit A user → unit B / admin)", state_of_b(ids) == before, "unit B's data changed")


def state_of_b(ids: dict[str, int]) -> tuple:
    with read_session() as s:
        sub = s.get(Submission, ids["sub_b"])
        bob = s.get(User, ids["user_b"])
        return (sub.review_state, bob.password_hash, bob.disabled,
                s.scalar(select(func.count(IssuedDocument.id)).where(IssuedDocument.unit_id == ids["unit_b"])),
                s.scalar(select(func.count(ActivityLog.id)).where(ActivityLog.action == "publicity.feedback")))


def csrf_attempts(app) -> None:  # noqa: ANN001
    """Every page POST without a token, with a forged one and with another session's token."""
    alice, admin = login(app, "alice"), login(app, "admin", "admin-pass-2026")
    foreign = csrf(login(app, "bob"))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        for client in (alice, admin):
            for token in (None, "forged", foreign):
                data = {"username": "alice", "password": PASSWORD} | ({"csrf_token": token} if token else {})
                response = client.post(fill(rule.rule, {"sub_b": 1, "doc_b": 1, "user_b": 2}), data=data)
                record("CSRF", response.status_code == 400, f"POST {rule.rule} token={token} {response.status_code}")


PAYLOADS = ["' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE entry", "<script>alert(1)</script>", "\"><img src=x onerror=1>",
            "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%00", "\x00", "{{7*7}}", "${7*7}", "%", "_", "\\",
            "99999999999999999999999", "-1", "0", "1e9", "²", "①", "١٢", " ", "a" * 5000]
LIST_PAGES = {"/entries": ("unit", "department", "level", "category", "q", "page"),
              "/submissions": ("unit", "status", "from", "to", "page"),
              "/api/v1/entries": ("unit", "department", "level", "category", "q", "page"),
              "/api/v1/submissions": ("unit", "status", "from", "to", "page"),
              "/review/export/xlsx": ("unit", "campaign"), "/review/board": ("campaign",), "/documents": ("page",)}


def injection(app, ids: dict[str, int]) -> None:  # noqa: ANN001
    admin = login(app, "admin", "admin-pass-2026")
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('admin')}"
    for path, params in LIST_PAGES.items():
        client = api if path.startswith("/api/") else admin
        for param in params:
            for payload in PAYLOADS:
                response = client.get(path, query_string={param: payload})
                body = response.get_data(as_text=True)
                ok = response.status_code < 500 and "<script>alert(1)</script>" not in body and "onerror=1>" not in body
                record("injection, traversal, odd values (query)", ok, f"{path}?{param}={payload[:20]} {response.status_code}")
    for field in ("campaign", "unit", "department", "person", "items", "stage", "level", "deadline"):
        for value in ({}, [], [{}], 1.5, True, None, "x" * 3000, HUGE, -1, ["../../etc/passwd"], "<script>"):
            response = api.post("/api/v1/documents", json={"kind": "ledger", "params": {field: value}})
            record("injection, traversal, odd values (JSON)", response.status_code < 500,
                   f"documents {field}={value!r:.20} {response.status_code}")
    for value in (HUGE, "-1", "0", "²", "abc"):
        for path in ("/submissions/{}", "/submissions/{}/original", "/review/{}", "/documents/{}/download",
                     "/api/v1/submissions/{}", "/admin/users/{}"):
            response = (api if path.startswith("/api/") else admin).get(path.format(value))
            record("injection, traversal, odd values (ids)", response.status_code in (400, 404), f"{path} {value}")


HUGE = "99999999999999999999999"
OFFSITE = ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
           "/\n/evil.example", "http:/evil.example", "javascript:alert(1)", "https:evil.example", " //evil.example",
           "/%2f%2fevil.example", "evil.example"]


def redirects(app) -> None:  # noqa: ANN001
    for target in OFFSITE:
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                               "next": target})
        location = response.headers.get("Location", "")
        record("open redirect", location.startswith("/") and not location.startswith(("//", "/\\")), f"login {target}")
        admin = login(app, "admin", "admin-pass-2026")
        response = admin.post("/review/1/decide", data={"csrf_token": csrf(admin), "action": "approve", "next": target})
        location = response.headers.get("Location", "")
        record("open redirect", location.startswith("/") and not location.startswith(("//", "/\\")),
               f"decide {target} → {location}")


def revocation(app) -> None:  # noqa: ANN001
    pages = ("/upload", "/entries", "/submissions", "/documents", "/review/", "/account")
    admin = login(app, "admin", "admin-pass-2026")
    with read_session() as s:
        alice_id = s.scalar(select(User.id).where(User.username == "alice"))
    ways = {
        "logout": lambda c: c.post("/logout", data={"csrf_token": csrf(c)}),
        "sign out everywhere": lambda c: (other := login(app, "alice")).post("/account/signout",
                                                                               data={"csrf_token": csrf(other)}),
        "admin signs the user out": lambda c: admin.post(f"/admin/users/{alice_id}/signout",
                                                         data={"csrf_token": csrf(admin)}),
        "admin disables the user": lambda c: admin.post(f"/admin/users/{alice_id}/disable",
                                                        data={"csrf_token": csrf(admin), "disabled": "1"}),
    }
    for name, revoke in ways.items():
        with write_session() as s:
            s.get(User, alice_id).disabled = False
        victim = login(app, "alice")
        thief = app.test_client()
        thief.set_cookie("lianfang_session", victim.get_cookie("lianfang_session").value)
        revoke(victim)
        for page in pages:
            record("session replay after revocation", thief.get(page).status_code == 302, f"{name} {page}")
    with write_session() as s:
        s.get(User, alice_id).disabled = False


def throttling(app) -> None:  # noqa: ANN001
    for i in range(30):  # one address guessing one account, spoofing X-Forwarded-For
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": "bob", "password": f"guess-{i}", "csrf_token": token},
                               headers={"X-Forwarded-For": f"198.51.100.{i}"})
        record("login guessing", response.status_code == (401 if i < 5 else 429), f"guess {i}: {response.status_code}")
    client = login(app, "alice")  # another account from the same address still signs in
    record("login guessing", client.get("/upload").status_code == 200, "other account locked out")


def main() -> None:
    ids = setup()
    app = create_app({"TESTING": True, "SECRET_KEY": "probe"})
    redirects(app)
    csrf_attempts(app)
    injection(app, ids)
    revocation(app)
    throttling(app)
    access_control(app, ids)
    print("| class | requests | wrong answers |")
    print("|---|---|---|")
    for cls in tried:
        print(f"| {cls} | {tried[cls]} | {wrong[cls]} |")
    print(f"| **all** | {sum(tried.values())} | {sum(wrong.values())} |")
    for cls, items in examples.items():
        print(f"\n{cls}: " + "; ".join(items[:8]))


if __name__ == "__main__":
    main()
