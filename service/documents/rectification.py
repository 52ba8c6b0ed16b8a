"""整改通知书 to a unit or department, with a 文号 numbered per campaign.

The problems are the open audit findings of the unit (of the department, when one is named)
when there are any, else the items the office passes in params["items"]. The findings listed
are linked to the notice (Finding.notice_id) in the same transaction that records it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.documents import gbt9704, queries, render
from service.documents.base import DEFAULT_ISSUER_CODE, Draft, Output, common, lines, parse_date
from service.documents.errors import DocumentError
from service.store.models import Entry, Finding
from service.store.scope import Viewer

TEMPLATE = "rectification.docx"
REQUIRED = frozenset({"number_text", "addressee", "problems", "deadline"})
NUMBERED = True
OFFICE_ONLY = True  # speaks for the office: unit users may not issue it (documents.may_issue)
DEFAULT_DAYS = 15


def open_findings(session: Session, unit_ids: list[int], department: str | None) -> list[tuple[int, str]]:
    stmt = (select(Finding.id, Finding.message, Finding.details, Entry.department)
            .outerjoin(Entry, Entry.id == Finding.entry_id)
            .where(Finding.unit_id.in_(unit_ids), Finding.status == "open").order_by(Finding.id))
    rows = session.execute(stmt).all()
    if department:
        rows = [r for r in rows if department in (r.department, (r.details or {}).get("department"))]
    return [(r.id, r.message) for r in rows]


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    if sc.unit is None:
        raise DocumentError("unit_required", "整改通知书须指定单位(--unit)")
    department = params.get("department")
    findings = open_findings(session, sc.unit_ids or [sc.unit.id], department)
    problems = [message for _, message in findings] or lines(params.get("items"))
    if not problems:
        raise DocumentError("no_problems", "没有需要整改的问题:该单位没有未关闭的审核问题,请列出整改事项(items)")
    deadline = parse_date(params.get("deadline"), "整改期限") or date.today() + timedelta(days=DEFAULT_DAYS)
    addressee = f"{sc.unit.name}{department}" if department else sc.unit.name
    ctx = common(sc, params)
    ctx.update(
        title=f"关于{addressee}廉政风险防控工作限期整改的通知",
        addressee=addressee,
        addressee_kind="科室" if department else "单位",
        problems=problems,
        deadline=gbt9704.date_text(deadline),
        attachments=lines(params.get("attachments")) or ["廉政风险点排查登记表(修订)"],
        number_text="",
    )
    return Draft(ctx, stem=f"整改通知书_{addressee}", scope=sc,
                 number_prefix=params.get("issuer_code") or DEFAULT_ISSUER_CODE,
                 deadline=deadline, finding_ids=[fid for fid, _ in findings])


def produce(template: render.Template, draft: Draft) -> Output:
    return Output(render.render(template, draft.context), ".docx")
