"""廉政承诺书: one letter per person (or position) with their risk points and measures.

With --person (or a position) one .docx; for a whole unit a .zip holding one 科室_姓名.docx per
person and one merged .docx with a page break between letters (see letters.py for how). Entries without a person are
grouped by position, so a position's letter is named 科室_岗位.docx.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from sqlalchemy.orm import Session

from service.documents import queries, render
from service.documents.base import Draft, Output, common, safe_name
from service.documents.errors import DocumentError
from service.documents.letters import render_letters
from service.store.scope import Viewer

TEMPLATE = "commitment.docx"
REQUIRED = frozenset({"person", "entries", "date"})
NUMBERED = False


def letters(entries: list[dict[str, Any]], base: dict[str, Any]) -> list[dict[str, Any]]:
    """One context per (department, person or position), in the order they first appear."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in entries:
        who = e["person"] or e["position"] or "全体人员"
        groups.setdefault((e["department"] or "", who), []).append(e)
    out = []
    for (department, who), items in groups.items():
        first = items[0]
        out.append({
            **base,
            "person": first["person"] or "",
            "position": first["position"] or "",
            "department": department,
            "who": who,
            "entries": [{"no": i, "risk": e["risk"], "level": queries.level_name(e["level"]),
                         "measures": queries.measures_text(e["measures"])} for i, e in enumerate(items, 1)],
        })
    return out


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    entries = queries.entries(session, sc, department=params.get("department"), person=params.get("person"),
                              position=params.get("position"))
    if not entries:
        raise DocumentError("no_entries", "没有找到对应的风险点,无法生成廉政承诺书")
    contexts = letters(entries, common(sc, params))
    single = params.get("person") or params.get("position")
    stem = (f"廉政承诺书_{contexts[0]['department']}_{contexts[0]['who']}" if single
            else f"廉政承诺书_{sc.unit_name}")
    return Draft(contexts[0], stem=stem, scope=sc, extra={"letters": contexts, "single": bool(single)})


def produce(template: render.Template, draft: Draft) -> Output:
    contexts = draft.extra["letters"]
    if draft.extra["single"] and len(contexts) == 1:
        return Output(render.render(template, contexts[0]), ".docx")
    merged, documents = render_letters(template, contexts)
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for ctx, data in zip(contexts, documents, strict=True):
            name = safe_name(f"{ctx['department'] or '本单位'}_{ctx['who']}")
            while name in used:
                name += "_"
            used.add(name)
            z.writestr(f"{name}.docx", data)
        z.writestr("廉政承诺书_合并.docx", merged)
    return Output(buf.getvalue(), ".zip")
