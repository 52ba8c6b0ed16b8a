"""Units (单位) and their departments (科室): a department is a unit with a parent.

Names are how people refer to units (CLI, batch folders, forms), so lookup by name
lives here once: a top-level unit wins over a department of the same name.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.activity import SYSTEM, Actor, record
from service.store.errors import NotFound
from service.store.ids import parse_id
from service.store.models import Unit


def find_unit(session: Session, unit: str | int) -> Unit:
    """The unit with this id or name; raises NotFound when there is none or the name is ambiguous."""
    if isinstance(unit, int):
        found = session.get(Unit, unit) if parse_id(unit) else None
        if found is None:
            raise NotFound("unknown_unit", f"单位不存在:编号 {unit}")
        return found
    name = unit.strip()
    matches = session.scalars(select(Unit).where(Unit.name == name).order_by(Unit.parent_id.is_not(None), Unit.id)).all()
    if not matches:
        raise NotFound("unknown_unit", f"单位不存在:{name},请管理员先在“管理”中添加该单位")
    top = [u for u in matches if u.parent_id is None]
    if len(top) == 1 or len(matches) == 1:
        return matches[0]
    raise NotFound("ambiguous_unit", f"有多个名为“{name}”的科室,请写明所属单位或使用编号")


def add_unit(session: Session, name: str, parent: str | int | None = None, *,
             actor: Actor = SYSTEM) -> tuple[Unit, bool]:
    """Create the unit (or department, under `parent`) unless it exists; returns (unit, created)."""
    name = name.strip()
    parent_unit = find_unit(session, parent) if parent is not None else None
    parent_id = parent_unit.id if parent_unit else None
    existing = session.scalars(
        select(Unit).where(Unit.name == name, Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id)
    ).first()
    if existing is not None:
        return existing, False
    unit = Unit(name=name, parent_id=parent_id)
    session.add(unit)
    session.flush()
    record(session, actor, "unit.create", "unit", unit.id, name=name, parent_id=parent_id)
    return unit, True
