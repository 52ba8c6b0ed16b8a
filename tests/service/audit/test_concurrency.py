"""Concurrent ingests into one unit: each audits the whole unit, yet no finding is stored twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from service.store.db import read_session
from service.store.models import Finding
from tests.service.audit.conftest import entry, form, make_campaign, make_leader, make_unit


def test_parallel_ingests_store_each_finding_once(ingest) -> None:
    unit = make_unit()
    make_campaign()
    make_leader(unit, "王建国", "局长")  # every audit of the unit finds this leader uncovered
    departments = ["财务科", "办公室", "人事科", "法规科"]

    def send(dept: str) -> None:
        ingest(form(entry(f"{dept}票据领用核销不及时", department=dept, level=None), department=dept),
               filename=f"{dept}.docx")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, departments))
    with read_session() as s:
        per_key = s.execute(select(Finding.rule, func.count()).where(Finding.status == "open")
                            .group_by(Finding.key, Finding.rule)).all()
    assert sorted(per_key) == sorted([("coverage_leader", 1)] + [("missing_level", 1)] * 4)
