"""廉政风险防控手册: a unit's entries grouped by department, then position, with a TOC field.

The TOC is a Word field (\\o "1-2") pre-filled with the department list; Word or WPS updates it
with page numbers (F9), LibreOffice when converting with its index update.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service import labels
from service.document_kinds import stem
from service.documents import numbering, queries, render
from service.documents.base import Draft, Output, common
from service.documents.errors import DocumentError
from service.store.scope import Viewer

REQUIRED = frozenset({"title", "departments"})


def grouped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tree: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for e in entries:
        tree.setdefault(e["department"] or "本单位", {}).setdefault(e["position"] or e["person"] or "其他", []).append(e)
    return [
        {"heading": numbering.heading1(d), "name": dept, "positions": [
            {"heading": numbering.heading2(p), "name": pos, "entries": [
                {"no": i, "risk": e["risk"], "category": e["category_label"] or e["category"] or "",
                 "level": labels.level_name(e["level"], missing=labels.NO_LEVEL), "measures": queries.measures_text(e["measures"]),
                 "owner": e["owner"] or ""} for i, e in enumerate(items, 1)]}
            for p, (pos, items) in enumerate(positions.items(), 1)]}
        for d, (dept, positions) in enumerate(tree.items(), 1)
    ]


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    entries = queries.entries(session, sc, department=params.get("department"))
    if not entries:
        raise DocumentError("no_entries", "没有找到风险点,无法编印防控手册")
    departments = grouped(entries)
    ctx = common(sc, params)
    ctx.update(
        title=f"{sc.unit_name}廉政风险防控手册",
        departments=departments,
        intro=(f"本手册汇编{sc.unit_name}{len(departments)}个科室(部门)的廉政风险点{len(entries)}个、"
               f"防控措施{sum(len(e['measures']) for e in entries)}条,按科室和岗位编排,供各岗位对照执行。"),
    )
    return Draft(ctx, stem=stem("manual", sc.unit_name), scope=sc)


def produce(template: render.Template, draft: Draft) -> Output:
    return Output(render.render(template, draft.context), ".docx")
