"""The form's own unit (held as 待确认 until the office decides) and the order of two versions of one form.

Driven through `ingest_file` and `decide_held` with the contract-JSON stand-in parser of
test_ingest.py, so each case states exactly what the form says; the web and batch paths
have their own tests (tests/service/web/test_upload_hold.py, tests/service/batch/test_batch_versions.py).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from service.audit import background
from service.demo import make_form_docx
from service.ingest import UNIT_MISMATCH, HoldError, Version, decide_held, ingest_file, preview_file, replaces
from service.store.db import read_session, write_session
from service.store.errors import NotFound
from service.store.models import ActivityLog, Campaign, Entry, Person, Submission
from service.store.units import add_unit
from tests.service.test_ingest import json_parser  # noqa: F401  (the stand-in parser fixture)

UNIT = "安澜县财政局"


def form(*risks: str, unit: str | None = UNIT, department: str = "财务科", filled_on: str | None = "2025-04-01",
         owner: str = "张建国") -> bytes:
    doc = {"file": "x.docx", "format": "docx",
           "form": {"kind": "risk_register", "title": "科室廉政风险防控排查表", "unit": unit,
                    "department": department, "filled_on": filled_on},
           "entries": [{"risk": r, "department": department, "position": "会计", "owner": owner,
                        "measures": [{"text": f"{r}:实行两级审核", "phase": None}],
                        "source": {"table": 0, "row": i + 2}} for i, r in enumerate(risks)],
           "warnings": []}
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.fixture
def units(store):  # noqa: ANN001, ANN201
    with write_session() as s:
        add_unit(s, UNIT)
        add_unit(s, "财务科", parent=UNIT)
        add_unit(s, "安澜县交通局")
        add_unit(s, "路政科", parent="安澜县交通局")


def current_risks() -> list[str]:
    with read_session() as s:
        return sorted(s.scalars(select(Entry.risk).where(Entry.is_current.is_(True))))


def submission(sub_id: int) -> Submission:
    with read_session() as s:
        sub = s.get(Submission, sub_id)
        s.expunge(sub)
        return sub


# The form's own unit ------------------------------------------------------------------------


def test_a_form_of_another_unit_is_held_not_filed(json_parser, units):  # noqa: ANN001, F811
    result = ingest_file(form("违规审批报销", unit="安澜县交通局", owner="王路"), "交通局.docx", unit=UNIT, parser=json_parser)
    assert result.status == "held" and result.error_code == UNIT_MISMATCH and result.entry_count == 1
    assert "“安澜县交通局”" in result.error_message and f"“{UNIT}”" in result.error_message
    assert "待确认" in result.error_message
    sub = submission(result.submission_id)
    assert sub.status == "held" and not sub.is_current and sub.error_message == result.error_message
    assert current_risks() == []  # stored, not filed among the unit's current entries
    with read_session() as s:
        assert s.scalar(select(Person.id).where(Person.name == "王路")) is None  # nor its names in the roster


def test_the_short_name_of_another_unit_is_held(json_parser, units):  # noqa: ANN001, F811
    result = ingest_file(form("路政罚没款不入账", unit="交通局"), "表.docx", unit=UNIT, parser=json_parser)
    assert result.status == "held" and "填报单位“交通局”(即“安澜县交通局”)" in result.error_message


def test_a_department_of_another_unit_is_held(json_parser, units):  # noqa: ANN001, F811
    result = ingest_file(form("路政执法随意", unit=None, department="路政科"), "路政.docx", unit=UNIT, parser=json_parser)
    assert result.status == "held"
    assert "科室“路政科”(即“安澜县交通局/路政科”)" in result.error_message and UNIT in result.error_message


@pytest.mark.parametrize("stated, department", [
    ("安澜县财政局", "财务科"),  # its own name
    ("安澜县 财政局", "财务科"),  # spaces and full-width forms do not matter
    ("财务科", "财务科"),  # a department of the unit as the 填报单位
    ("财政局", "财务科"),  # the short name of the unit
    (None, "财务科"),  # blank
    (UNIT, "综合科"),  # a 科室 nobody registered
    ("酒泉市工商行政管理局", "登记注册科"),  # a unit the office does not collect from
])
def test_the_units_own_names_are_filed_at_once(json_parser, units, stated, department):  # noqa: ANN001, F811
    result = ingest_file(form("违规审批报销", unit=stated, department=department), "表.docx", unit=UNIT, parser=json_parser)
    assert result.status == "parsed" and result.is_current


def test_a_department_upload_accepts_its_units_name(json_parser, units):  # noqa: ANN001, F811
    assert ingest_file(form("违规审批报销"), "表.docx", unit="财务科", parser=json_parser).status == "parsed"


def test_confirmed_form_becomes_current_and_supersedes_as_usual(json_parser, units):  # noqa: ANN001, F811
    old = ingest_file(form("旧风险点", filled_on="2025-03-01"), "旧.docx", unit=UNIT, parser=json_parser)
    held = ingest_file(form("新风险点", unit="安澜县交通局", filled_on="2025-04-01"), "新.docx", unit=UNIT, parser=json_parser)
    assert current_risks() == ["旧风险点"]
    again = ingest_file(form("新风险点", unit="安澜县交通局", filled_on="2025-04-01"), "新.docx", unit=UNIT, parser=json_parser)
    assert again.status == "duplicate" and again.submission_id == held.submission_id  # held once
    decided = decide_held(held.submission_id, confirm=True, actor="admin")
    assert decided.status == "parsed" and decided.superseded_id == old.submission_id
    assert decided.superseded_name == "旧.docx"
    assert current_risks() == ["新风险点"]
    sub = submission(held.submission_id)
    assert sub.status == "parsed" and sub.is_current and sub.error_code is None
    assert submission(old.submission_id).superseded_by_id == held.submission_id
    with read_session() as s:
        assert s.scalar(select(Person.id).where(Person.name == "张建国")) is not None
        actions = s.scalars(select(ActivityLog.action).where(ActivityLog.object_type == "submission",
                                                             ActivityLog.object_id == held.submission_id)).all()
    assert actions == ["submission.held", "submission.confirm"]
    with pytest.raises(HoldError):
        decide_held(held.submission_id, confirm=False)


def test_confirmed_form_older_than_the_current_one_stays_history(json_parser, units):  # noqa: ANN001, F811
    held = ingest_file(form("旧风险点", unit="安澜县交通局", filled_on="2025-03-01"), "旧.docx", unit=UNIT, parser=json_parser)
    newer = ingest_file(form("新风险点", filled_on="2025-04-01"), "新.docx", unit=UNIT, parser=json_parser)
    decided = decide_held(held.submission_id, confirm=True)
    assert decided.status == "parsed" and not decided.is_current
    assert decided.superseded_by_id == newer.submission_id and decided.superseded_by_name == "新.docx"
    assert current_risks() == ["新风险点"]


def test_rejected_form_is_kept_and_never_current(json_parser, units):  # noqa: ANN001, F811
    held = ingest_file(form("别人的风险点", unit="安澜县交通局"), "错.docx", unit=UNIT, parser=json_parser)
    decided = decide_held(held.submission_id, confirm=False, actor="admin")
    assert decided.status == "rejected"
    sub = submission(held.submission_id)
    assert sub.status == "rejected" and not sub.is_current and "安澜县交通局" in sub.error_message
    assert current_risks() == []
    with pytest.raises(HoldError):
        decide_held(held.submission_id, confirm=True)
    with pytest.raises(NotFound):
        decide_held(999_999, confirm=True)


def test_preview_says_it_would_be_held(json_parser, units):  # noqa: ANN001, F811
    result = preview_file(form("违规审批报销", unit="安澜县交通局"), "表.docx", unit=UNIT, parser=json_parser)
    assert result.status == "held" and result.submission_id is None and "安澜县交通局" in result.error_message


# Two versions of one form -------------------------------------------------------------------


def test_an_older_form_arriving_later_is_superseded_on_arrival(json_parser, units):  # noqa: ANN001, F811
    newer = ingest_file(form("五月版风险点", filled_on="2025-05-01"), "五月.docx", unit=UNIT, parser=json_parser)
    older = ingest_file(form("三月版风险点", filled_on="2025-03-01"), "三月.docx", unit=UNIT, parser=json_parser)
    assert older.status == "parsed" and not older.is_current and older.superseded_id is None
    assert older.superseded_by_id == newer.submission_id and older.superseded_by_name == "五月.docx"
    assert current_risks() == ["五月版风险点"]
    assert submission(older.submission_id).superseded_by_id == newer.submission_id
    assert submission(newer.submission_id).is_current


def test_file_time_decides_when_the_dates_do_not(json_parser, units):  # noqa: ANN001, F811
    later, earlier = datetime(2025, 4, 2, 9, 0), datetime(2025, 4, 1, 9, 0)
    first = ingest_file(form("后改的", filled_on=None), "后.docx", unit=UNIT, modified=later, parser=json_parser)
    second = ingest_file(form("先写的", filled_on=None), "先.docx", unit=UNIT, modified=earlier, parser=json_parser)
    assert first.is_current and second.superseded_by_id == first.submission_id
    third = ingest_file(form("最后改的", filled_on=None), "最后.docx", unit=UNIT, modified=datetime(2025, 4, 3), parser=json_parser)
    assert third.superseded_id == first.submission_id and third.superseded_name == "后.docx"
    assert current_risks() == ["最后改的"]


def test_without_date_or_time_the_later_arrival_wins(json_parser, units):  # noqa: ANN001, F811
    first = ingest_file(form("第一版", filled_on=None), "一.docx", unit=UNIT, parser=json_parser)
    second = ingest_file(form("第二版", filled_on=None), "二.docx", unit=UNIT, parser=json_parser)  # a web upload has no file time
    assert second.superseded_id == first.submission_id and current_risks() == ["第二版"]


def test_replaces_order():
    t1, t2 = datetime(2025, 1, 1), datetime(2025, 1, 2)
    assert replaces(Version(None, "2025-05-01", t1), Version(1, "2025-04-01", t2))  # the date first
    assert not replaces(Version(None, "2025-04-01", t2), Version(1, "2025-05-01", t1))
    assert replaces(Version(None, "2025-04-01", t2), Version(1, "2025-04-01", t1))  # same date: the file time
    assert not replaces(Version(None, None, t1), Version(1, "2025-04-01", t2))  # one date only: the file time
    assert replaces(Version(None, None, None), Version(1, None, t2))  # nothing to compare: received order
    assert not replaces(Version(2, None, t1, batch_id=7, batch_seq=3), Version(3, None, t1, batch_id=7, batch_seq=5))
    assert replaces(Version(3, None, t1, batch_id=7, batch_seq=5), Version(2, None, t1, batch_id=7, batch_seq=3))
    assert replaces(Version(3, None, None), Version(2, None, None)) and not replaces(Version(2, None, None),
                                                                                      Version(3, None, None))


# Background re-audits: one per (campaign, top unit) --------------------------------------------


def test_background_reaudit_keeps_every_campaign_of_a_unit(json_parser, units, monkeypatch):  # noqa: ANN001, F811
    """Two uploads of one unit into two campaigns while an audit runs: both campaigns are re-audited."""
    from service.audit import runner

    with write_session() as s:
        s.add_all([Campaign(name="2024年度", year=2024), Campaign(name="2025年度", year=2025)])
    first = ingest_file(form("甲"), "甲.docx", unit=UNIT, campaign="2025年度", audit=False, parser=json_parser)
    in_2024 = ingest_file(form("乙", department="综合科"), "乙.docx", unit=UNIT, campaign="2024年度", audit=False, parser=json_parser)
    in_2025 = ingest_file(form("丙", department="审计科"), "丙.docx", unit="财务科", campaign="2025年度", audit=False, parser=json_parser)
    busy, release = threading.Event(), threading.Event()
    audited: list[tuple[int | None, int]] = []
    real = runner.reaudit_snapshot

    def slow_audit(submission_id: int, today) -> None:  # noqa: ANN001
        with read_session() as s:
            audited.append(runner.submission_unit(s, submission_id))
        busy.set()
        release.wait(30)
        real(submission_id, today)

    monkeypatch.setattr(runner, "reaudit_snapshot", slow_audit)
    background.request(first.submission_id)
    assert busy.wait(30)  # the first audit is running …
    background.request(in_2024.submission_id)  # … when the same unit asks in another campaign,
    background.request(in_2025.submission_id)  # and its department asks in the first campaign again
    release.set()
    assert background.drain(60)
    with read_session() as s:
        campaigns = dict(s.execute(select(Campaign.name, Campaign.id)).all())
        top = s.scalar(select(Submission.unit_id).where(Submission.id == first.submission_id))
    assert sorted(audited, key=str) == sorted([(campaigns["2025年度"], top), (campaigns["2024年度"], top),
                                               (campaigns["2025年度"], top)], key=str)


def test_cli_ingest_says_held_and_the_office_decides_with_lianfang_held(units, cli, tmp_path):  # noqa: ANN001
    (tmp_path / "交通局.docx").write_bytes(make_form_docx({  # the CLI reads it with the real parser
        "title": "科室廉政风险防控排查表", "unit": "安澜县交通局", "department": "财务科", "filled_on": "2025-04-01",
        "rows": [{"position": "会计", "risk": "路政罚没款不入账", "category": "岗位职责", "level": "高",
                  "measures": ["实行两级审核"], "owner": "张建国"}]}))
    out = cli("ingest", tmp_path / "交通局.docx", "--unit", UNIT)
    assert out.exit_code == 0 and "待确认" in out.output and "“安澜县交通局”" in out.output
    with read_session() as s:
        sub_id = s.scalar(select(Submission.id))
    confirmed = cli("held", sub_id, "--confirm")
    assert confirmed.exit_code == 0 and "✓ 交通局.docx:已保存 1 个风险点" in confirmed.output
    again = cli("held", sub_id, "--reject")
    assert again.exit_code == 3 and "不是待确认状态" in again.output
    assert current_risks() == ["路政罚没款不入账"]


def test_preview_says_where_the_version_would_land(json_parser, units):  # noqa: ANN001, F811
    newer = ingest_file(form("五月版", filled_on="2025-05-01"), "五月.docx", unit=UNIT, parser=json_parser)
    older = preview_file(form("三月版", filled_on="2025-03-01"), "三月.docx", unit=UNIT, parser=json_parser)
    assert older.submission_id is None and older.superseded_by_id == newer.submission_id
    later = preview_file(form("六月版", filled_on="2025-06-01"), "六月.docx", unit=UNIT, parser=json_parser)
    assert later.superseded_id == newer.submission_id and later.superseded_name == "五月.docx"
    assert current_risks() == ["五月版"]
