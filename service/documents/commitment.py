"""廉政承诺书: one letter per person (or position) with their risk points and measures.

With --person (or a position) one .docx; for a whole unit a .zip holding one 科室_姓名.docx per
person and one merged .docx, each letter a section of its own whose pages are numbered from 1
(see letters.py for how). Every person of the roster gets a letter, leaders included, found by
name with their risk points; entries without a person are grouped by position and the letter
names the roster's holder of that position when there is one. A measure the audit found vague
(an open vague_measure finding) is not pledged as it stands: the letter says it must be made
concrete. A point without a level shows "—", not 未定级.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from sqlalchemy.orm import Session

from service import labels
from service.document_kinds import stem
from service.documents import findings, queries, render
from service.documents.base import Draft, Output, common, safe_name
from service.documents.errors import DocumentError
from service.documents.letters import render_letters
from service.store.scope import Viewer

REQUIRED = frozenset({"person", "entries", "date"})


NOT_REPORTED = "本人尚未报送岗位廉政风险点,应于收到本承诺书后补报,并落实相应防控措施。"
VAGUE = "原防控措施经审核过于笼统,须补充具体做法、责任人和完成时限"


def letters(entries: list[dict[str, Any]], people: list[dict[str, Any]], base: dict[str, Any],
            vague: set[int]) -> list[dict[str, Any]]:
    """One context per person: every person of the roster (leaders first, with or without risk
    points of their own), then people and positions that appear only in the forms."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    holders: dict[tuple[str, str], dict[str, Any]] = {}
    for p in people:
        key = (p["department"] or "", p["name"])
        groups.setdefault(key, [])
        holders[key] = p
    by_name = {p["name"]: key for key, p in holders.items()}
    for e in entries:
        who = e["person"] or e["position"] or "全体人员"
        key = by_name.get(e["person"]) if e["person"] else None
        groups.setdefault(key or (e["department"] or "", who), []).append(e)
    out = []
    for (department, who), items in groups.items():
        holder = holders.get((department, who), {})
        first = items[0] if items else {}
        person = holder.get("name") or first.get("person") or _holder_of(people, department, first.get("position"))
        out.append({
            **base,
            "person": person or "",
            "position": holder.get("position") or first.get("position") or "",
            "department": department or ("领导班子" if holder.get("is_leader") else ""),
            "who": who,
            "reported": bool(items),
            "not_reported": "" if items else NOT_REPORTED,
            "entries": [{"no": i, "risk": e["risk"], "level": labels.level_name(e["level"], missing=labels.DASH),
                         "measures": VAGUE if e["id"] in vague else queries.measures_text(e["measures"])}
                        for i, e in enumerate(items, 1)],
        })
    return out


def _holder_of(people: list[dict[str, Any]], department: str, position: str | None) -> str:
    """The roster's holder of a position, when the form named the position only."""
    return next((p["name"] for p in people if position and p["position"] == position
                 and (p["department"] or "") == department), "")


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    department, person, position = params.get("department"), params.get("person"), params.get("position")
    entries = queries.entries(session, sc, department=department, person=person, position=position)
    people = [p for p in queries.roster(session, sc)
              if (not department or p["department"] == department) and (not person or p["name"] == person)
              and (not position or p["position"] == position)]
    if not entries and not people:
        raise DocumentError("no_entries", "没有找到对应的人员或风险点,无法生成廉政承诺书")
    vague = {f.entry_id for f in findings.open_findings(session, sc.unit_ids or [sc.unit.id]) if sc.unit
             and f.rule == "vague_measure" and f.entry_id} if sc.unit else set()
    contexts = letters(entries, people, common(sc, params), vague)
    single = person or position
    parts = (contexts[0]["department"], contexts[0]["who"]) if single else (sc.unit_name,)
    return Draft(contexts[0], stem=stem("commitment", *parts), scope=sc, extra={"letters": contexts, "single": bool(single)})


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
