"""Tiered review: every state with the right roles, refusals for the wrong ones, 公示 and its export."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pytest
from sqlalchemy import select

from service.review import ReviewError, add_feedback, decide, export_publicity, feedback, history, queue
from service.store.db import read_session, write_session
from service.store.errors import NotFound
from service.store.models import ActivityLog, ReviewStep, Submission, User
from service.store.scope import Viewer
from tests.service.audit.conftest import entry, form, make_campaign, make_unit

ROLES = ("unit", "department_head", "leader", "group")


@pytest.fixture
def people(store) -> dict[str, Viewer]:
    """One user per review role in 安澜县财政局, and the office's admin."""
    unit = make_unit()
    out = {"admin": Viewer(None, "cli", True, None, "admin")}
    with write_session() as s:
        for role in ROLES:
            user = User(username=role, password_hash="x", role=role, unit_id=unit)
            s.add(user)
            s.flush()
            out[role] = Viewer(user.id, role, False, unit, role)
    return out


def refused(code: str, submission_id: int, action: str, viewer: Viewer, **kw) -> str:
    with pytest.raises(ReviewError) as err:
        decide(submission_id, action, viewer=viewer, comment="意见", **kw)
    assert err.value.code == code
    return err.value.message


def state(submission_id: int) -> str:
    with read_session() as s:
        return s.get(Submission, submission_id).review_state


def test_a_form_with_high_points_walks_every_state(ingest, people) -> None:
    make_campaign(audit={"review": {"leader_may_settle": True}})
    sub = ingest(form(entry("政府采购化整为零规避集中采购", level="high"))).submission_id
    assert state(sub) == "submitted"

    for role in ("unit", "leader", "group"):
        assert "无权办理" in refused("wrong_role", sub, "approve", people[role])
    decide(sub, "approve", viewer=people["department_head"], comment="科室审核同意")
    assert state(sub) == "dept_review"

    refused("wrong_role", sub, "approve", people["department_head"])
    decide(sub, "approve", viewer=people["leader"], comment="分管领导同意")
    assert state(sub) == "leader_review"

    assert "须报领导小组审定" in refused("needs_group", sub, "publish", people["admin"])
    refused("wrong_role", sub, "approve", people["leader"])
    decide(sub, "approve", viewer=people["group"], comment="领导小组审定同意")
    assert state(sub) == "group_review"

    refused("wrong_role", sub, "publish", people["unit"])
    published = decide(sub, "publish", viewer=people["admin"], comment="公示5天", days=5, today=date(2025, 6, 1))
    assert state(sub) == "publicity" and published.publicity_until == date(2025, 6, 6)

    add_feedback(sub, "采购岗位还应增加供应商回避措施", viewer=people["unit"], contact="13800000000",
                 today=date(2025, 6, 3))
    assert feedback(sub)[0]["text"] == "采购岗位还应增加供应商回避措施"
    assert "公示期至2025-06-06结束" in refused("publicity_running", sub, "effective", people["group"],
                                               today=date(2025, 6, 6))
    decide(sub, "effective", viewer=people["group"], comment="公示期满无异议", today=date(2025, 6, 7))
    assert state(sub) == "effective"
    with pytest.raises(ReviewError) as err:
        add_feedback(sub, "晚到的意见", viewer=people["unit"], today=date(2025, 6, 8))
    assert err.value.code == "not_in_publicity"

    steps = history(sub, viewer=people["admin"])
    assert [st["to"] for st in steps] == ["科室审核", "分管领导审核", "领导小组审定", "公示", "生效"]
    with read_session() as s:
        sha = s.get(Submission, sub).sha256
        assert {st.sha256 for st in s.scalars(select(ReviewStep))} == {sha}
        logged = s.scalars(select(ActivityLog.action).where(ActivityLog.action.like("review.%"))).all()
    assert logged == ["review.approve"] * 3 + ["review.publish", "review.effective"]


def test_leader_may_settle_forms_without_high_points_when_the_campaign_says_so(ingest, people) -> None:
    make_campaign(audit={"review": {"leader_may_settle": True}})
    make_campaign("不授权", audit={})
    settled = ingest(form(entry("票据领用核销不及时")), campaign="2025年度安澜县廉政风险防控工作").submission_id
    not_settled = ingest(form(entry("票据领用核销不及时")), campaign="不授权").submission_id
    for sub in (settled, not_settled):
        decide(sub, "approve", viewer=people["department_head"], comment="同意")
        decide(sub, "approve", viewer=people["leader"], comment="同意")
    decide(settled, "publish", viewer=people["admin"], comment="分管领导审定后公示")
    assert state(settled) == "publicity"
    assert "未授权分管领导审定" in refused("needs_group", not_settled, "publish", people["admin"])


def test_refusals_comment_scope_and_superseded_versions(ingest, people) -> None:
    make_campaign()
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    with pytest.raises(ReviewError) as err:
        decide(sub, "approve", viewer=people["department_head"], comment="  ")
    assert err.value.message == "请填写审核意见"
    other = make_unit("安澜县教育局")
    outsider = Viewer(999, "outsider", False, other, "department_head")
    with pytest.raises(NotFound, match="未找到报送材料") as missing:  # another unit's form reads as missing
        decide(sub, "approve", viewer=outsider, comment="意见")
    assert missing.value.code == "not_found"
    newer = ingest(form(entry("票据领用核销不及时", level="high")), filename="修改后.docx").submission_id
    assert "已被新版本替代" in refused("superseded", sub, "approve", people["department_head"])
    assert state(newer) == "submitted"


def test_return_to_unit_with_findings_attached(ingest, people) -> None:
    make_campaign()
    sub = ingest(form(entry("票据领用核销不及时", level=None), entry("专项资金挤占挪用"))).submission_id
    decide(sub, "approve", viewer=people["department_head"], comment="同意")
    refused("wrong_role", sub, "return", people["department_head"])
    returned = decide(sub, "return", viewer=people["leader"], comment="风险等级不完整,请补充后重新报送")
    assert state(sub) == "returned" and len(returned.finding_ids) == 1
    refused("wrong_state", sub, "approve", people["department_head"])
    with read_session() as s:
        log = s.scalars(select(ActivityLog).where(ActivityLog.action == "review.return")).one()
    assert log.details["findings"] == returned.finding_ids


def test_queue_shows_each_role_what_it_can_act_on(ingest, people) -> None:
    make_campaign()
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    assert [q["id"] for q in queue(viewer=people["department_head"])] == [sub]
    assert queue(viewer=people["leader"]) == []
    decide(sub, "approve", viewer=people["department_head"], comment="同意")
    item = queue(viewer=people["leader"])[0]
    assert item["state_label"] == "科室审核" and item["actions"] == ["approve", "return"]


def test_publicity_export_lists_only_agreed_points(ingest, people) -> None:
    make_campaign()
    agreed = ingest(form(entry("政府采购化整为零规避集中采购", level="high"))).submission_id
    ingest(form(entry("印章管理不严违规用印"), department="办公室"), filename="办公室.docx")
    with pytest.raises(ReviewError) as err:
        export_publicity("安澜县财政局", viewer=people["admin"])
    assert err.value.code == "nothing_agreed"
    for action, role in (("approve", "department_head"), ("approve", "leader"), ("approve", "group"),
                         ("publish", "admin")):
        decide(agreed, action, viewer=people[role], comment="同意")
    out = export_publicity("安澜县财政局", viewer=people["admin"])
    assert out.entries == 1
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.docx)).paragraphs)
    tables = "\n".join(c.text for t in docx.Document(io.BytesIO(out.docx)).tables for r in t.rows for c in r.cells)
    assert "公示" in text and "政府采购化整为零" in text + tables and "印章管理" not in text + tables
    sheet = openpyxl.load_workbook(io.BytesIO(out.xlsx)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "政府采购化整为零规避集中采购" in values and "印章管理不严违规用印" not in values
