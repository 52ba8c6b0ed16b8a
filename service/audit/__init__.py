"""Audit of submitted forms: rules run after every ingest and on demand, findings stored.

`audit_after_ingest` runs inside ingest's transaction (`lianfang ingest`), so a corrected
form and the closing of the findings it resolves commit together. Web uploads re-audit
their unit just after (`background`), batches once at their end (`service.batch.audit`).
`run_audit` is the on-demand entry point behind `lianfang audit`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.registry import RULES
from service.audit.runner import audit_units, submission_unit
from service.store.campaigns import find_campaign
from service.store.db import write_session
from service.store.errors import NotFound
from service.store.models import Campaign, Submission, Unit
from service.store.units import find_unit

__all__ = ["RULES", "AuditError", "audit_after_ingest", "run_audit"]


class AuditError(NotFound):
    """A unit, campaign or user the audit was asked about that does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__("not_found", message)


def audit_after_ingest(session: Session, submission_id: int) -> None:
    """Re-audit the unit of a just-ingested submission (with its departments) in its campaign."""
    session.flush()
    found = submission_unit(session, submission_id)
    if found is not None:
        audit_units(session, found[0], [found[1]], date.today())


def _unit(session: Session, unit: str | int) -> Unit:
    try:
        return find_unit(session, unit)
    except NotFound as exc:
        raise AuditError(exc.message) from None


def _campaign(session: Session, campaign: str | int) -> Campaign:
    try:
        return find_campaign(session, campaign)
    except NotFound:
        raise AuditError(f"未找到工作活动:{campaign}") from None


def run_audit(
    *, unit: str | int | None = None, campaign: str | int | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Audit now and return the open findings (plain dicts) of the units and campaigns asked for."""
    with write_session() as session:
        top_ids = None
        if unit is not None:
            found = _unit(session, unit)
            top_ids = [found.parent_id or found.id]
        if campaign is not None:
            camp = _campaign(session, campaign)
            campaign_ids: list[int | None] = [camp.id]
        else:
            campaign_ids = list(session.scalars(select(Campaign.id).order_by(Campaign.year, Campaign.id)))
            if session.scalar(select(Submission.id).where(Submission.campaign_id.is_(None)).limit(1)):
                campaign_ids.append(None)
        findings: list[dict[str, Any]] = []
        for cid in campaign_ids:
            findings.extend(audit_units(session, cid, top_ids, today or date.today()))
        return findings
