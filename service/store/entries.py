"""A stored risk point as the outside world reads it: one dict for the pages, /api/v1 and the CLI.

`entry_as_dict` is the shape the API documents (`Entry` in service/web/openapi.py) and
`lianfang entries --json` prints, so the three can never disagree on a field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import labels
from service.store.models import Entry, Unit


def unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Display names of units: a department as "单位 / 科室"."""
    if not ids:
        return {}
    rows = session.execute(select(Unit.id, Unit.name, Unit.parent_id).where(Unit.id.in_(ids))).all()
    parents = {p for _, _, p in rows if p}
    parent_names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(parents))).all()) if parents else {}
    return {i: f"{parent_names[p]} / {n}" if p in parent_names else n for i, n, p in rows}


def source_text(e: Entry) -> str:
    """Where in its file a point was read: 工作表“…” 表N 第N页 第N行, or a dash."""
    parts = []
    if e.source_sheet:
        parts.append(f"工作表“{e.source_sheet}”")
    if e.source_table is not None:
        parts.append(f"表{e.source_table + 1}")
    if e.source_page is not None:
        parts.append(f"第{e.source_page}页")
    if e.source_row is not None:
        parts.append(f"第{e.source_row}行")
    return " ".join(parts) or labels.DASH


def entry_as_dict(e: Entry, names: dict[int, str]) -> dict[str, Any]:
    """The entry with its measures (loaded with it) and its unit's display name from `names`."""
    return {
        "id": e.id,
        "submission_id": e.submission_id,
        "unit_id": e.unit_id,
        "unit": names.get(e.unit_id),
        "department": e.department,
        "position": e.position,
        "person": e.person,
        "duty": e.duty,
        "risk": e.risk,
        "manifestation": e.manifestation,
        "category": e.category,
        "category_label": e.category_label,
        "domain": e.domain,
        "level": e.level,
        "level_label": e.level_label,
        "level_name": labels.level_name(e.level, missing=None),
        "owner": e.owner,
        "supervisor": e.supervisor,
        "deadline": e.deadline,
        "measures": [{"text": m.text, "phase": m.phase, "owner": m.owner, "deadline": m.deadline}
                     for m in e.measures],
        "source": {"table": e.source_table, "sheet": e.source_sheet, "page": e.source_page, "row": e.source_row},
        "source_text": source_text(e),
    }
