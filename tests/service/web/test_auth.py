"""Login, logout, rate limiting, CSRF, role checks, security headers and cookie flags."""

from __future__ import annotations

import re

PASSWORD = "secret-pass-1"  # the conftest users' password


def test_pages_need_login_and_redirect_back(app, world, csrf_of, login):
    client = app.test_client()
    response = client.get("/entries?level=high")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/entries")
    login(client, "alice")
    assert client.get("/entries").status_code == 200


def test_wrong_password_is_refused_in_chinese(app, world, csrf_of, login):
    client = app.test_client()
    token = csrf_of(client)
    response = client.post("/login", data={"username": "alice", "password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited(app, world, csrf_of, login):
    client = app.test_client()
    token = csrf_of(client)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": "alice", "password": "wrong", "csrf_token": token})
    # even the right password is refused while the limit holds
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_login_ignores_offsite_next(app, world, csrf_of, login):
    for target in ("//evil.example/x", "/\\evil.example", "https://evil.example/"):
        client = app.test_client()
        token = csrf_of(client)
        response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                               "next": target})
        assert response.headers["Location"] == "/", target


def test_csrf_token_required_on_every_form(app, world, csrf_of, login):
    client = app.test_client()
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    login(client, "alice")
    for path in ("/upload", "/documents", "/entries/export", "/logout", "/admin/users"):
        response = client.post(path, data={"csrf_token": "forged"})
        assert response.status_code == 400, path
    assert client.post("/upload", data={"csrf_token": "伪造"}).status_code == 400


def test_logout_ends_the_session(app, world, csrf_of, login):
    client = app.test_client()
    login(client, "alice")
    token = csrf_of(client, "/upload")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/upload").status_code == 302


def test_admin_pages_refuse_unit_users(client_for):
    response = client_for("alice").get("/admin")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    assert client_for("admin").get("/admin").status_code == 200


def test_security_headers_and_cookie_flags(app, world):
    client = app.test_client()
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_chinese_404(client_for):
    response = client_for("alice").get("/no-such-page")
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_secret_key_is_kept_in_the_store_and_shared(store):
    from service.web import create_app

    first, second = create_app(), create_app()
    assert first.secret_key == second.secret_key and len(first.secret_key) == 64
    assert (store.home / "secret_key").stat().st_mode & 0o077 == 0


def test_every_route_but_login_and_static_needs_a_user(app, world):
    """Walks the whole URL map (other areas' blueprints included): nothing leaks to an anonymous caller."""
    open_endpoints = {"auth.login", "static", "openapi.spec"}
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_endpoints:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{arg}>", "1" if "int:" in rule.rule else "docx", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            checked += 1
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
            elif method == "GET":
                assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)
            else:  # writes are refused before anything runs: no CSRF token, no session
                assert response.status_code in (302, 400), (method, path)
    assert checked >= 20
