"""Real headless chromium: a department head approves a form on the review queue page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from service.store.db import read_session, write_session
from service.store.models import Submission, User
from service.store.users import hash_password
from tests.browser import launch_chromium, live_server
from tests.service.audit.conftest import entry, form, make_campaign, make_unit

pytestmark = pytest.mark.browser
PASSWORD = "review-pass-1"


@pytest.fixture
def server(store) -> Iterator[str]:
    from service.web import create_app

    with live_server(create_app({"TESTING": True, "SECRET_KEY": "test-secret"})) as url:
        yield url


def test_department_head_approves_on_the_queue_page(ingest, server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    unit = make_unit()
    make_campaign()
    with write_session() as s:
        s.add(User(username="kezhang", password_hash=hash_password(PASSWORD), role="department_head", unit_id=unit))
    sub = ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[]))).submission_id
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(30_000)
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "kezhang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        page.click("nav.mainnav >> text=审核")
        page.locator("table.grid tbody tr", has_text="财务科排查表.docx").locator("a.button").click()
        page.fill("#comment", "科室审核同意")
        page.click("button[value=approve]")
        page.wait_for_selector(".notice-ok")
        assert "当前状态“科室审核”" in page.locator(".notice-ok").inner_text()
        page.click("text=需要整改")
        assert "专项资金挤占挪用" in page.locator("table.grid").inner_text()
        browser.close()
    with read_session() as s:
        assert s.get(Submission, sub).review_state == "dept_review"
