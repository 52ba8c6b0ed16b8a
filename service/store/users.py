"""User accounts: the one place an account is created and a password hashed.

The CLI, the admin page, the demo and `init` all create users; they differ only in
how they report an existing name.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from service.store.models import AuditLog, User


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def add_user(
    session: Session,
    username: str,
    password: str,
    *,
    is_admin: bool = False,
    role: str | None = None,
    unit_id: int | None = None,
    actor: str = "cli",
    by: int | None = None,
) -> tuple[User, bool]:
    """Create the account unless the name is taken (then it is left as is); returns (user, created)."""
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        return existing, False
    user = User(username=username, password_hash=hash_password(password), is_admin=is_admin,
                role=role or ("admin" if is_admin else "unit"), unit_id=unit_id)
    session.add(user)
    session.flush()
    session.add(AuditLog(user_id=by, actor=actor, action="user.create", object_type="user", object_id=user.id,
                         details={"username": username, "admin": is_admin, "unit_id": unit_id}))
    return user, True
