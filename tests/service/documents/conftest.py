"""A store filled by code for the document tests: one campaign, a unit with departments,
a roster with leaders, and current entries with measures (plus one superseded entry that
no document may count)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from docx.document import Document

from service.store.db import write_session
from service.store.models import Campaign, Entry, Measure, Person, StoredFile, Submission, Unit

UNIT = "安澜县财政局"
CAMPAIGN = "2026年度安澜县廉政风险防控工作"
STAGES = [
    {"name": "动员部署", "start": "2026-03-01", "end": "2026-03-31"},
    {"name": "查找风险", "start": "2026-04-01", "end": "2026-05-31", "submissions": True},
    {"name": "制定措施", "start": "2026-06-01", "end": "2026-07-31", "submissions": True},
    {"name": "检查考核", "start": "2026-11-01", "end": "2026-12-20"},
]
# (department, position, person, risk, category, level, measures)
ROWS = [
    ("财务科", "出纳", "刘芳", "现金收付不及时入账,坐支现金", "岗位职责", "high",
     ["收入款项当日存入银行", "严禁坐支现金", "会计每月核对现金日记账"]),
    ("财务科", "会计", "王敏", "原始凭证审核不严,以白条入账", "业务流程", "medium",
     ["严格审核原始凭证", "白条一律不得入账"]),
    ("财务科", "会计", "王敏", "往来款项长期挂账不清理", "制度机制", "low", ["每季度清理一次往来款项"]),
    ("采购科", "采购员", "张伟", "政府采购化整为零规避集中采购", "业务流程", "high",
     ["编制年度政府采购预算", "达到限额标准的一律集中采购"]),
    ("采购科", "科长", "赵强", "供应商选择暗箱操作", "思想道德", "medium", ["实行供应商随机抽取", "采购结果公开"]),
]


@dataclass
class Filled:
    unit_id: int
    campaign_id: int
    entries: int
    measures: int


def add_submission(s: Any, unit_id: int, campaign_id: int | None, rows: list[tuple], *, current: bool = True,
                   name: str = "form.docx") -> None:
    digest = f"{len(rows):04d}{name}".encode().hex()[:64].ljust(64, "0")
    if s.get(StoredFile, digest) is None:
        s.add(StoredFile(sha256=digest, size=1))
    sub = Submission(campaign_id=campaign_id, unit_id=unit_id, original_name=name, sha256=digest,
                     status="parsed", is_current=current)
    s.add(sub)
    s.flush()
    for i, (dept, pos, person, risk, category, level, measures) in enumerate(rows, 1):
        e = Entry(submission_id=sub.id, unit_id=unit_id, campaign_id=campaign_id, is_current=current, ordinal=i,
                  department=dept, position=pos, person=person, risk=risk, category=category,
                  category_label=category, level=level, level_label={"high": "高", "medium": "中", "low": "低"}[level],
                  owner=person)
        e.measures = [Measure(ordinal=j, text=t) for j, t in enumerate(measures, 1)]
        s.add(e)


def fill(rows: list[tuple] = ROWS) -> Filled:
    with write_session() as s:
        c = Campaign(name=CAMPAIGN, year=2026, stages=STAGES)
        u = Unit(name=UNIT)
        s.add_all([c, u])
        s.flush()
        s.add_all([Unit(name="财务科", parent_id=u.id), Unit(name="采购科", parent_id=u.id),
                   Unit(name="办公室", parent_id=u.id)])
        s.add_all([Person(name="李局长", unit_id=u.id, position="局长", is_leader=True),
                   Person(name="周副局长", unit_id=u.id, position="副局长", is_leader=True),
                   Person(name="刘芳", unit_id=u.id, department="财务科", position="出纳")])
        add_submission(s, u.id, c.id, rows)
        add_submission(s, u.id, c.id, [("财务科", "出纳", "刘芳", "旧版本中的风险点", "岗位职责", "high", ["旧措施"])],
                       current=False, name="old.docx")
        return Filled(u.id, c.id, len(rows), sum(len(r[6]) for r in rows))


@pytest.fixture
def filled(store: Any) -> Iterator[Filled]:
    yield fill()


def all_text(doc: Document) -> str:
    parts = [p.text.replace("\n", "") for p in doc.paragraphs]  # a title broken into lines reads whole
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)
