"""Page: 首页 (dashboard), per role.

The office sees the campaign at a glance: 报送率 by unit and by stage (报送 蓝 / 未报 黄 / 逾期 红),
risk points by level and type, findings by rule with their 整改 status, the review pipeline, and
the late units first with a one-click 催报. A unit sees what it must do next. Every chart is an
inline SVG with its numbers as a table and a link to the filtered list behind it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import labels, notify
from service import review as review_service
from service.audit.context import top_unit_ids
from service.audit.coverage import collecting_stages
from service.audit.rectification import rectification_reports
from service.audit.registry import RULES
from service.deadlines import board as progress_board
from service.store.campaigns import find_campaign
from service.store.db import read_session
from service.store.errors import NotFound
from service.store.models import Campaign, Entry, Finding, FindingStatus, ReviewState, Submission
from service.store.scope import Viewer, visible_unit_ids
from service.web import queries
from service.web.auth import current_viewer, login_required
from service.web.charts import Chart, Row, Segment

bp = Blueprint("dashboard", __name__)
RATE = {"submitted": ("已报送", "blue"), "pending": ("未报送", "yellow"), "late": ("逾期未报", "red")}
LEVEL_COLORS = {"high": "high", "medium": "medium", "low": "low", None: "none"}


def _campaign(s: Session, raw: str | None) -> Campaign | None:
    try:
        return find_campaign(s, raw or None)
    except NotFound:
        return None


def _same(column: Any, campaign: Campaign | None) -> Any:
    return column.is_(None) if campaign is None else column == campaign.id


def summary(viewer: Viewer, *, campaign: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Every figure of the dashboard, for the units `viewer` may see, as plain data and charts."""
    today = today or date.today()
    with read_session() as s:
        camp = _campaign(s, campaign)
        ids = visible_unit_ids(s, viewer)

        def scoped(stmt: Any, column: Any) -> Any:
            return stmt if ids is None else stmt.where(column.in_(ids))

        levels = dict(s.execute(scoped(select(Entry.level, func.count()).where(
            Entry.is_current.is_(True), _same(Entry.campaign_id, camp)), Entry.unit_id).group_by(Entry.level)).all())
        categories = dict(s.execute(scoped(select(Entry.category, func.count()).where(
            Entry.is_current.is_(True), _same(Entry.campaign_id, camp)), Entry.unit_id)
            .group_by(Entry.category)).all())
        findings: dict[str, Counter[str]] = defaultdict(Counter)
        for rule, status, n in s.execute(scoped(select(Finding.rule, Finding.status, func.count()).where(
                _same(Finding.campaign_id, camp)), Finding.unit_id).group_by(Finding.rule, Finding.status)):
            findings[rule][status] += n
        stages = collecting_stages(camp.stages or []) if camp else []
        tops = top_unit_ids(s)
        sent: dict[int, set[str | None]] = defaultdict(set)
        for unit_id, kind in s.execute(scoped(select(Submission.unit_id, Submission.form_kind).where(
                _same(Submission.campaign_id, camp)), Submission.unit_id).distinct()):
            sent[tops.get(unit_id, unit_id)].add(kind)
    board = progress_board(viewer=viewer, campaign=camp.id if camp else "none", today=today)
    units = board["units"]
    pipeline: Counter[str] = Counter()
    for u in units:
        pipeline.update(u["states"])
        u["rate"] = ("submitted" if u["forms"] else
                     "late" if any(w["kind"] == "stage" and w["color"] == "red" for w in u["warnings"])
                     else "pending")
    stage_rows = []
    for name, deadline, kinds in stages:
        count: Counter[str] = Counter()
        for u in units:
            done = any(kinds is None or k in kinds for k in sent[u["unit_id"]])
            count["submitted" if done else "late" if deadline < today else "pending"] += 1
        stage_rows.append({"name": name, "deadline": deadline, **{k: count[k] for k in RATE}})
    return {"campaign": camp.name if camp else None, "today": today, "units": units, "stages": stage_rows,
            "levels": levels, "categories": categories, "findings": findings, "pipeline": dict(pipeline),
            "late": sorted((u for u in units if u["rate"] != "submitted"),
                           key=lambda u: (u["rate"] != "late", u["unit"]))}


def charts(data: dict[str, Any]) -> list[Chart]:
    units = data["units"]
    rate_totals = Counter(u["rate"] for u in units)
    rate = Chart("rate", f"报送率:{rate_totals['submitted']}/{len(units)} 个单位已报送", [
        Row(label, [Segment("单位数", rate_totals[key], color)], url_for("dashboard.index", rate=key) + "#late")
        for key, (label, color) in RATE.items()
    ], url_for("review.board"), [(label, color) for label, color in RATE.values()])
    out = [rate]
    if data["stages"]:
        out.append(Chart("stages", "各阶段报送情况(单位数)", [
            Row(f"{st['name']}(截止{st['deadline']})", [Segment(RATE[k][0], st[k], RATE[k][1]) for k in RATE],
                url_for("review.board"), st["name"]) for st in data["stages"]
        ], url_for("review.board"), [(label, color) for label, color in RATE.values()]))
    out.append(Chart("levels", "风险点按等级", [
        Row(labels.level_name(level, missing=labels.NOT_MARKED), [Segment("风险点", data["levels"].get(level, 0), LEVEL_COLORS[level])],
            url_for("entries.listing", level=level) if level else url_for("entries.listing"))
        for level in ("high", "medium", "low", None) if data["levels"].get(level)
    ], url_for("entries.listing")))
    out.append(Chart("categories", "风险点按类型", [
        Row(cat or labels.NO_CATEGORY, [Segment("风险点", n, "blue")],
            url_for("entries.listing", category=cat) if cat else url_for("entries.listing"))
        for cat, n in sorted(data["categories"].items(), key=lambda kv: -kv[1])
    ], url_for("entries.listing")))
    out.append(Chart("findings", "审核发现及整改情况", [
        Row(RULES[rule].title if rule in RULES else rule,
            [Segment("未整改", c.get(FindingStatus.OPEN, 0), "red"), Segment("已整改", c.get(FindingStatus.CLOSED, 0), "green")],
            url_for("review.fix", rule=rule))
        for rule, c in sorted(data["findings"].items(), key=lambda kv: -kv[1].get(FindingStatus.OPEN, 0))
    ], url_for("review.fix"), [("未整改", "red"), ("已整改", "green")]))
    out.append(Chart("pipeline", "审核进度(表格数)", [
        Row(label, [Segment("表格", data["pipeline"].get(state, 0), "grey" if state == ReviewState.RETURNED else "blue")],
            url_for("review.index", state=state) if state in review_service.OPEN_STATES else url_for("review.board"))
        for state, label in review_service.STATES.items() if data["pipeline"].get(state)
    ], url_for("review.index")))
    return out


def _unit_todo(viewer: Viewer, data: dict[str, Any]) -> dict[str, Any]:
    """What a unit must do next: the coming deadline, forms sent back, open findings, notices."""
    me = data["units"][0] if data["units"] else None
    upcoming = [st for st in data["stages"] if st["deadline"] >= data["today"]]
    with read_session() as s:
        open_findings = s.scalar(select(func.count()).select_from(Finding).where(
            Finding.status == FindingStatus.OPEN, Finding.unit_id.in_(visible_unit_ids(s, viewer) or []))) or 0
    return {"unit": me, "next_stage": upcoming[0] if upcoming else None,
            "returned": review_service.returned(viewer=viewer), "open_findings": open_findings,
            "notices": [n for n in rectification_reports(viewer=viewer) if n["remaining"]],
            # deadlines are listed from the unit's warnings above them; the rest of the unread 待办 here
            "todo": [n for n in notify.listing(viewer.user_id, limit=10) if not n["read"] and n["kind"] != "deadline"]
            if viewer.user_id else []}


@bp.get("/")
@login_required
def index() -> Any:
    viewer = current_viewer()
    office = viewer.is_admin or viewer.role == "office"
    data = summary(viewer, campaign=request.args.get("campaign"))
    return render_template("dashboard/index.html", data=data, charts=charts(data), office=office,
                           todo=None if office else _unit_todo(viewer, data), campaigns=queries.campaign_names(),
                           queue=len(review_service.queue(viewer=viewer)) if office or viewer.role != "unit" else 0,
                           rate=RATE, args=request.args)


@bp.post("/remind")
@login_required
def remind() -> Any:
    """催报: the chosen late units get an in-app notice (and the configured hooks, if any)."""
    ids = [int(x) for x in request.form.getlist("unit") if x.isdigit()]
    out = notify.remind(ids, request.form.get("message", ""), viewer=current_viewer())
    text = f"已向{'、'.join(out.units)}催报,站内通知{out.notified}人"
    if out.delivered:
        text += f",已通过{'、'.join(out.delivered)}外发"
    flash(text, "ok")
    for failure in out.failures:
        flash(failure, "error")
    return redirect(url_for("dashboard.index"))
