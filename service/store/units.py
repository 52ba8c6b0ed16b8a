"""Units (单位) and their departments (科室): a department is a unit with a parent.

Names are how people refer to units (CLI, batch folders, forms, query strings, document
parameters), so lookup lives here once, in `find_unit`, with one rule:

1. an id (an int, or ASCII digits) is that unit — except for a `UnitName`, text read from a file;
2. an exact name: a top-level unit of that name wins over departments of the same name,
   otherwise the one unit or department so named;
3. a full path "单位/科室" (also "单位／科室", spaces around the slash allowed): that
   department of that unit;
4. a unique short name: the one top-level unit whose full name ends with it
   (安澜县财政局 for 财政局).

Several candidates at the first step that has any is `Ambiguous` ("ambiguous_unit"), naming
them all; none at any step is NotFound ("unknown_unit"). With a viewer, only the
units `service.store.scope` lets them see are candidates: others read as missing.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.activity import SYSTEM, Actor, record
from service.store.errors import Ambiguous, NotFound
from service.store.ids import looks_like_id, parse_id
from service.store.models import Unit
from service.store.scope import Viewer, visible_unit_ids

PATH_SEPARATOR = re.compile(r"\s*[/／]\s*")
MIN_SHORT_NAME = 2  # "局" alone names no unit
SHOWN = 50  # characters of a name echoed back in a message


class UnitName(str):
    """A unit named by text found in a file (its folder, its file name, its 填报单位): read by
    name only, never as an id, so a folder called "01" is not filed under unit 1."""


def find_unit(session: Session, unit: str | int, *, viewer: Viewer | None = None) -> Unit:
    """The unit `unit` names by the rule above; raises NotFound (unknown) or Ambiguous."""
    found = _resolve(session, unit, viewer)
    if found is None:
        raise NotFound("unknown_unit", unknown_message(unit))
    return found


def unknown_message(unit: str | int) -> str:
    """What is said of a unit no record answers to."""
    return f"未找到单位:{str(unit).strip()[:SHOWN]}"


def find_unit_or_none(session: Session, unit: str | int, *, viewer: Viewer | None = None) -> Unit | None:
    """`find_unit`, with None for a unit that does not exist (an ambiguous name still raises)."""
    return _resolve(session, unit, viewer)


def unit_path(session: Session, unit: Unit) -> str:
    """How a unit is written unambiguously: its name, or "单位/科室" for a department."""
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return f"{parent.name}/{unit.name}" if parent else unit.name


def _resolve(session: Session, unit: str | int, viewer: Viewer | None) -> Unit | None:
    visible = visible_unit_ids(session, viewer) if viewer is not None else None
    if looks_like_id(unit) and not isinstance(unit, UnitName):
        found = session.get(Unit, parse_id(unit)) if parse_id(unit) else None
        return found if found is not None and (visible is None or found.id in visible) else None
    name = str(unit).strip()
    for step in (_exact, _path, _short):
        matches = [u for u in step(session, name) if visible is None or u.id in visible]
        top = [u for u in matches if u.parent_id is None]
        if len(matches) == 1 or len(top) == 1:
            return top[0] if len(top) == 1 else matches[0]
        if matches:
            candidates = "、".join(unit_path(session, u) for u in matches)  # in the order they were added
            raise Ambiguous("ambiguous_unit", f"“{name[:SHOWN]}”可指多个单位:{candidates},请写明“单位/科室”或使用编号")
    return None


def _exact(session: Session, name: str) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.name == name).order_by(Unit.id)))


def _path(session: Session, name: str) -> list[Unit]:
    parts = PATH_SEPARATOR.split(name)
    if len(parts) != 2 or not all(parts):
        return []
    parents = select(Unit.id).where(Unit.name == parts[0], Unit.parent_id.is_(None))
    return list(session.scalars(select(Unit).where(Unit.name == parts[1], Unit.parent_id.in_(parents)).order_by(Unit.id)))


def _short(session: Session, name: str) -> list[Unit]:
    if len(name) < MIN_SHORT_NAME or PATH_SEPARATOR.search(name):
        return []
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(session.scalars(select(Unit).where(Unit.parent_id.is_(None), Unit.name.like(pattern, escape="\\"))
                                .order_by(Unit.id)))


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
