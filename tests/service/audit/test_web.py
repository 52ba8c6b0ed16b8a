"""Review pages as reviewers and units use them: queue, decisions, what to fix, board, 公示."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.store.db import read_session, write_session
from service.store.models import Submission, User
from service.store.users import hash_password
from tests.service.audit.conftest import entry, form, make_campaign, make_unit

PASSWORD = "review-pass-1"


@pytest.fixture
def client_as(store):
    from service.web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})

    def login(username: str) -> FlaskClient:
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        return client

    return login


def _users(unit: int, other: int) -> None:
    with write_session() as s:
        for name, role, unit_id in (("caiwu", "unit", unit), ("kezhang", "department_head", unit),
                                    ("fenguan", "leader", unit), ("jiaoyu", "unit", other)):
            s.add(User(username=name, password_hash=hash_password(PASSWORD), role=role, unit_id=unit_id))


def _post(client: FlaskClient, path: str, data: dict) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review/").get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True).get_data(as_text=True)


def _state(submission_id: int) -> str:
    with read_session() as s:
        return s.get(Submission, submission_id).review_state


def test_reviewer_queue_decisions_and_refusals(ingest, client_as) -> None:
    unit, other = make_unit(), make_unit("安澜县教育局")
    _users(unit, other)
    make_campaign()
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id

    head = client_as("kezhang")
    page = head.get("/review/").get_data(as_text=True)
    assert "财务科排查表.docx" in page and f"/review/{sub}" in page
    assert "审核通过" in head.get(f"/review/{sub}").get_data(as_text=True)

    leader = client_as("fenguan")
    assert "没有待您办理的表格" in leader.get("/review/").get_data(as_text=True)
    refused = _post(leader, f"/review/{sub}/decide", {"action": "approve", "comment": "同意"})
    assert "分管领导无权办理" in refused and _state(sub) == "submitted"

    done = _post(head, f"/review/{sub}/decide", {"action": "approve", "comment": "科室审核同意"})
    assert "当前状态“科室审核”" in done and _state(sub) == "dept_review"
    history = head.get(f"/review/{sub}").get_data(as_text=True)
    assert "已提交 → 科室审核" in history and "科室审核同意" in history

    assert client_as("jiaoyu").get(f"/review/{sub}").status_code == 404


def test_unit_sees_what_to_fix_and_the_board(ingest, client_as) -> None:
    unit, other = make_unit(), make_unit("安澜县教育局")
    _users(unit, other)
    make_campaign(stages=[{"name": "查找风险", "start": "2020-04-01", "end": "2020-06-30", "submissions": True}])
    ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[])))

    from service.documents import generate
    from service.store.scope import Viewer

    generate("rectification", {"unit": "安澜县财政局", "deadline": "2099-07-15"}, viewer=Viewer.system())
    own = client_as("caiwu").get("/review/fix").get_data(as_text=True)
    assert "专项资金挤占挪用" in own and "未制定防控措施" in own and "第3行" in own
    assert "共2项,已整改0项,尚未整改2项" in own  # the missing measures and the late form
    other_page = client_as("jiaoyu").get("/review/fix").get_data(as_text=True)
    assert "专项资金挤占挪用" not in other_page and "没有需要整改的问题" in other_page

    board = client_as("jiaoyu").get("/review/board").get_data(as_text=True)
    assert "安澜县教育局" in board and "红" in board and "安澜县财政局" not in board


def test_publicity_feedback_and_export_pages(ingest, client_as) -> None:
    from service.review import decide
    from service.store.scope import Viewer

    unit, other = make_unit(), make_unit("安澜县教育局")
    _users(unit, other)
    make_campaign(audit={"review": {"leader_may_settle": True}})
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    with read_session() as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
    decide(sub, "approve", viewer=Viewer(ids["kezhang"], "kezhang", False, unit, "department_head"), comment="同意")
    decide(sub, "approve", viewer=Viewer(ids["fenguan"], "fenguan", False, unit, "leader"), comment="同意")
    decide(sub, "publish", viewer=Viewer.system(), comment="公示")

    client = client_as("caiwu")
    page = _post(client, f"/review/{sub}/feedback", {"text": "建议补充票据核销的时限", "contact": ""})
    assert "反馈意见已提交" in page and "建议补充票据核销的时限" in page
    download = client.get(f"/review/export/xlsx?unit={unit}")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert download.headers["Content-Disposition"].endswith(".xlsx")
