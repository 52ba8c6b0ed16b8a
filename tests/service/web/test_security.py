"""Security hardening (issue 16) and the account rules: each test names the defect it guards.

Sessions are revoked server-side; login throttling is per account with growing delays and per
address only at a much higher rate; office notices are the office's; every `next` stays on the
site; 公示 feedback is scoped; hostile ids and JSON types are 4xx in Chinese; weak passwords are
refused; downloads are not stored; cookies and HSTS follow a setting; no server banner; stale
temporary files are swept at start-up.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from service.config import reset_settings
from service.store.db import read_session, write_session
from service.store.models import ActivityLog, IssuedDocument, Submission, User, UserSession
from tests.service.web.conftest import PASSWORD, create_test_app

COOKIE = "lianfang_session"


def _token(client, path: str = "/login") -> str:  # noqa: ANN001
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _try_login(client, username: str, password: str, ip: str = "10.0.0.1", **headers: str):  # noqa: ANN001, ANN201
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _token(client)},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers)


def _copy_cookie(source, target) -> None:  # noqa: ANN001
    target.set_cookie(COOKIE, source.get_cookie(COOKIE).value)


# 1. Logout, password change, disabling and "sign out everywhere" revoke the session ------------

def test_logout_revokes_a_copied_cookie(app, world, login, csrf_of):
    browser, thief = app.test_client(), app.test_client()
    login(browser, "alice")
    _copy_cookie(browser, thief)
    assert thief.get("/upload").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_of(browser, "/upload")})
    assert thief.get("/upload").status_code == 302  # before: the copied cookie still worked for 8 hours
    with read_session() as s:
        assert s.scalar(select(UserSession)) is None


def test_password_change_disable_and_sign_out_everywhere_revoke_other_sessions(app, world, login, post_form,
                                                                             client_for):
    alice, other = app.test_client(), app.test_client()
    login(alice, "alice")
    login(other, "alice")
    post_form(alice, "/account/signout", {})
    assert other.get("/upload").status_code == 302 and alice.get("/upload").status_code == 200

    login(other, "alice")
    post_form(alice, "/account/password", {"current_password": PASSWORD, "new_password": "新的密码-Alice-2026",
                                           "confirm_password": "新的密码-Alice-2026"})
    assert other.get("/upload").status_code == 302  # the old password's sessions end
    assert alice.get("/upload").status_code == 200  # the browser that changed it stays signed in

    with read_session() as s:
        alice_id = s.scalar(select(User.id).where(User.username == "alice"))
    admin = client_for("admin")
    post_form(admin, f"/admin/users/{alice_id}/disable", {"disabled": "1"})
    assert alice.get("/upload").status_code == 302
    assert _try_login(app.test_client(), "alice", "新的密码-Alice-2026").status_code == 403
    post_form(admin, f"/admin/users/{alice_id}/disable", {"disabled": "0"})
    login(alice, "alice", "新的密码-Alice-2026")
    post_form(admin, f"/admin/users/{alice_id}/signout", {})
    assert alice.get("/upload").status_code == 302


# 2. Throttling per account with growing delays, per address only at a much higher rate ---------

def test_one_address_failing_for_one_account_does_not_lock_out_the_admin(app, world):
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        _try_login(client, "alice", "wrong-password")
    assert _try_login(client, "alice", PASSWORD).status_code == 429  # the account waits
    # before: 429 for every user from that address, the admin with the right password included
    assert _try_login(app.test_client(), "admin", "admin-pass").status_code == 302


def test_account_delays_grow_and_pass(app, world):
    client = app.test_client()
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free):
        assert _try_login(client, "bob", "wrong-password").status_code == 401
    refused = _try_login(client, "bob", PASSWORD)
    assert refused.status_code == 429 and "5 秒后再试" in refused.get_data(as_text=True)

    def age_failures(seconds: int) -> None:
        with write_session() as s:
            for row in s.scalars(select(ActivityLog).where(ActivityLog.action == "login_failed")):
                row.at -= timedelta(seconds=seconds)

    age_failures(6)
    assert _try_login(client, "bob", "wrong-again").status_code == 401  # one more try allowed, and failed
    assert "10 秒后再试" in _try_login(client, "bob", PASSWORD).get_data(as_text=True)  # the delay doubled
    age_failures(11)
    assert _try_login(client, "bob", PASSWORD).status_code == 302


def test_address_limit_is_much_higher_and_counts_every_account(app, world):
    app.config["LOGIN_IP_MAX_FAILURES"] = 12
    for i in range(12):
        _try_login(app.test_client(), f"guess{i % 3}", "wrong-password", ip="10.9.9.9")
    refused = _try_login(app.test_client(), "alice", PASSWORD, ip="10.9.9.9")
    assert refused.status_code == 429 and "网络地址" in refused.get_data(as_text=True)
    assert _try_login(app.test_client(), "alice", PASSWORD, ip="10.1.1.1").status_code == 302


def test_forwarded_for_is_believed_only_behind_a_configured_proxy(store, world, monkeypatch):
    app = create_test_app()
    app.config["LOGIN_IP_MAX_FAILURES"] = 3
    for i in range(3):  # a client naming a new address each time is still one address
        _try_login(app.test_client(), f"x{i}", "wrong", ip="10.2.2.2", **{"X-Forwarded-For": f"203.0.113.{i}"})
    assert _try_login(app.test_client(), "alice", PASSWORD, ip="10.2.2.2",
                      **{"X-Forwarded-For": "203.0.113.99"}).status_code == 429

    monkeypatch.setenv("LIANFANG_TRUSTED_PROXIES", "1")
    reset_settings()
    proxied = create_test_app()
    proxied.config["LOGIN_IP_MAX_FAILURES"] = 3
    assert _try_login(proxied.test_client(), "alice", PASSWORD, ip="10.2.2.2",
                      **{"X-Forwarded-For": "203.0.113.99"}).status_code == 302
    with read_session() as s:
        ip = s.scalar(select(ActivityLog.details).where(ActivityLog.action == "login").order_by(ActivityLog.id.desc()))["ip"]
    assert ip == "203.0.113.99"


# 3. Office notices are the office's, on every path ---------------------------------------------

def test_unit_users_cannot_issue_office_notices(client_for, world, post_form, cli):
    from service.documents import DocumentError, generate, may_issue
    from service.store.scope import Viewer

    alice = client_for("alice")
    page = alice.get("/documents").get_data(as_text=True)
    assert "?kind=rectification" not in page and "?kind=warning" not in page
    assert 'href="/documents?kind=ledger"' in page
    for kind in ("rectification", "warning"):
        post_form(alice, "/documents", {"kind": kind, "items": "自行整改"})
    token = cli("token", "create", "alice").output.strip()
    api = client_for("alice")
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = api.post("/api/v1/documents", json={"kind": "rectification", "params": {"items": ["x"]}})
    assert response.status_code == 403 and response.json["error"]["code"] == "office_only"
    assert "办公室" in response.json["error"]["message"]
    unit_user = Viewer(user_id=None, username="alice", is_admin=False, unit_id=world.unit_a)
    assert not may_issue(unit_user, "warning") and may_issue(unit_user, "ledger")
    with pytest.raises(DocumentError) as refused:
        generate("warning", {"items": ["x"]}, viewer=unit_user)
    assert refused.value.code == "office_only"
    with read_session() as s:
        assert s.scalar(select(IssuedDocument.id)) is None  # no 文号 used
    ok = cli("generate", "rectification", "--unit", "安澜县财政局", "--item", "问题", "--out", str(store_tmp()))
    assert ok.exit_code == 0  # the CLI acts as the office


def store_tmp() -> str:
    from service.config import settings

    return str(settings().home / "out.docx")


# 5. Every `next` goes through the safe-redirect helper -----------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example",
                                    "/\t/evil.example", "javascript:alert(1)", "http:/evil.example"])
def test_review_decision_never_follows_an_offsite_next(client_for, world, post_form, target):
    admin = client_for("admin")
    response = post_form(admin, "/review/1/decide", {"action": "approve", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]  # before: the offsite target itself
    assert location.startswith("/") and not location.startswith(("//", "/\\")) and "evil" not in location
    assert post_form(admin, "/review/1/decide", {"action": "approve", "next": "/review/board"}
                     ).headers["Location"] == "/review/board"


# 6. 公示 feedback is scoped: "not yours" reads as "does not exist" ----------------------------

def test_feedback_on_another_units_form_is_refused_like_a_missing_one(client_for, world, seed, post_form):
    theirs = seed(world.unit_b, 1)
    with write_session() as s:
        s.get(Submission, theirs).review_state = "publicity"
        s.add(ActivityLog(actor="admin", action="review.publish", object_type="submission", object_id=theirs,
                       details={"until": (date.today() + timedelta(days=5)).isoformat()}))
    alice = client_for("alice")
    other = post_form(alice, f"/review/{theirs}/feedback", {"text": "这不是我们单位的表"})
    missing = post_form(alice, "/review/999999/feedback", {"text": "这不是我们单位的表"})
    assert other.status_code == missing.status_code == 404
    assert (other.get_data(as_text=True).replace(f"编号 {theirs}", "编号 N")
            == missing.get_data(as_text=True).replace("编号 999999", "编号 N"))
    with read_session() as s:
        assert s.scalar(select(ActivityLog.id).where(ActivityLog.action == "publicity.feedback")) is None
    bob = client_for("bob")  # the unit itself still may
    assert "反馈意见已提交" in post_form(bob, f"/review/{theirs}/feedback", {"text": "建议"},
                                        follow_redirects=True).get_data(as_text=True)


# 9. Inputs validated at the edge: 400/404 in Chinese, never 500 --------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("path", [f"/entries?unit={HUGE}", f"/submissions?unit={HUGE}", f"/review/export/xlsx?unit={HUGE}",
                                  "/entries?unit=²", f"/submissions/{HUGE}", f"/documents/{HUGE}/download",
                                  f"/review/{HUGE}"])
def test_huge_or_odd_ids_on_pages_are_4xx(client_for, world, path):
    response = client_for("admin").get(path)
    assert response.status_code in (302, 400, 404), path
    if response.status_code != 302:
        assert "系统内部错误" not in response.get_data(as_text=True)


def test_huge_ids_and_wrongly_typed_json_on_the_api_are_4xx_in_chinese(client_for, world, cli, post_form, form_docx):
    token = cli("token", "create", "admin").output.strip()
    api = client_for("admin")
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for path in (f"/api/v1/entries?unit={HUGE}", f"/api/v1/submissions?unit={HUGE}"):
        response = api.get(path)
        assert response.status_code == 400 and "单位编号无效" in response.json["error"]["message"], path
    assert api.get(f"/api/v1/submissions/{HUGE}").status_code == 404
    for campaign in (HUGE, "²", "第一期"):
        upload = api.post("/api/v1/submissions", data={"file": (io.BytesIO(form_docx([["科员", "风险", "岗位职责", "低",
                                                                                       "措施"]])), "表.docx"),
                                                       "unit": str(world.unit_a), "campaign": campaign})
        assert upload.status_code == 400 and "年度工作编号无效" in upload.json["error"]["message"], campaign
    for body in ({"kind": "ledger", "params": {"campaign": {}}}, {"kind": "ledger", "params": {"unit": [1]}},
                 {"kind": "ledger", "params": {"items": [{}]}}):
        response = api.post("/api/v1/documents", json=body)
        assert response.status_code == 400 and "类型不正确" in response.json["error"]["message"], body
    response = api.post("/api/v1/documents", json={"kind": "ledger", "params": {"unit": HUGE}})
    assert response.status_code == 422 and "未找到单位" in response.json["error"]["message"]
    export = post_form(client_for("admin"), "/entries/export", {"unit": HUGE})
    assert export.status_code == 302  # back to the list with the reason, not a 500
    for year in ("²", HUGE):
        page = post_form(client_for("admin"), "/admin/campaigns", {"name": "奇怪的年度", "year": year},
                         follow_redirects=True)
        assert "请填写年度(四位数字)" in page.get_data(as_text=True)


# 10. Password rules; the initial admin password must be changed --------------------------------

@pytest.mark.parametrize("password", ["", "x", "12345678", "1234567890", "aaaaaaaaaaaa", "password123",
                                      "qwertyuiop", "abcdefghijk"])
def test_weak_passwords_are_refused_everywhere(cli, client_for, world, post_form, password):
    result = cli("user", "add", "weakling", "--unit", "安澜县财政局", "--password", password)
    assert result.exit_code == 3 and "密码" in result.output
    admin = client_for("admin")
    page = post_form(admin, "/admin/users", {"username": "weakling", "password": password, "unit": str(world.unit_a)},
                     follow_redirects=True).get_data(as_text=True)
    assert "已创建用户" not in page
    with read_session() as s:
        assert s.scalar(select(User).where(User.username == "weakling")) is None
    alice = client_for("alice")
    page = post_form(alice, "/account/password", {"current_password": PASSWORD, "new_password": password,
                                                  "confirm_password": password}, follow_redirects=True)
    assert "密码已修改" not in page.get_data(as_text=True)


def test_a_good_password_is_accepted_by_the_cli(cli, world):
    assert cli("user", "add", "czj2", "--unit", "安澜县财政局", "--password", "安澜财政-2026春").exit_code == 0


def test_initial_admin_password_must_be_changed_at_first_login(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("LIANFANG_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("LIANFANG_DATABASE_URL", raising=False)
    reset_settings()
    try:
        assert cli("init", "--admin-password", "admin").exit_code == 0  # what `make run` does
        app = create_test_app()
        client = app.test_client()
        assert _try_login(client, "admin", "admin").status_code == 302
        for path in ("/upload", "/admin", "/entries", "/documents"):
            assert client.get(path).headers.get("Location") == "/account", path
        assert "请先设置您自己的新密码" in client.get("/account").get_data(as_text=True)
        form = {"current_password": "admin", "csrf_token": _token(client, "/account")}
        weak = client.post("/account/password", data={**form, "new_password": "admin123", "confirm_password": "admin123"},
                           follow_redirects=True)
        assert "密码至少需要 10 个字符" in weak.get_data(as_text=True)
        client.post("/account/password", data={**form,
                                               "new_password": "办公室管理员-Lf2026", "confirm_password": "办公室管理员-Lf2026"})
        assert client.get("/admin").status_code == 200
    finally:
        reset_settings()


# 11. Deployment: no-store downloads, Secure cookie and HSTS by setting --------------------------

def test_downloads_are_not_stored_by_browsers_or_proxies(client_for, world, seed):
    sub = seed(world.unit_a, 1)
    alice = client_for("alice")
    original = alice.get(f"/submissions/{sub}/original")
    assert original.status_code == 200 and original.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in original.headers


def test_secure_cookie_and_hsts_follow_the_setting(store, world, monkeypatch):
    monkeypatch.setenv("LIANFANG_SECURE_COOKIES", "1")
    reset_settings()
    app = create_test_app()
    client = app.test_client()
    response = _try_login(client, "alice", PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# 11 + 12. The real server: no banner; stale temporary files of the file store swept at start -----

def test_serve_sweeps_stale_temp_files_and_sends_no_server_banner(store):
    stale = store.files_dir / "ab" / "cd" / ".tmp-killed-upload"
    fresh = store.files_dir / "ab" / "cd" / ".tmp-being-written"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"a live upload")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)],
                              env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    headers = response.headers
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("lianfang serve did not answer")
    finally:
        server.terminate()
        server.wait(10)
    assert "Server" not in headers  # before: "Server: gunicorn"
    assert not stale.exists() and fresh.exists()


def test_cli_resets_a_password_under_the_same_rules(cli, app, world, login):
    alice = app.test_client()
    login(alice, "alice")
    assert cli("user", "password", "alice", "--password", "123").exit_code == 3
    assert cli("user", "password", "alice", "--password", "临时密码-Reset-26").exit_code == 0
    assert alice.get("/upload").status_code == 302  # her sign-in ended
    login(alice, "alice", "临时密码-Reset-26")
    assert alice.get("/upload").headers["Location"] == "/account"


def test_guessing_the_current_password_on_the_change_form_is_throttled_like_logins(app, world, client_for, post_form):
    alice = client_for("alice")  # e.g. a stolen session
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        post_form(alice, "/account/password", {"current_password": f"guess-{i}", "new_password": "新的密码-Alice-2026",
                                               "confirm_password": "新的密码-Alice-2026"})
    page = post_form(alice, "/account/password", {"current_password": PASSWORD, "new_password": "新的密码-Alice-2026",
                                                  "confirm_password": "新的密码-Alice-2026"}, follow_redirects=True)
    assert "秒后再试" in page.get_data(as_text=True) and "密码已修改" not in page.get_data(as_text=True)


def test_concurrent_guesses_count_against_each_other(app, world):
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> int:
        return _try_login(app.test_client(), "alice", f"parallel-guess-{i}").status_code

    with ThreadPoolExecutor(8) as pool:
        answers = sorted(pool.map(guess, range(16)))
    # each attempt is recorded before its password is checked, so only the free ones get a check
    assert answers.count(401) == app.config["LOGIN_MAX_FAILURES"] and answers.count(429) == 11
