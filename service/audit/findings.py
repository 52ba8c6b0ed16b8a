"""Storing findings: one row per problem, found again on re-runs, closed when it is gone.

A finding's `key` is rule + campaign + unit + a digest of what it is about (who and
what the risk point says, or which form), never a row id: a corrected version of a
form gets new entry ids, and its unchanged problems must keep their findings while
the fixed ones close.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.context import EntryData, UnitContext
from service.audit.registry import RULES, FindingDraft
from service.store.models import Finding, FindingStatus, utcnow


def finding_key(draft: FindingDraft, ctx: UnitContext) -> str:
    digest = hashlib.sha1(draft.subject.encode("utf-8")).hexdigest()[:20]
    return f"{draft.rule}:{ctx.campaign_id or 0}:{ctx.unit_id}:{digest}"


def sync(session: Session, ctx: UnitContext, drafts: list[FindingDraft], open_rows: list[Finding]) -> list[Finding]:
    """Make the open findings of `ctx` equal to `drafts`; returns the open rows."""
    existing = {f.key: f for f in open_rows}
    kept: dict[str, Finding] = {}
    now = utcnow()
    for d in drafts:
        key = finding_key(d, ctx)
        if key in kept:
            continue
        row = existing.get(key)
        if row is None:
            row = Finding(campaign_id=ctx.campaign_id, key=key, status=FindingStatus.OPEN, created_at=now)
            session.add(row)
        row.rule = d.rule
        row.severity = d.severity or RULES[d.rule].severity
        row.message = d.message
        row.unit_id = d.unit_id
        row.submission_id = d.submission_id
        row.entry_id = d.entry_id
        row.details = d.details
        kept[key] = row
    for key, row in existing.items():
        if key not in kept:
            row.status = FindingStatus.CLOSED
            row.closed_at = now
    return list(kept.values())


def open_findings(session: Session, campaign_id: int | None, unit_ids: list[int]) -> list[Finding]:
    cond = Finding.campaign_id.is_(None) if campaign_id is None else Finding.campaign_id == campaign_id
    return list(
        session.scalars(select(Finding).where(cond, Finding.status == FindingStatus.OPEN, Finding.unit_id.in_(unit_ids)))
    )


def as_dict(row: Finding, ctx: UnitContext, entries: dict[int, EntryData]) -> dict[str, Any]:
    """The `--json` shape: rule, severity, message and where it was found."""
    entry = entries.get(row.entry_id) if row.entry_id else None
    sub = ctx.submission(row.submission_id) if row.submission_id else None
    return {
        "id": row.id,
        "rule": row.rule,
        "severity": row.severity,
        "message": row.message,
        "status": row.status,
        "campaign_id": row.campaign_id,
        "unit_id": row.unit_id,
        "unit": ctx.departments.get(row.unit_id, ctx.unit_name),
        "submission_id": row.submission_id,
        "entry_id": row.entry_id,
        "file": sub.original_name if sub else None,
        "source": entry.source if entry else (row.details or {}).get("source"),
        "details": row.details,
        "notice_id": row.notice_id,
    }


def where_found(file: str | None, source: dict[str, Any] | None) -> str:
    """"《财务科.docx》表1第3行" / "工作表“职权目录”第4行" / "第2页": where a finding points in its form."""
    source = source or {}
    parts = [f"《{file}》"] if file else []
    if source.get("sheet"):
        parts.append(f"工作表“{source['sheet']}”")
    elif source.get("table") is not None:
        parts.append(f"表{source['table'] + 1}")
    if source.get("page"):
        parts.append(f"第{source['page']}页")
    if source.get("row"):
        parts.append(f"第{source['row']}行")
    return "".join(parts)


def open_for_units(
    session: Session, unit_ids: list[int] | None, campaign_id: int | None = None
) -> list[dict[str, Any]]:
    """Stored open findings of these units (None: all), with file and row, for 'what to fix' lists."""
    from service.store.models import Entry, IssuedDocument, Submission, Unit

    stmt = (
        select(Finding, Unit.name, Submission.original_name, Entry.source_table, Entry.source_sheet,
               Entry.source_page, Entry.source_row, Entry.department, IssuedDocument.number_text)
        .join(Unit, Unit.id == Finding.unit_id)
        .outerjoin(Submission, Submission.id == Finding.submission_id)
        .outerjoin(Entry, Entry.id == Finding.entry_id)
        .outerjoin(IssuedDocument, IssuedDocument.id == Finding.notice_id)
        .where(Finding.status == FindingStatus.OPEN)
        .order_by(Unit.name, Finding.submission_id, Finding.id)
    )
    if unit_ids is not None:
        stmt = stmt.where(Finding.unit_id.in_(unit_ids))
    if campaign_id is not None:
        stmt = stmt.where(Finding.campaign_id == campaign_id)
    out = []
    for f, unit, file, table, sheet, page, row, department, notice in session.execute(stmt):
        source = ({"table": table, "sheet": sheet, "page": page, "row": row} if f.entry_id
                  else (f.details or {}).get("source") or {})
        out.append({
            "id": f.id, "rule": f.rule, "rule_title": RULES[f.rule].title if f.rule in RULES else f.rule,
            "severity": f.severity, "message": f.message, "unit": unit, "file": file, "row": source.get("row"),
            "sheet": source.get("sheet"), "table": source.get("table"), "page": source.get("page"),
            "where": where_found(file, source), "department": department or (f.details or {}).get("department"),
            "submission_id": f.submission_id, "entry_id": f.entry_id, "notice": notice, "created_at": f.created_at,
        })
    return out
