"""Page: 操作日志 (admin only) — who did what, when, filterable by person, kind of action and date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from service.review import STATES
from service.store.db import read_session
from service.store.models import ActivityLog
from service.web.auth import admin_required
from service.web.people import ASSIGNABLE
from service.web.queries import page_number

bp = Blueprint("activity", __name__, url_prefix="/admin/log")
PER_PAGE = 50
ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "user.create": "创建用户", "user.role": "设置审核角色",
    "unit.create": "添加单位", "campaign.create": "创建年度工作", "person.create": "添加人员", "person.update": "修改人员",
    "submission.ingest": "上传表格", "submission.failed": "表格读取失败", "document.generate": "生成文书",
    "review.approve": "审核通过", "review.publish": "发布公示", "review.effective": "公示期满生效",
    "review.return": "退回修改", "publicity.feedback": "公示反馈", "remind": "催报", "remind.hook_failed": "催报外发失败",
}
OBJECTS = {"submission": "表格", "unit": "单位", "user": "用户", "campaign": "年度工作", "document": "文书", "person": "人员"}


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _summary(details: dict[str, Any]) -> str:
    """The parts of a log row's details a person reads, in Chinese."""
    parts = []
    for key, label in (("name", "名称"), ("username", "用户名"), ("comment", "意见"), ("message", "内容"),
                       ("text", "内容"), ("entries", "风险点"), ("until", "公示至"), ("users", "通知人数")):
        value = details.get(key)
        if value not in (None, "", []):
            parts.append(f"{label}:{value if not isinstance(value, list) else len(value)}")
    if (to := details.get("to")) in STATES:
        parts.append(f"审核状态至:{STATES[to]}")
    elif to in ASSIGNABLE:
        parts.append(f"角色改为:{ASSIGNABLE[to]}")
    if rows := details.get("rows"):
        parts.append(f"逐行意见{len(rows)}条")
    return ";".join(parts)


@bp.get("")
@admin_required
def index() -> Any:
    args = request.args
    stmt = select(ActivityLog)
    if actor := (args.get("actor") or "").strip():
        stmt = stmt.where(ActivityLog.actor == actor)
    if action := args.get("action"):
        stmt = stmt.where(ActivityLog.action == action)
    if start := _date(args.get("from")):
        stmt = stmt.where(ActivityLog.at >= datetime.combine(start, datetime.min.time()))
    if end := _date(args.get("to")):
        stmt = stmt.where(ActivityLog.at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    page = page_number(args.get("page"))
    with read_session() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = [{"at": r.at, "actor": r.actor or "系统", "action": ACTIONS.get(r.action, "其他操作"),
                 "object": f"{OBJECTS.get(r.object_type or '', '')} {r.object_id}" if r.object_id else "",
                 "summary": _summary(r.details or {}), "code": r.action,
                 "link": f"/review/{r.object_id}" if r.object_type == "submission" and r.object_id else None}
                for r in s.scalars(stmt.order_by(ActivityLog.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE))]
        actors = sorted(a for a in s.scalars(select(ActivityLog.actor).distinct()) if a)
    return render_template("admin/activity.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), args=args, actions=ACTIONS, actors=actors)
