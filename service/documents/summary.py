"""阶段总结: the figures of a stage (or the whole year), for one unit or all, with share charts.

A stage's period is its start and end dates from the campaign; entries count when their form
was received within it. Counts are of current entries only (superseded versions excluded).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parsers.model import CATEGORIES
from service import labels
from service.document_kinds import stem
from service.documents import charts, findings, gbt9704, numbering, queries, render
from service.documents.base import Draft, Output, common
from service.store.scope import Viewer

REQUIRED = frozenset({"figures", "by_level", "by_type", "by_department", "level_chart", "type_chart", "top_risks",
                      "problem_groups"})
TOP_RISKS_SHOWN = 50


def _share(count: int, total: int) -> str:
    return f"{count / total * 100:.1f}%" if total else "0.0%"


def _rows(counter: Counter, order: list[Any], names: dict[Any, str], total: int) -> list[dict[str, Any]]:
    keys = [k for k in order if counter.get(k)] + sorted((k for k in counter if k not in order), key=str)
    return [{"label": names.get(k, k), "count": counter[k], "share": _share(counter[k], total)} for k in keys]


def figures(entries: list[dict[str, Any]], expected_departments: list[str], expected_units: int) -> dict[str, Any]:
    """The headline numbers of a set of entries."""
    return {
        "units": len({e["unit_id"] for e in entries}),
        "units_expected": expected_units,
        "entries": len(entries),
        "measures": sum(len(e["measures"]) for e in entries),
        "positions": len({(e["unit_id"], e["department"], e["position"]) for e in entries if e["position"]}),
        "persons": len({(e["unit_id"], e["person"]) for e in entries if e["person"]}),
        "departments": len({(e["unit_id"], e["department"]) for e in entries if e["department"]}),
        "departments_expected": len(expected_departments),
        "departments_missing": sorted(set(expected_departments) - {e["department"] for e in entries}),
    }


def _where(e: dict[str, Any]) -> str:
    return "".join(p for p in (e["department"], e["position"] or e["person"]) if p) or "本单位"


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    stage = queries.stage(sc.campaign, params.get("stage"))
    period = (date.fromisoformat(stage["start"]), date.fromisoformat(stage["end"])) if stage else None
    entries = queries.entries(session, sc, department=params.get("department"), period=period)
    total = len(entries)
    levels = Counter(e["level"] for e in entries)
    types = Counter(e["category"] or labels.NO_CATEGORY for e in entries)
    level_names = {k: f"{labels.level_name(k, missing=labels.NO_LEVEL)}风险" if k else labels.NO_LEVEL
                   for k in labels.LEVEL_ORDER}
    by_level = _rows(levels, list(labels.LEVEL_ORDER), level_names, total)
    by_type = _rows(types, [*CATEGORIES, labels.NO_CATEGORY], {}, total)
    departments: dict[str, dict[str, Any]] = {}
    for e in entries:
        row = departments.setdefault(e["department"] or "(未填科室)", {"count": 0, "measures": 0, "high": 0})
        row["count"] += 1
        row["measures"] += len(e["measures"])
        row["high"] += e["level"] == "high"
    by_department = [{"label": k, **v} for k, v in sorted(departments.items(), key=lambda kv: -kv[1]["count"])]
    period_name = f"{stage['name']}阶段" if stage else f"{sc.year}年度"
    unit_ids = sc.unit_ids or ([sc.unit.id] if sc.unit else [])
    problems = findings.grouped(findings.open_findings(session, unit_ids, params.get("department"))) if unit_ids else []
    first = 5 if entries else 1  # 存在问题 follows the four figure sections, or stands first
    ctx = common(sc, params)
    ctx.update(
        title=f"{sc.unit_name}{period_name}廉政风险防控工作总结",
        scope_name=sc.unit_name,
        period=(f"{gbt9704.date_text(period[0])}至{gbt9704.date_text(period[1])}" if period else f"{sc.year}年"),
        figures=figures(entries, queries.departments(session, sc), queries.units_expected(session, sc)),
        by_level=by_level,
        by_type=by_type,
        by_department=by_department,
        problem_groups=[{"heading": g.heading, "title": g.title, "lines": g.items} for g in problems],
        problem_count=sum(len(g.items) for g in problems),
        problems_heading=numbering.heading1(first),
        next_heading=numbering.heading1(first + 1),
        top_risks=[{"where": _where(e), "risk": e["risk"], "level": labels.level_name(e["level"], missing=labels.NO_LEVEL)}
                   for e in entries if e["level"] == "high"][:TOP_RISKS_SHOWN],
        level_chart=render.Image(charts.share_chart("风险等级分布", [r["label"] for r in by_level],
                                                    [r["count"] for r in by_level])),
        type_chart=render.Image(charts.share_chart("风险类型分布", [r["label"] for r in by_type],
                                                   [r["count"] for r in by_type])),
    )
    return Draft(ctx, stem=stem("summary", sc.unit_name, period_name), scope=sc)


def produce(template: render.Template, draft: Draft) -> Output:
    return Output(render.render(template, draft.context), ".docx")
