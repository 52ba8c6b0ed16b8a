"""Who may see what: the one place queries are limited to a user's unit.

Every query that returns unit data for a person (web, API, CLI with --unit) goes
through `scoped()`; an admin sees all units, a unit user only their own unit and
its departments. Out-of-scope ids look exactly like missing ones (404, not 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.store.models import Unit


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int | None
    username: str
    is_admin: bool
    unit_id: int | None
    role: str = "unit"

    @classmethod
    def system(cls) -> Viewer:
        """The CLI and background jobs act with the office's full view."""
        return cls(user_id=None, username="cli", is_admin=True, unit_id=None, role="admin")


def visible_unit_ids(session: Session, viewer: Viewer) -> list[int] | None:
    """None means every unit (the admin and the 办公室 role); otherwise the viewer's unit and its departments."""
    if viewer.is_admin or viewer.role == "office":
        return None
    if viewer.unit_id is None:
        return []
    children = session.scalars(select(Unit.id).where(Unit.parent_id == viewer.unit_id)).all()
    return [viewer.unit_id, *children]


def scoped(stmt: Select, unit_column, session: Session, viewer: Viewer) -> Select:  # noqa: ANN001
    """Limit `stmt` to the units `viewer` may see, filtering on `unit_column`."""
    ids = visible_unit_ids(session, viewer)
    return stmt if ids is None else stmt.where(unit_column.in_(ids))
