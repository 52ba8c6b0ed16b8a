"""整改情况: what a rectification notice asked for, what is fixed and what remains.

The notice (engineer E's `generate("rectification", …)`) links the findings it lists
(Finding.notice_id); corrected forms close findings through `audit_after_ingest`, so the
report is a read of those findings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.db import read_session
from service.store.errors import NotFound
from service.store.models import Finding, FindingStatus, IssuedDocument, Unit
from service.store.scope import Viewer, visible_unit_ids


class NoticeNotFound(NotFound):
    def __init__(self, notice_id: int) -> None:
        super().__init__("notice_not_found", f"未找到整改通知书:编号 {notice_id}")


def rectification_report(notice_id: int, *, viewer: Viewer, today: date | None = None) -> dict[str, Any]:
    """Fixed and remaining findings of one 整改通知书, as plain data."""
    with read_session() as s:
        doc = s.get(IssuedDocument, notice_id)
        ids = visible_unit_ids(s, viewer)
        if doc is None or doc.kind != "rectification" or (ids is not None and doc.unit_id not in ids):
            raise NoticeNotFound(notice_id)
        return _report(s, doc, today or date.today())


def rectification_reports(*, viewer: Viewer, today: date | None = None) -> list[dict[str, Any]]:
    """The reports of every notice the viewer may see, newest first."""
    with read_session() as s:
        stmt = select(IssuedDocument).where(IssuedDocument.kind == "rectification").order_by(IssuedDocument.id.desc())
        ids = visible_unit_ids(s, viewer)
        if ids is not None:
            stmt = stmt.where(IssuedDocument.unit_id.in_(ids))
        return [_report(s, doc, today or date.today()) for doc in s.scalars(stmt)]


def _report(s: Session, doc: IssuedDocument, today: date) -> dict[str, Any]:
    unit = s.get(Unit, doc.unit_id) if doc.unit_id else None
    rows = s.scalars(select(Finding).where(Finding.notice_id == doc.id).order_by(Finding.id)).all()
    items = [{"id": f.id, "rule": f.rule, "severity": f.severity, "message": f.message, "status": f.status,
              "closed_at": f.closed_at.isoformat(timespec="seconds") if f.closed_at else None} for f in rows]
    fixed = [i for i in items if i["status"] == FindingStatus.CLOSED]
    remaining = [i for i in items if i["status"] == FindingStatus.OPEN]
    return {
        "notice_id": doc.id,
        "number_text": doc.number_text,
        "unit": unit.name if unit else None,
        "deadline": doc.deadline.isoformat() if doc.deadline else None,
        "overdue": bool(remaining and doc.deadline and today > doc.deadline),
        "total": len(items),
        "fixed": fixed,
        "remaining": remaining,
    }


def report_text(report: dict[str, Any]) -> str:
    """The report as the lines `lianfang rectification` prints."""
    head = f"整改情况:{report['unit'] or ''} {report['number_text'] or ''}(整改期限 {report['deadline'] or '未定'})"
    lines = [head, f"共{report['total']}项问题,已整改{len(report['fixed'])}项,尚未整改{len(report['remaining'])}项"
             + (",已超过整改期限" if report["overdue"] else "")]
    for title, items in (("已整改:", report["fixed"]), ("尚未整改:", report["remaining"])):
        if items:
            lines += [title] + [f"  {i}. {f['message']}" for i, f in enumerate(items, 1)]
    return "\n".join(lines)
