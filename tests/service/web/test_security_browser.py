"""The account rules in real chromium: an initial password leads to 我的账号 until it is replaced,
and signing out everywhere ends another browser's session."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from service.store.db import write_session
from service.store.models import User
from tests.browser import launch_chromium, live_server

pytestmark = pytest.mark.browser
NEW_PASSWORD = "办公室管理员-Lf2026"


def test_initial_password_is_replaced_first_and_other_browsers_are_signed_out(app, world, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    with write_session() as s:  # as `lianfang init` leaves the admin
        s.execute(update(User).where(User.username == "admin").values(must_change_password=True))
    with live_server(app) as server, playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        first, second = browser.new_context(locale="zh-CN").new_page(), browser.new_context(locale="zh-CN").new_page()
        for page in (first, second):
            page.set_default_timeout(60_000)
        first.goto(f"{server}/login")
        first.fill("input[name=username]", "admin")
        first.fill("input[name=password]", "admin-pass")
        first.click("button[type=submit]")
        first.wait_for_url(re.compile(r"/account$"))
        assert "请先设置您自己的新密码" in first.inner_text("main")
        first.goto(f"{server}/entries")  # every page leads back until the password is replaced
        assert first.url.endswith("/account")
        first.fill("input[name=current_password]", "admin-pass")
        first.fill("input[name=new_password]", "short")
        first.fill("input[name=confirm_password]", "short")
        first.evaluate("document.querySelectorAll('input[minlength]').forEach(i => i.removeAttribute('minlength'))")
        first.click("form[action$='/account/password'] button")
        assert "密码至少需要 10 个字符" in first.inner_text(".notice-error")
        first.fill("input[name=current_password]", "admin-pass")
        first.fill("input[name=new_password]", NEW_PASSWORD)
        first.fill("input[name=confirm_password]", NEW_PASSWORD)
        first.click("form[action$='/account/password'] button")
        first.wait_for_url(re.compile(r"/$"))
        assert "密码已修改" in first.inner_text(".notice-ok")

        second.goto(f"{server}/login")
        second.fill("input[name=username]", "admin")
        second.fill("input[name=password]", NEW_PASSWORD)
        second.click("button[type=submit]")
        second.wait_for_url(re.compile(r"/$"))
        first.goto(f"{server}/account")
        first.click("form[action$='/account/signout'] button")
        assert "已退出其他设备上的 1 处登录" in first.inner_text(".notice-ok")
        first.screenshot(path=str(tmp_path / "account.png"), full_page=True)
        second.goto(f"{server}/entries")
        assert "/login" in second.url
        browser.close()
