"""User accounts: the one place an account is created, a password checked and hashed,
and a user's sign-ins (server-side session records) are opened and revoked.

The CLI, the admin page, the demo and `init` all create users; they differ only in
how they report an existing name. Every password a person chooses or an admin sets
goes through `password_problem()`; only `init` (whose admin must change it at first
login) and the demo set one without it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from service.errors import ServiceError
from service.store.activity import SYSTEM, Actor, record
from service.store.models import User, UserSession, utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 128
MIN_DISTINCT = 4
# Passwords every guessing list starts with (compared in lower case, after the checks below).
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "p@ssword123",
    "admin", "admin123", "admin1234", "admin12345", "admin@123", "administrator", "root123456",
    "qwerty", "qwerty123", "qwerty1234", "qwertyuiop", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "1qaz2wsx3edc",
    "qazwsxedc", "qazwsxedcrfv", "zaq12wsx", "abc123456", "abc1234567", "a123456789", "a1234567890",
    "iloveyou", "iloveyou123", "woaini1314", "woaini520", "5201314520", "changeme", "changeme123",
    "welcome", "welcome123", "letmein", "letmein123", "lianfang", "lianfang123", "lianfang2026",
})
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class PasswordError(ServiceError):
    """A password refused by the policy (too short, common, trivially guessable)."""

    status = 422


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def _sequential(text: str) -> bool:
    """abcdefghij, 9876543210, qwertyuiop: each character next to the one before."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    if len(steps) == 1 and steps <= {1, -1}:
        return True
    return any(text in row or text in row[::-1] for row in KEYBOARD_ROWS)


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` may not be used (Chinese), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少需要 {MIN_PASSWORD} 个字符"
    if len(password) > MAX_PASSWORD:
        return f"密码不能超过 {MAX_PASSWORD} 个字符"
    lowered = password.lower()
    rest = lowered.replace(username.lower(), "") if len(username) >= 3 else lowered
    if lowered in COMMON_PASSWORDS or rest in COMMON_PASSWORDS:
        return "该密码过于常见,容易被猜中,请换一个"
    if password.isdigit():
        return "密码不能全部是数字"
    if len(set(rest)) < MIN_DISTINCT or _sequential(rest):
        return "密码过于简单(重复、连续字符或与用户名相近),请换一个"
    return None


def check_password_policy(password: str, username: str = "") -> None:
    problem = password_problem(password, username)
    if problem:
        raise PasswordError("weak_password", problem)


def add_user(
    session: Session,
    username: str,
    password: str,
    *,
    is_admin: bool = False,
    role: str | None = None,
    unit_id: int | None = None,
    actor: Actor = SYSTEM,
    check_password: bool = True,
    must_change: bool = False,
) -> tuple[User, bool]:
    """Create the account unless the name is taken (then it is left as is); returns (user, created).

    The password must pass the policy (PasswordError) unless `check_password` is False, which
    only initial passwords the user must change (`must_change`) and the demo store use.
    """
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        return existing, False
    if check_password:
        check_password_policy(password, username)
    user = User(username=username, password_hash=hash_password(password), is_admin=is_admin,
                role=role or ("admin" if is_admin else "unit"), unit_id=unit_id, must_change_password=must_change)
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, username=username, admin=is_admin, unit_id=unit_id)
    return user, True


def set_password(session: Session, user: User, password: str, *, must_change: bool = False, actor: Actor,
                 **details: Any) -> None:
    """A new password (checked against the policy); every sign-in of the user ends with the old one.

    Logged as the user's own change (`details`: e.g. the address it came from) or as a reset by `actor`.
    """
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    revoke_sessions(session, user.id)
    if actor.user_id == user.id:
        record(session, actor, "user.password_change", "user", user.id, **details)
    else:
        record(session, actor, "user.password_reset", "user", user.id, username=user.username, **details)


def set_disabled(session: Session, user: User, disabled: bool, *, actor: Actor) -> None:
    """Disable (and end every sign-in of) or enable an account."""
    user.disabled = disabled
    if disabled:
        revoke_sessions(session, user.id)
    record(session, actor, "user.disable" if disabled else "user.enable", "user", user.id, username=user.username)


def sign_out_everywhere(session: Session, user: User, *, actor: Actor) -> int:
    """End every sign-in of `user` on behalf of `actor` (an admin); returns how many."""
    count = revoke_sessions(session, user.id)
    record(session, actor, "user.signout_all", "user", user.id, username=user.username, sessions=count)
    return count


def set_role(session: Session, user: User, role: str, *, actor: Actor) -> None:
    """Give the account its review role (科室负责人, 分管领导…)."""
    record(session, actor, "user.role", "user", user.id, **{"from": user.role, "to": role})
    user.role = role


# --- sign-ins -------------------------------------------------------------------------------------

def session_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(session: Session, user_id: int, lifetime: timedelta, ip: str | None) -> str:
    """Record a new sign-in; returns the random id the browser's cookie carries (shown once)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at < now))  # expired ones, of anyone
    session.add(UserSession(token_hash=session_digest(raw), user_id=user_id, created_at=now,
                            expires_at=now + lifetime, ip=(ip or "")[:64] or None))
    return raw


def close_session(session: Session, raw: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == session_digest(raw)))


def revoke_sessions(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every sign-in of `user_id` (except the one whose raw id is `keep`); returns how many."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        stmt = stmt.where(UserSession.token_hash != session_digest(keep))
    return session.execute(stmt).rowcount or 0


def session_user(session: Session, raw: str, now: datetime | None = None) -> User | None:
    """The enabled user a live sign-in belongs to."""
    return session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == session_digest(raw),
            UserSession.expires_at > (now or utcnow()),
            User.disabled.is_(False),
        )
    )
