"""Who is asking: login and logout, server-side sign-ins, API bearer tokens, CSRF, role checks,
login throttling, the account page (own password, sign out everywhere) and safe redirects.

Pages authenticate with the session cookie and must carry the CSRF token on every
write; the API authenticates only with bearer tokens (never the cookie), so a page
on another site cannot drive it. The cookie holds only a random sign-in id whose hash
is a `user_session` row: logout, a password change, disabling the user or "sign out
everywhere" delete the row, so a copied cookie stops working at once.

Failed logins are counted in the audit log, which every worker shares, so the limits
hold behind gunicorn too: per account, growing delays after a few failures (never a
lock an attacker could hold on the admin); per client address, a much higher limit.
"""

from __future__ import annotations

import functools
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
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from service.store.activity import Actor, record
from service.store.db import Lock, advisory_lock, read_session, write_session
from service.store.errors import NotFound
from service.store.models import ActivityLog, ApiToken, User, utcnow
from service.store.scope import Viewer
from service.store.users import (
    close_session,
    hash_password,
    open_session,
    revoke_sessions,
    session_user,
    set_password,
)

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_MESSAGE = "页面已过期或请求来源无法验证,请刷新页面后重试"
SESSION_ID = "sid"
# What a signed-in user who must change the password may still open.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.account", "auth.change_password", "auth.logout", "static"})
THROTTLE_DEFAULTS = {
    "LOGIN_MAX_FAILURES": 5,  # failures of one account before delays begin
    "LOGIN_WINDOW_MINUTES": 15,  # failures older than this are forgotten
    "LOGIN_BASE_DELAY_SECONDS": 5,  # the first delay; it doubles with every further failure
    "LOGIN_MAX_DELAY_SECONDS": 300,
    "LOGIN_IP_MAX_FAILURES": 100,  # failures from one client address (any accounts) in the window
}


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
            raise NotFound("unknown_user", f"用户不存在:{username}")
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
                ApiToken.token_hash == _token_digest(raw.strip()), User.disabled.is_(False)
            )
        )
        return _viewer(user) if user else None


def _session_viewer() -> Viewer | None:
    raw = session.get(SESSION_ID)
    if not isinstance(raw, str) or not raw:
        return None
    with read_session() as s:
        user = session_user(s, raw)
        if user is None:
            return None
        g.must_change_password = user.must_change_password
        return _viewer(user)


def _load_viewer() -> None:
    g.viewer = None
    g.must_change_password = False
    if request.endpoint == "static":
        return
    g.viewer = _bearer_viewer() if request.path.startswith("/api/") else _session_viewer()


def _require_password_change() -> Any:
    """An initial or reset password opens only the page that replaces it."""
    if g.get("must_change_password") and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.account"))
    return None


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


def safe_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host, no tricks browsers undo), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None  # browsers drop tabs/newlines and read \\ as /: "/\t/evil" would become "//evil"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def safe_redirect(target: str | None, fallback: str, **values: Any) -> Any:
    """Every `next` the pages follow goes through here: same site and path only, else `fallback`."""
    return redirect(safe_path(target) or url_for(fallback, **values))


def _client_ip() -> str:
    return request.remote_addr or "-"


def _throttled(s: Session, username: str) -> str | None:
    """Why an attempt at `username`'s password must wait (Chinese), or None."""
    cfg = {key: current_app.config.get(key, default) for key, default in THROTTLE_DEFAULTS.items()}
    now = utcnow()
    since = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    last_ok = s.scalar(select(func.max(ActivityLog.at)).where(
        ActivityLog.action == "login", ActivityLog.actor == username, ActivityLog.at >= since))
    failures, last_failure = s.execute(select(func.count(ActivityLog.id), func.max(ActivityLog.at)).where(
        ActivityLog.action == "login_failed", ActivityLog.actor == username,
        ActivityLog.at >= max(since, last_ok or since))).one()
    if failures >= cfg["LOGIN_MAX_FAILURES"]:
        delay = min(cfg["LOGIN_BASE_DELAY_SECONDS"] * 2 ** (failures - cfg["LOGIN_MAX_FAILURES"]),
                    cfg["LOGIN_MAX_DELAY_SECONDS"])
        wait = delay - (now - last_failure).total_seconds()
        if wait > 0:
            return f"该账号登录失败次数过多,请 {int(wait) + 1} 秒后再试"
    from_ip = s.scalar(select(func.count(ActivityLog.id)).where(
        ActivityLog.action == "login_failed", ActivityLog.at >= since,
        ActivityLog.details["ip"].as_string() == _client_ip())) or 0
    if from_ip >= cfg["LOGIN_IP_MAX_FAILURES"]:
        return f"来自您所在网络地址的登录失败次数过多,请 {cfg['LOGIN_WINDOW_MINUTES']} 分钟后再试"
    return None


def _reserve_attempt(username: str) -> tuple[str | None, int | None]:
    """Check the limits and record the attempt as failed in one serialized write, so attempts in
    flight count against each other; (refusal, None) or (None, the id of the row `_settle` fixes).
    A refused attempt is not recorded. Logins and the change form's current password count alike."""
    with write_session() as s:
        advisory_lock(s, Lock.LOGIN)
        refusal = _throttled(s, username[:100])
        if refusal:
            return refusal, None
        return None, record(s, Actor(username), "login_failed", ip=_client_ip())


def _settle(attempt: int, action: str, user_id: int) -> None:
    """The attempt was not a failure after all: `login`, `login_disabled` or `password_check`."""
    with write_session() as s:
        s.execute(update(ActivityLog).where(ActivityLog.id == attempt).values(action=action, user_id=user_id))


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _sign_in(user_id: int) -> None:
    """A fresh session (no fixation, new CSRF token) bound to a new server-side sign-in."""
    lifetime = current_app.permanent_session_lifetime
    with write_session() as s:
        raw = open_session(s, user_id, lifetime, _client_ip())
    session.clear()
    session[SESSION_ID] = raw
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    again = request.form.get("next", "")
    wait, attempt = _reserve_attempt(username)
    if attempt is None:
        return render_template("login.html", error=wait, next=again), 429
    with read_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        # An unknown name costs the same hash check as a known one: timing tells no names.
        ok = check_password_hash(user.password_hash if user else _dummy_hash(), password) and user is not None
        viewer, disabled = (_viewer(user), user.disabled) if ok and user else (None, False)
    if viewer is None:
        return render_template("login.html", error="用户名或密码错误", next=again), 401
    if disabled:
        _settle(attempt, "login_disabled", viewer.user_id)
        return render_template("login.html", error="该账号已停用,请联系管理员", next=again), 403
    _sign_in(viewer.user_id)
    _settle(attempt, "login", viewer.user_id)
    return safe_redirect(again, "dashboard.index")


@bp.post("/logout")
def logout() -> Any:
    raw = session.get(SESSION_ID)
    if isinstance(raw, str) and raw:
        with write_session() as s:
            close_session(s, raw)
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account() -> Any:
    return render_template("account.html", must_change=g.get("must_change_password", False))


@bp.post("/account/password")
@login_required
def change_password() -> Any:
    viewer = current_viewer()
    form = request.form
    new = form.get("new_password", "")
    wait, attempt = _reserve_attempt(viewer.username)
    if attempt is None:
        flash(wait, "error")
        return redirect(url_for("auth.account"))
    with read_session() as s:  # hashes are checked outside the write lock
        user = s.get(User, viewer.user_id)
        known = user is not None and check_password_hash(user.password_hash, form.get("current_password", ""))
        same = known and check_password_hash(user.password_hash, new)
    if not known:  # the attempt stays a failure: a stolen session guesses no faster than a login
        flash("当前密码不正确", "error")
        return redirect(url_for("auth.account"))
    _settle(attempt, "password_check", viewer.user_id)
    problem = ("两次输入的新密码不一致" if new != form.get("confirm_password", "")
               else "新密码不能与当前密码相同" if same else None)
    if problem:
        flash(problem, "error")
        return redirect(url_for("auth.account"))
    with write_session() as s:  # a PasswordError goes back to the page with the reason (web/errors.py)
        user = s.get(User, viewer.user_id)
        # ends every sign-in, this one included
        set_password(s, user, new, actor=Actor(user.username, user.id), ip=_client_ip())
    _sign_in(viewer.user_id)
    flash("密码已修改,其他设备上的登录已全部退出", "ok")
    return redirect(url_for("dashboard.index"))


@bp.post("/account/signout")
@login_required
def sign_out_elsewhere() -> Any:
    viewer = current_viewer()
    with write_session() as s:
        count = revoke_sessions(s, viewer.user_id, keep=session.get(SESSION_ID))
    flash(f"已退出其他设备上的 {count} 处登录", "ok")
    return redirect(url_for("auth.account"))


def init_app(app: Flask) -> None:
    for key, value in THROTTLE_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.before_request(_load_viewer)
    app.before_request(_check_csrf)
    app.before_request(_require_password_change)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"viewer": g.get("viewer")})
