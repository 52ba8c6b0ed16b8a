"""Running the enabled rules over units and storing what they find."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit import coverage, entry_rules, unit_rules  # noqa: F401  (register the rules)
from service.audit.context import UnitContext, load_contexts
from service.audit.findings import as_dict, open_findings, sync
from service.audit.registry import FindingDraft, enabled_rules
from service.store.db import Lock, advisory_lock, read_session, write_session
from service.store.models import Campaign, Submission, Unit


def check(ctx: UnitContext, audit_settings: dict[str, Any] | None) -> list[FindingDraft]:
    """Every enabled rule's drafts for one unit; pure."""
    return [d for r, cfg in enabled_rules(audit_settings) for d in r.check(ctx, cfg)]


def _lock_units(session: Session, top_ids: list[int]) -> None:
    """One audit per unit at a time, so two concurrent ingests never store a finding twice.

    Taken in id order within the transaction, so two audits of overlapping units never deadlock.
    """
    for uid in sorted(top_ids):
        advisory_lock(session, Lock.AUDIT_UNIT, uid)


def audit_units(
    session: Session, campaign_id: int | None, top_ids: list[int] | None, today: date
) -> list[dict[str, Any]]:
    """Audit the given top-level units (None: all) of one campaign; returns their open findings."""
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    audit_settings = campaign.audit if campaign else {}
    if top_ids is None:
        top_ids = list(session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    _lock_units(session, top_ids)
    contexts = load_contexts(session, campaign_id, top_ids, today)
    return store(session, contexts, [check(ctx, audit_settings) for ctx in contexts])


def store(session: Session, contexts: list[UnitContext], drafts: list[list[FindingDraft]]) -> list[dict[str, Any]]:
    """Make the open findings of each context (all of one campaign) equal to its drafts."""
    if not contexts:
        return []
    scope = [uid for ctx in contexts for uid in ctx.unit_ids]
    rows_by_unit: dict[int, list] = {}
    for row in open_findings(session, contexts[0].campaign_id, scope):
        rows_by_unit.setdefault(row.unit_id, []).append(row)
    out: list[dict[str, Any]] = []
    for ctx, ctx_drafts in zip(contexts, drafts, strict=True):
        current = [row for uid in ctx.unit_ids for row in rows_by_unit.get(uid, [])]
        rows = sync(session, ctx, ctx_drafts, current)
        session.flush()
        entries = {e.id: e for e in ctx.entries}
        out.extend(as_dict(row, ctx, entries) for row in rows)
    return out


def submission_unit(session: Session, submission_id: int) -> tuple[int | None, int] | None:
    """(campaign id, top-level unit id) a submission is audited under; None if it is gone."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        return None
    unit = session.get(Unit, sub.unit_id)
    return sub.campaign_id, (unit.parent_id or unit.id) if unit else sub.unit_id


def reaudit_snapshot(submission_id: int, today: date) -> None:
    """Re-audit a submission's unit (see `reaudit_units`)."""
    with read_session() as r:
        found = submission_unit(r, submission_id)
    if found is not None:
        reaudit_units(found[0], [found[1]], today)


def reaudit_units(campaign_id: int | None, top_ids: list[int], today: date) -> None:
    """Re-audit top-level units with the rules run on a read snapshot, then a short write.

    The write lock is held only to store the findings, not while the units' entries are read
    and checked. An ingest that lands in between queues its own re-audit, which corrects this one.
    """
    with read_session() as r:
        campaign = r.get(Campaign, campaign_id) if campaign_id is not None else None
        contexts = load_contexts(r, campaign_id, top_ids, today)
        drafts = [check(ctx, campaign.audit if campaign else {}) for ctx in contexts]
    with write_session() as w:
        _lock_units(w, top_ids)
        store(w, contexts, drafts)
