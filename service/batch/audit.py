"""The audit of a batch: once, when its last file is done, for every unit it touched.

Batch files are ingested without the per-file re-audit of their unit (each re-audit reads
the whole unit inside the one write lock, which kept two workers from being much faster
than one). Findings of a unit in a running batch therefore lag until the batch finishes;
`Batch.audited_at` records that the catch-up ran, so a runner that dies in between leaves
it to `lianfang reconcile`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select, update

from service.audit.runner import reaudit_units
from service.store.db import read_session, write_session
from service.store.models import Batch, Submission, SubmissionStatus, Unit, utcnow


def audit_if_finished(batch_id: int, today: date | None = None) -> bool:
    """Re-audit the units of a finished, not yet audited batch; True if it ran.

    Two runners finishing together may both run it; the audit is idempotent.
    """
    with read_session() as s:
        due = s.scalar(select(Batch.id).where(
            Batch.id == batch_id, Batch.finished_at.is_not(None), Batch.audited_at.is_(None)))
        if due is None:
            return False
        touched = s.execute(
            select(Submission.campaign_id, func.coalesce(Unit.parent_id, Unit.id))
            .join(Unit, Unit.id == Submission.unit_id)
            .where(Submission.batch_id == batch_id, Submission.status == SubmissionStatus.PARSED)
            .distinct()
        ).all()
    tops: dict[int | None, set[int]] = defaultdict(set)
    for campaign_id, top in touched:
        tops[campaign_id].add(top)
    for campaign_id, ids in tops.items():
        reaudit_units(campaign_id, sorted(ids), today or date.today())
    with write_session() as s:
        s.execute(update(Batch).where(Batch.id == batch_id).values(audited_at=utcnow()))
    return True


def unaudited_batches() -> list[int]:
    """Finished batches whose audit never ran (their runner died right after the last file)."""
    with read_session() as s:
        return list(s.scalars(select(Batch.id).where(Batch.finished_at.is_not(None), Batch.audited_at.is_(None))))
