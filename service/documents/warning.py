"""预警通知书: a numbered warning to a unit, department or person about its risk points.

Warnings are graded by colour, as the risk levels are (红/橙/黄 for high/medium/low), and the
grade decides who handles it: red the unit's top leader with the discipline inspection
office (诫勉谈话, 责令纠错), orange the leader in charge (函询, 警示谈话), yellow the head of
department (提醒谈话). A warning answers signals: those the office enters (params["items"]:
信访举报, 审计发现, 网络舆情 …) and those the store shows — a 整改通知书 past its deadline with
findings still open, and findings still open after a notice listed them. 红色 needs a signal:
self-rated 高 points alone give at most 橙色. The grade is the office's choice (params["level"]),
else 红色 with a signal, else the highest level among the addressee's points (高 → 橙色).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parsers.levels import LevelReader
from service import labels
from service.document_kinds import GRADES, stem
from service.documents import gbt9704, queries, render
from service.documents.base import DEFAULT_ISSUER_CODE, Draft, Output, common, lines, parse_date, setting
from service.documents.errors import DocumentError
from service.store.models import Finding, FindingStatus, IssuedDocument
from service.store.scope import Viewer

REQUIRED = frozenset({"number_text", "addressee", "colour", "signals", "actions", "deadline"})
DEFAULT_DAYS = 10
MAX_SIGNALS = 30  # a notice names the points to act on, not the whole register
ORDER = ("high", "medium", "low")
COLOURS = dict(zip(ORDER, GRADES, strict=True))  # the grades the page and the CLI offer (document_kinds)
ACTIONS = {
    "high": ["由单位主要负责人和纪检监察机构对相关责任人进行诫勉谈话,责令限期纠错;",
             "对所列风险点逐项制定并落实前期预防、中期监控、后期处置措施,明确责任人和完成时限;",
             "纪检监察机构对整改情况跟踪督查,整改不力的依纪依规追究责任。"],
    "medium": ["由分管领导对相关责任人进行函询或警示谈话,督促说明情况、及时纠正;",
               "对所列风险点补充完善防控措施,明确责任人和完成时限;",
               "分管领导对整改情况进行督促检查。"],
    "low": ["由科室(部门)负责人对相关人员进行提醒谈话;",
            "对照岗位职责自查自纠,完善防控措施;",
            "科室(部门)负责人对整改情况进行检查。"],
}


def _grade(value: Any, standard: dict[str, Any] | None) -> str | None:
    """The grade the office chose: high/medium/low, or a level as forms write it (红色, 高, 一级 …),
    read like the forms' own levels, with the campaign's level standard."""
    if value in (None, ""):
        return None
    grade = value if value in COLOURS else LevelReader(standard=standard).read(str(value)).level
    if grade is None:
        raise DocumentError("bad_level", f"预警等级只能是红色、橙色或黄色(或高、中、低):{value}")
    return grade


def _signal(entry: dict[str, Any]) -> str:
    where = "".join(x for x in (entry["department"], entry["position"]) if x)
    who = f"({entry['person']})" if entry.get("person") else ""
    return f"{where}{who}:{entry['risk']}(风险等级:{labels.level_name(entry['level'], missing=labels.NO_LEVEL)})"


def store_signals(session: Session, unit_id: int, today: date) -> list[str]:
    """Signals the store shows for a unit: overdue rectification, findings left open after a notice."""
    out = []
    notices = session.execute(
        select(IssuedDocument.id, IssuedDocument.number_text, IssuedDocument.deadline, func.count(Finding.id))
        .join(Finding, Finding.notice_id == IssuedDocument.id)
        .where(IssuedDocument.unit_id == unit_id, IssuedDocument.kind == "rectification", Finding.status == FindingStatus.OPEN)
        .group_by(IssuedDocument.id, IssuedDocument.number_text, IssuedDocument.deadline)).all()
    for _, number_text, deadline, still_open in notices:
        if deadline and deadline < today:
            out.append(f"整改逾期:{number_text or '整改通知书'}要求于{gbt9704.date_text(deadline)}前整改,"
                       f"尚有{still_open}个问题未整改")
        else:
            out.append(f"问题反复:{number_text or '整改通知书'}已指出的{still_open}个问题仍未解决")
    return out


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    if sc.unit is None:
        raise DocumentError("unit_required", "预警通知书须指定单位(--unit)")
    department, person = params.get("department"), params.get("person")
    points = [e for e in queries.entries(session, sc, department=department, person=person) if e["level"] in ORDER]
    found = {e["level"] for e in points}
    signals = lines(params.get("items")) + store_signals(session, sc.unit.id, date.today())
    chosen = _grade(params.get("level"), sc.campaign.level_standard if sc.campaign else None)
    if chosen == "high" and not signals:
        raise DocumentError("red_needs_signal", "红色预警须有预警信号(信访举报、整改逾期、问题反复等),"
                                                "请列出预警事项(items);仅自评高风险点不构成红色预警")
    self_rated = next((lv for lv in ORDER if lv in found), None)
    grade = chosen or ("high" if signals else ("medium" if self_rated == "high" else self_rated))
    if grade is None:
        raise DocumentError("no_level", "无法确定预警等级:该对象没有已定级的风险点,请指定预警等级(level)")
    listed = [_signal(e) for e in points if e["level"] == (grade if signals or grade != "medium" else self_rated)]
    signals = signals + listed[:MAX_SIGNALS]
    if not signals:
        raise DocumentError("no_signals", f"没有{COLOURS[grade]}预警对应的风险点,请列出预警事项(items)")
    deadline = parse_date(params.get("deadline"), "反馈期限") or date.today() + timedelta(days=DEFAULT_DAYS)
    addressee = "".join(x for x in (sc.unit.name, department, person) if x)
    ctx = common(sc, params)
    ctx.update(
        title=f"关于对{addressee}发出廉政风险{COLOURS[grade]}预警的通知",
        addressee=addressee,
        colour=COLOURS[grade],
        signals=signals,
        actions=ACTIONS[grade],
        deadline=gbt9704.date_text(deadline),
        number_text="",
    )
    return Draft(ctx, stem=stem("warning", addressee), scope=sc,
                 number_prefix=setting(sc, params, "issuer_code") or DEFAULT_ISSUER_CODE, deadline=deadline)


def produce(template: render.Template, draft: Draft) -> Output:
    return Output(render.render(template, draft.context), ".docx")
