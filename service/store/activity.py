"""The activity log (操作日志, table audit_log): who changed what, written in one way.

A function that makes a change records it itself, inside the caller's transaction, so the web,
the CLI and jobs log the same action with the same details: `record(session, actor, action, …)`.
`Actor` says who acted: a signed-in user (id and name), the CLI, or the system (jobs, the demo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.store.models import ActivityLog, utcnow
from service.store.scope import Viewer


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: `name` is shown in the log; `user_id` is set for a signed-in user."""

    name: str
    user_id: int | None = None

    @classmethod
    def of(cls, viewer: Viewer) -> Actor:
        return cls(viewer.username, viewer.user_id)


CLI = Actor("cli")
SYSTEM = Actor("system")


# Built once, a Core statement: ingest writes a row per file while it holds the writer lock.
_INSERT = insert(ActivityLog.__table__).returning(ActivityLog.__table__.c.id)


def record(session: Session, actor: Actor, action: str, object_type: str | None = None,
           object_id: int | None = None, **details: Any) -> int:
    """Write one log row in the session's transaction; returns its id."""
    return session.execute(_INSERT, {
        "at": utcnow(), "user_id": actor.user_id, "actor": actor.name[:100], "action": action,
        "object_type": object_type, "object_id": object_id, "details": details}).scalar_one()
