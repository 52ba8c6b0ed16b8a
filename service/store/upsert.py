"""Insert-if-absent that is safe against a concurrent writer on SQLite and PostgreSQL.

A plain check-then-insert races on PostgreSQL (two ingests of one unit naming the same
person), and the loser's whole transaction would fail on the unique constraint.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def insert_or_ignore(session: Session, model: type, values: dict[str, Any] | list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING of one row or many; how many rows were new."""
    rows = [values] if isinstance(values, dict) else values
    if not rows:
        return 0
    statement = _statement(model, session.bind.dialect.name)
    return session.execute(statement, rows[0] if len(rows) == 1 else rows).rowcount


@functools.cache
def _statement(model: type, dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(model.__table__).on_conflict_do_nothing()
