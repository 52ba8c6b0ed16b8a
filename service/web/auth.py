"""Who is asking: login and logout, sessions, API bearer tokens, CSRF, role checks.

Pages authenticate with the session cookie and must carry the CSRF token on every
write; the API authenticates only with bearer tokens (never the cookie), so a page
on another site cannot drive it. Failed logins are counted in the audit log, which
every worker shares, so the limit holds behind gunicorn too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from service.store.db import read_session, write_session
from service.store.models import ApiToken, AuditLog, User, utcnow
from service.store.scope import Viewer

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_MESSAGE = "页面已过期或请求来源无法验证,请刷新页面后重试"


def _viewer(user: User) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        is_admin=user.is_admin,
        unit_id=user.unit_id,
        role="admin" if user.is_admin else user.role,
    )


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(username: str) -> str:
    """A new API token for `username`; only its hash is stored, so it is shown once."""
    raw = secrets.token_urlsafe(32)
    with write_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise LookupError(username)
        s.add(ApiToken(user_id=user.id, token_hash=_token_digest(raw)))
    return raw


def _bearer_viewer() -> Viewer | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    with read_session() as s:
        user = s.scalar(
            select(User).join(ApiToken, ApiToken.user_id == User.id).where(
                ApiToken.token_hash == _token_digest(raw.strip())
            )
        )
        return _viewer(user) if user else None


def _session_viewer() -> Viewer | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    with read_session() as s:
        user = s.get(User, user_id)
        return _viewer(user) if user else None


def _load_viewer() -> None:
    g.viewer = None
    if request.endpoint == "static":
        return
    g.viewer = _bearer_viewer() if request.path.startswith("/api/") else _session_viewer()


def current_viewer() -> Viewer:
    """The signed-in user; only call behind `login_required`."""
    viewer = g.get("viewer")
    if viewer is None:
        abort(401)
    return viewer


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("viewer") is None:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @login_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_viewer().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    if request.method not in WRITE_METHODS or request.path.startswith("/api/"):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get("X-CSRF-Token") or request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        abort(400, CSRF_MESSAGE)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: `next` must never send a fresh login to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


def _client_ip() -> str:
    return request.remote_addr or "-"


def _recent_failures(username: str) -> int:
    window = current_app.config["LOGIN_WINDOW_MINUTES"]
    since = utcnow() - timedelta(minutes=window)
    with read_session() as s:
        return s.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == "login_failed",
                AuditLog.at >= since,
                or_(AuditLog.actor == username, AuditLog.details["ip"].as_string() == _client_ip()),
            )
        ) or 0


def _log(action: str, username: str, user_id: int | None = None) -> None:
    with write_session() as s:
        s.add(AuditLog(user_id=user_id, actor=username[:100], action=action, details={"ip": _client_ip()}))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if _recent_failures(username) >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
        message = f"登录失败次数过多,请 {minutes} 分钟后再试"
        return render_template("login.html", error=message, next=request.form.get("next", "")), 429
    with read_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        viewer = _viewer(user) if user and check_password_hash(user.password_hash, password) else None
    if viewer is None:
        _log("login_failed", username)
        return render_template("login.html", error="用户名或密码错误", next=request.form.get("next", "")), 401
    session.clear()  # a fresh session on login: no fixation, new CSRF token
    session["user_id"] = viewer.user_id
    session.permanent = True
    _log("login", viewer.username, viewer.user_id)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.before_request(_load_viewer)
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"viewer": g.get("viewer")})
