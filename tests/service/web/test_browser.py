"""Real headless chromium against a real server on a free port, with a fresh store."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from service.store.campaigns import add_campaign
from service.store.db import write_session
from tests.browser import launch_chromium, live_server

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-1"  # the conftest users' password


@pytest.fixture
def server(app, world) -> Iterator[str]:  # noqa: ANN001
    with write_session() as s:
        add_campaign(s, {"name": "2026年度廉政风险防控工作", "year": 2026})
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(server):  # noqa: ANN001, ANN201
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(60_000)  # a loaded 2-core CI box parses slowly
        yield pg
        context.close()
        browser.close()


def _login(page, server: str, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))  # the 首页
    page.goto(f"{server}/upload")


def _generate(page, server: str, kind: str, **fields: str):  # noqa: ANN001, ANN202
    page.goto(f"{server}/documents?kind={kind}")
    for name, value in fields.items():
        if page.locator(f"select[name={name}]").count():
            page.select_option(f"select[name={name}]", label=value)
        else:
            page.fill(f"[name={name}]", value)
    page.click("form.filters button.primary")
    page.wait_for_selector(".notice-ok")
    with page.expect_download() as info:
        page.locator("table.grid tbody tr").first.locator("a").click()
    return info.value


def test_unit_user_uploads_reads_generates_and_is_fenced_in(page, server, samples_dir, world, tmp_path, seed):
    playwright = pytest.importorskip("playwright.sync_api")
    other = seed(world.unit_b, 2, risk="交通局的风险点")
    _login(page, server, "alice")
    page.set_input_files("#files", [str(samples_dir / "p01_keshi_standard.docx"), str(samples_dir / "p07_gaozhongdi.xlsx")])
    page.click("#upload-form button[type=submit]")
    # one request per file: each row fills in as its file is parsed
    playwright.expect(page.locator("tr.outcome")).to_have_count(2)
    assert page.locator("tr.outcome-parsed").count() == 2
    assert page.locator("tr.outcome-parsed a").first.get_attribute("href").startswith("/submissions/")
    page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)

    page.click("nav >> text=风险库")
    assert "共 13 条" in page.inner_text(".pager")
    assert page.locator("td.risk", has_text="名称预先核准中违规核准与他人近似的企业名称").count() >= 1
    page.screenshot(path=str(tmp_path / "entries.png"), full_page=True)

    letter = _generate(page, server, "commitment", position="受理员")
    assert letter.suggested_filename.endswith(".docx") and "承诺" in letter.suggested_filename
    summary = _generate(page, server, "summary", stage="查找风险、制定措施")
    assert summary.suggested_filename.endswith(".docx")
    page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)
    page.click("nav >> text=提交记录")
    page.locator("td.filename a").first.click()
    assert page.locator("table.entries tbody tr").count() >= 6
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    assert (tmp_path / "upload.png").stat().st_size > 10_000

    page.goto(f"{server}/submissions/{other}")
    assert "未找到该页面或记录" in page.inner_text("main")
    page.goto(f"{server}/entries")
    assert "交通局的风险点" not in page.inner_text("main")


def test_admin_creates_unit_and_user_uploads_and_issues_a_notice(page, server, samples_dir, tmp_path):
    _login(page, server, "admin", "admin-pass")
    page.click("nav >> text=管理")
    page.fill("form[action$='/admin/units'] input[name=name]", "安澜县审计局")
    page.click("form[action$='/admin/units'] button")
    assert "已添加:安澜县审计局" in page.inner_text(".notice-ok")
    page.fill("form[action$='/admin/users'] input[name=username]", "dave")
    page.fill("form[action$='/admin/users'] input[name=password]", "dave-pass-123")
    page.select_option("form[action$='/admin/users'] select[name=unit]", label="安澜县审计局")
    page.click("form[action$='/admin/users'] button")
    assert "已创建用户:dave" in page.inner_text(".notice-ok")

    page.click("nav >> text=上传")
    page.select_option("select[name=unit]", label="安澜县审计局")
    page.set_input_files("#files", str(samples_dir / "p03_vmerge_post.docx"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("tr.outcome-parsed")

    notice = _generate(page, server, "rectification", unit="安澜县审计局", items="风险等级标识不完整\n防控措施过于笼统")
    assert notice.suggested_filename.endswith(".docx")
    assert "〔2026〕" in page.inner_text("table.grid")
    page.goto(f"{server}/admin")
    page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)
