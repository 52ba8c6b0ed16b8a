"""Upload page and submission page: a form of another unit is held as 待确认 until the office
confirms or rejects it; a new version of a form says which file it replaced (real parser, SQLite)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from service.demo import make_form_docx
from service.store.db import read_session
from service.store.models import Entry, Submission


def docx(unit: str, risk: str, *, filled_on: str = "2026-05-08") -> bytes:
    return make_form_docx({
        "title": "科室廉政风险防控排查表", "unit": unit, "department": "会计核算科", "filled_on": filled_on,
        "rows": [{"position": "会计", "risk": risk, "category": "岗位职责", "level": "高",
                  "measures": ["报销票据实行会计、科长两级审核并留存审核记录"], "owner": "张伟"}],
    })


def upload(client, post_form, data: bytes, name: str) -> dict:  # noqa: ANN001
    response = post_form(client, "/upload", {"files": [(io.BytesIO(data), name)]},
                         content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.get_json()["outcomes"][0]


def current_risks() -> list[str]:
    with read_session() as s:
        return sorted(s.scalars(select(Entry.risk).where(Entry.is_current.is_(True))))


def test_a_form_of_another_unit_is_held_then_confirmed_by_the_office(client_for, post_form, csrf_of) -> None:  # noqa: ANN001
    alice = client_for("alice")  # a user of 安澜县财政局
    page = post_form(alice, "/upload", {"files": [(io.BytesIO(docx("安澜县交通局", "路政罚没款不入账")), "交通.docx")]},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "待确认" in page and "“安澜县交通局”" in page and "“安澜县财政局”" in page
    sub_id = int(re.search(r'href="/submissions/(\d+)"', page).group(1))
    assert current_risks() == []

    detail = alice.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert "待确认" in detail and "“安澜县交通局”" in detail and "确认入库" not in detail  # the uploader sees why
    token = csrf_of(alice, f"/submissions/{sub_id}")
    assert alice.post(f"/submissions/{sub_id}/decision",
                      data={"decision": "confirm", "csrf_token": token}).status_code == 403
    bob = client_for("bob")  # another unit: the submission does not exist for him
    assert bob.post(f"/submissions/{sub_id}/decision",
                    data={"decision": "confirm", "csrf_token": csrf_of(bob, "/upload")}).status_code == 404

    admin = client_for("admin")
    assert "确认入库" in admin.get(f"/submissions/{sub_id}").get_data(as_text=True)
    response = admin.post(f"/submissions/{sub_id}/decision",
                          data={"decision": "confirm", "csrf_token": csrf_of(admin, f"/submissions/{sub_id}")})
    assert response.status_code == 302
    assert "已确认入库" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert current_risks() == ["路政罚没款不入账"]
    again = admin.post(f"/submissions/{sub_id}/decision",
                       data={"decision": "reject", "csrf_token": csrf_of(admin, f"/submissions/{sub_id}")})
    assert again.status_code == 302 and again.headers["Location"] == f"/submissions/{sub_id}"  # back, with why
    assert "不是待确认状态" in admin.get(again.headers["Location"]).get_data(as_text=True)
    assert current_risks() == ["路政罚没款不入账"]


def test_the_office_rejects_a_held_form(client_for, post_form, csrf_of) -> None:  # noqa: ANN001
    alice = client_for("alice")
    outcome = upload(alice, post_form, docx("安澜县交通局", "路政罚没款不入账"), "交通.docx")
    assert outcome["status"] == "held" and "安澜县交通局" in outcome["hold"]["message"] and outcome["error"] is None
    admin = client_for("admin")
    sub_id = outcome["submission_id"]
    reply = admin.post(f"/submissions/{sub_id}/decision", headers={"Accept": "application/json"},
                       data={"decision": "reject", "csrf_token": csrf_of(admin, f"/submissions/{sub_id}")})
    assert reply.get_json()["status"] == "rejected"
    assert "已拒绝" in alice.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert current_risks() == []
    with read_session() as s:
        assert s.get(Submission, sub_id).status == "rejected"


def test_a_new_version_says_what_it_replaced_and_an_older_one_by_what(client_for, post_form) -> None:  # noqa: ANN001
    alice = client_for("alice")
    may = upload(alice, post_form, docx("安澜县财政局", "五月版风险点", filled_on="2026-05-08"), "五月版.docx")
    june = upload(alice, post_form, docx("安澜县财政局", "六月版风险点", filled_on="2026-06-08"), "六月版.docx")
    assert june["status"] == "parsed" and june["superseded_name"] == "五月版.docx"
    april = upload(alice, post_form, docx("安澜县财政局", "四月版风险点", filled_on="2026-04-08"), "四月版.docx")
    assert april["status"] == "parsed" and april["superseded_by_name"] == "六月版.docx"
    assert current_risks() == ["六月版风险点"]
    page = post_form(alice, "/upload", {"files": [(io.BytesIO(docx("安澜县财政局", "七月版风险点",
                                                                    filled_on="2026-07-08")), "七月版.docx")]},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "取代了 六月版.docx" in page
    june_page = alice.get(f"/submissions/{june['submission_id']}").get_data(as_text=True)
    assert "取代了" in june_page and "五月版.docx" in june_page and "七月版.docx" in june_page
    april_page = alice.get(f"/submissions/{april['submission_id']}").get_data(as_text=True)
    assert "已被" in april_page and "六月版.docx" in april_page
    assert may["submission_id"] != june["submission_id"]


@pytest.mark.browser
def test_the_upload_page_shows_held_and_replaced_in_the_browser(app, world, tmp_path) -> None:  # noqa: ANN001
    """The script path (one request per file) renders 待确认 and 取代了 like the server-rendered table."""
    playwright = pytest.importorskip("playwright.sync_api")
    from tests.browser import launch_chromium, live_server

    (tmp_path / "交通.docx").write_bytes(docx("安澜县交通局", "路政罚没款不入账"))
    (tmp_path / "五月.docx").write_bytes(docx("安澜县财政局", "五月版风险点", filled_on="2026-05-08"))
    (tmp_path / "六月.docx").write_bytes(docx("安澜县财政局", "六月版风险点", filled_on="2026-06-08"))
    with live_server(app) as server, playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(60_000)
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "secret-pass-1")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))  # the 首页
        page.goto(f"{server}/upload")
        page.set_input_files("#files", [str(tmp_path / n) for n in ("交通.docx", "五月.docx", "六月.docx")])
        page.click("#upload-form button[type=submit]")
        playwright.expect(page.locator("tr.outcome")).to_have_count(3)
        held = page.locator("tr.outcome-held")
        assert held.count() == 1 and "待确认" in held.inner_text() and "“安澜县交通局”" in held.inner_text()
        assert "取代了 五月.docx" in page.locator("tr.outcome-parsed").nth(1).inner_text()
        browser.close()


def test_the_api_answers_a_held_upload_with_its_reason(app, world) -> None:  # noqa: ANN001
    from service.web.auth import create_token

    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('alice')}"
    response = client.post("/api/v1/submissions", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(docx("安澜县交通局", "路政罚没款不入账")), "交通.docx")})
    assert response.status_code == 200  # stored, not filed: 201 is for a form that went in
    body = response.json
    assert body["status"] == "held" and body["error_code"] == "unit_mismatch" and not body["is_current"]
    assert "安澜县交通局" in body["error_message"]
