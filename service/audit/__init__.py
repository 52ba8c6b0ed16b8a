"""Audit of submitted forms: rules run on every ingest and on demand, findings stored.

`audit_after_ingest` runs inside ingest's transaction, so a corrected form and the
closing of the findings it resolves commit together. `run_audit` is the on-demand
entry point behind `lianfang audit`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.registry import RULES
from service.audit.runner import audit_units
from service.store.db import write_session
from service.store.models import Campaign, Submission, Unit

__all__ = ["RULES", "AuditError", "audit_after_ingest", "resolve_campaign", "resolve_unit", "run_audit"]


class AuditError(ValueError):
    """A unit or campaign that does not exist; the message is Chinese, for the user."""


def audit_after_ingest(session: Session, submission_id: int) -> None:
    """Re-audit the unit of a just-ingested submission (with its departments) in its campaign."""
    session.flush()
    sub = session.get(Submission, submission_id)
    if sub is None:
        return
    unit = session.get(Unit, sub.unit_id)
    top = unit.parent_id or unit.id if unit else sub.unit_id
    audit_units(session, sub.campaign_id, [top], date.today())


def resolve_unit(session: Session, unit: str | int) -> Unit | None:
    """A unit by id or name; a name shared by several departments resolves to the top-level unit first."""
    if isinstance(unit, int) or str(unit).isdigit():
        return session.get(Unit, int(unit))
    rows = session.scalars(select(Unit).where(Unit.name == str(unit)).order_by(Unit.parent_id.is_not(None), Unit.id))
    return rows.first()


def resolve_campaign(session: Session, campaign: str | int) -> Campaign | None:
    if isinstance(campaign, int) or str(campaign).isdigit():
        found = session.get(Campaign, int(campaign))
        if found is not None:
            return found
        return session.scalar(select(Campaign).where(Campaign.year == int(campaign)).order_by(Campaign.id.desc()))
    return session.scalar(select(Campaign).where(Campaign.name == str(campaign)))


def run_audit(
    *, unit: str | int | None = None, campaign: str | int | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Audit now and return the open findings (plain dicts) of the units and campaigns asked for."""
    with write_session() as session:
        top_ids = None
        if unit is not None:
            found = resolve_unit(session, unit)
            if found is None:
                raise AuditError(f"未找到单位:{unit}")
            top_ids = [found.parent_id or found.id]
        if campaign is not None:
            camp = resolve_campaign(session, campaign)
            if camp is None:
                raise AuditError(f"未找到工作活动:{campaign}")
            campaign_ids: list[int | None] = [camp.id]
        else:
            campaign_ids = list(session.scalars(select(Campaign.id).order_by(Campaign.year, Campaign.id)))
            if session.scalar(select(Submission.id).where(Submission.campaign_id.is_(None)).limit(1)):
                campaign_ids.append(None)
        findings: list[dict[str, Any]] = []
        for cid in campaign_ids:
            findings.extend(audit_units(session, cid, top_ids, today or date.today()))
        return findings
