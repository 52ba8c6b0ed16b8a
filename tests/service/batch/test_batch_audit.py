"""A batch audits the units it touched once, when its last file is done, and a batch
whose closing audit never ran is audited by the reconciler."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select, update

from service.audit import run_audit
from service.batch.run import reconcile, run_batch
from service.store.db import read_session, write_session
from service.store.models import Batch, Finding
from tests.service.batch.batch_helpers import UNITS, no_measures_forms, open_findings, write_forms


def _audited(batch_id: int) -> bool:
    with read_session() as s:
        return s.scalar(select(Batch.audited_at).where(Batch.id == batch_id)) is not None


def test_the_finished_batch_leaves_the_findings_a_full_audit_would(units, tmp_path: Path) -> None:
    write_forms(tmp_path / "forms", 12, rows=2)
    no_measures_forms(tmp_path / "forms")
    batch_id = run_batch(tmp_path / "forms", workers=2)

    after_batch = open_findings()
    assert _audited(batch_id)
    flagged = {unit for unit, rule, _ in after_batch if rule == "no_measures"}
    assert len(flagged) == len(UNITS)  # every unit of the batch was audited
    run_audit()
    assert open_findings() == after_batch


def test_reconcile_audits_a_finished_batch_whose_audit_never_ran(units, tmp_path: Path) -> None:
    write_forms(tmp_path / "forms", 6, rows=2)
    no_measures_forms(tmp_path / "forms")
    batch_id = run_batch(tmp_path / "forms", workers=1)
    expected = open_findings()
    assert expected

    with write_session() as s:  # as if the runner died right after the last file
        s.execute(delete(Finding))
        s.execute(update(Batch).where(Batch.id == batch_id).values(audited_at=None))
    assert reconcile() == [batch_id]
    assert _audited(batch_id)
    assert open_findings() == expected
