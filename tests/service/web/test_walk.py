"""The county 纪委 clerk's day in real Chromium, on a fresh store, with a screenshot of each step.

Screenshots go to artifacts/screenshots/ (LIANFANG_SCREENSHOTS overrides it), kept by CI as artifacts.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, update

from service.demo import make_form_docx
from service.store.campaigns import add_campaign
from service.store.db import read_session, write_session
from service.store.models import Entry, Submission, User
from tests.browser import launch_chromium, live_server
from tests.service.web.conftest import create_test_app, make_docx
from tests.service.web.test_dashboard import table_of

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("LIANFANG_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "artifacts" / "screenshots")
UNITS = ["安澜县水利局", "安澜县教育局", "安澜县卫健局", "安澜县住建局", "安澜县民政局"]


@pytest.fixture
def page(store):  # noqa: ANN001, ANN201
    playwright = pytest.importorskip("playwright.sync_api")
    late = (date.today() - timedelta(days=3)).isoformat()
    with write_session() as s:
        # as `make run` leaves it: the initial admin password must be changed at first login
        s.execute(update(User).where(User.username == "admin").values(must_change_password=True))
        add_campaign(s, {"name": "2026年度廉政风险防控工作", "year": 2026, "stages": [
            {"name": "查找风险", "start": "2026-01-01", "end": late, "deadline": late, "submissions": True}]})
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(create_test_app()) as url, playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        pg.base = url
        pg.passwords = {}
        yield pg
        context.close()
        browser.close()


def shot(page, name: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, username: str, password: str) -> None:  # noqa: ANN001
    """Sign in; an initial password (the admin's, an imported user's) is changed first, as the pages demand."""
    password = page.passwords.get(username, password)
    page.context.clear_cookies()
    for attempt in range(2):  # a page still loading when the cookies were cleared can swallow the first try
        page.goto(f"{page.base}/login", wait_until="load")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        try:
            page.wait_for_url(re.compile(r"/(account)?$"), timeout=15_000)
            break
        except Exception:
            if attempt:
                shot(page, f"failed-login-{username}")
                raise
    if page.url.endswith("/account"):
        if username == "admin":
            shot(page, "00-admin-must-change-password")
        new = f"{password}-换了新的"
        page.fill("input[name=current_password]", password)
        page.fill("input[name=new_password]", new)
        page.fill("input[name=confirm_password]", new)
        page.click("form[action$='/account/password'] button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        page.passwords[username] = new


# Text whose colour against the first opaque background behind it is below 4.5:1 (WCAG AA).
LOW_CONTRAST_JS = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || c[3] === 1) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest('svg, .sr-only')) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 20));
  }
  return out;
}"""


def upload(page, name: str, data: bytes, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(f"{page.base}/upload")
    page.set_input_files("#files", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("tr.outcome")


def test_the_clerks_day(page, tmp_path) -> None:  # noqa: ANN001
    expect = pytest.importorskip("playwright.sync_api").expect
    login(page, "admin", "admin-pass")  # forced to choose a new password first
    shot(page, "01-dashboard-empty")

    # import 5 units and their users from the downloaded template: check first, then import
    page.goto(f"{page.base}/admin/people")
    with page.expect_download() as info:
        page.click("text=下载导入模板")
    wb = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    for i, unit in enumerate(UNITS):
        wb["单位"].append([unit, ""])
        wb["用户"].append([f"unit{i}", unit, "", "单位填报人", f"unit{i}-pass-2026", ""])
    filled = tmp_path / "导入.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    filled.write_bytes(buf.getvalue())
    page.set_input_files("#import-file", str(filled))
    page.click("text=上传并检查")
    expect(page.locator("#check")).to_contain_text("全部 10 行检查通过")
    shot(page, "02-import-checked")
    page.click("button:text('确认导入')")
    expect(page.locator(".notice-ok")).to_contain_text("新增单位和科室5个,新增用户5个")

    # two units upload; one form is sent back later
    login(page, "unit0", "unit0-pass-2026")
    rows = [["出纳", "现金收付不及时入账", "岗位职责", "高", "每日核对现金日记账;每月由科长盘点库存现金"],
            ["会计", "原始凭证审核不严", "业务流程", "中", "加强学习"],
            ["科长", "专项资金审批把关不严", "制度机制", "中", "实行集体审批;资金使用情况每季度公示"]]
    upload(page, "水利局财务科排查表.docx", make_docx(rows, department="财务科"), tmp_path)
    expect(page.locator("tr.outcome-parsed")).to_have_count(1)
    # the unit's audit arrives on the result row, each finding linking to its row on the review page
    finding = page.locator("tr.outcome-parsed .findings-cell a", has_text="笼统")
    expect(finding).to_have_count(1, timeout=30_000)
    assert re.search(r"/review/\d+#row-\d+$", finding.get_attribute("href"))
    shot(page, "03-unit-upload")
    login(page, "unit1", "unit1-pass-2026")
    upload(page, "教育局排查表.docx", make_docx(rows[:1], department="办公室"), tmp_path)
    # a form stating another unit is held as 待确认 for the office
    other = make_form_docx({"title": "科室廉政风险防控排查表", "unit": "安澜县卫健局", "department": "医政科",
                            "filled_on": "2026-05-08", "rows": [{"position": "科员", "risk": "医疗机构校验把关不严",
                                                                 "category": "岗位职责", "level": "中",
                                                                 "measures": ["校验材料双人审核并存档"]}]})
    upload(page, "卫健局的表.docx", other, tmp_path)
    expect(page.locator("tr.outcome-held")).to_contain_text("待确认")

    # the office's dashboard agrees with the store
    login(page, "admin", "admin-pass")
    with read_session() as s:
        high = s.scalar(select(func.count()).select_from(Entry).where(Entry.level == "high", Entry.is_current.is_(True)))
        forms = s.scalar(select(func.count()).select_from(Submission).where(
            Submission.review_state == "submitted", Submission.is_current.is_(True), Submission.status == "parsed"))
    html = page.content()
    assert table_of(html, "风险点按等级")["高"] == [str(high)]
    assert table_of(html, "审核进度(表格数)")["已提交"] == [str(forms)]
    expect(page.locator("#late")).to_contain_text("安澜县卫健局")
    shot(page, "04-dashboard")
    assert page.evaluate(LOW_CONTRAST_JS) == []

    # the office confirms the held form from its 待办
    page.click("nav >> text=待办")
    page.locator("li.note", has_text="待确认:卫健局的表.docx").locator("button").click()
    page.click("button[value=confirm]")
    expect(page.locator(".notice-ok")).to_contain_text("已确认入库")

    # review: entries and findings beside the rows; return one row with a comment
    page.click("nav >> text=审核")
    shot(page, "05-queue")
    page.locator("tr", has_text="水利局财务科排查表.docx").locator("a.button").click()
    expect(page.locator("table.review")).to_contain_text("原始凭证审核不严")
    vague = page.locator("table.review tr", has_text="原始凭证审核不严")
    expect(vague.locator(".findings-cell")).to_contain_text("笼统")
    vague.locator("textarea").fill("“加强学习”过于笼统,请写明具体做法、责任人和时限")
    shot(page, "06-review-page")
    assert page.evaluate(LOW_CONTRAST_JS) == []
    page.click("button[value=return]")
    expect(page.locator(".notice-ok")).to_contain_text("附逐行意见1条")

    # the unit sees it in its 待办 and uploads a corrected version
    login(page, "unit0", "unit0-pass-2026")
    expect(page.locator(".mainnav .counter")).to_have_text("2")  # the passed deadline and the returned form
    page.click("nav >> text=待办")
    expect(page.locator("ul.notes")).to_contain_text("表格被退回:水利局财务科排查表.docx")
    shot(page, "07-unit-todo")
    assert page.evaluate(LOW_CONTRAST_JS) == []
    page.goto(f"{page.base}/review/fix")
    expect(page.locator("main")).to_contain_text("过于笼统,请写明具体做法")
    rows[1][4] = "会计每笔凭证双人复核;科长每月抽查凭证二十份并留痕"
    upload(page, "水利局财务科排查表.docx", make_docx(rows, department="财务科"), tmp_path)
    expect(page.locator("tr.outcome-parsed td.num")).to_have_text("3")

    # the office approves the corrected form through 公示 (the next form opens after each decision)
    login(page, "admin", "admin-pass")
    with read_session() as s:
        current = s.scalar(select(Submission.id).where(Submission.original_name == "水利局财务科排查表.docx",
                                                       Submission.is_current.is_(True)))
    for action in ("approve", "approve", "approve", "publish"):
        page.goto(f"{page.base}/review/{current}")
        page.fill("#comment", "同意")
        page.click(f"button[value={action}]")
        expect(page.locator(".notice-ok")).to_be_visible()
    page.goto(f"{page.base}/review/{current}")
    expect(page.locator("main")).to_contain_text("公示期至")
    shot(page, "08-publicity")

    # a 整改通知书 to the unit, then a 催报 to the late units
    page.goto(f"{page.base}/documents?kind=rectification")
    page.select_option("select[name=unit]", label="安澜县水利局")
    page.fill("[name=items]", "防控措施过于笼统")
    page.click("form.filters button.primary")
    expect(page.locator(".notice-ok")).to_be_visible(timeout=60_000)
    shot(page, "09-notice")
    page.goto(f"{page.base}/")
    page.click("text=向所选单位催报")
    expect(page.locator(".notice-ok")).to_contain_text("催报")
    shot(page, "10-reminded")
    with read_session() as s:
        rows = s.execute(select(Entry.level, Entry.campaign_id, Entry.is_current, Submission.status,
                                Submission.original_name).join(Submission, Submission.id == Entry.submission_id)).all()
        current = sum(1 for level, _, is_current, _, _ in rows if is_current and level == "medium")
    assert table_of(page.content(), "风险点按等级")["中"] == [str(current)], rows
    login(page, "unit2", "unit2-pass-2026")
    expect(page.locator(".mainnav .counter")).to_be_visible()
    shot(page, "11-late-unit-home")

    # a phone: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/todo"):
        page.goto(f"{page.base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shot(page, "12-phone-home")
    # the menu folds behind one button on a phone
    expect(page.locator(".mainnav")).to_be_hidden()
    page.click("label.nav-toggle-label")
    expect(page.locator(".mainnav >> text=风险库")).to_be_visible()
    shot(page, "12b-phone-menu")
    login(page, "admin", "admin-pass")
    page.goto(f"{page.base}/review/{current}")
    shot(page, "13-phone-review")
    for path in ("/", f"/review/{current}", "/review/", "/review/fix", "/review/board", "/entries", "/documents",
                 "/submissions", "/upload", "/todo", "/admin", "/admin/people", "/admin/log"):
        page.goto(f"{page.base}{path}")
        wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.scrollWidth > 392 &&
            getComputedStyle(e).overflowX == 'visible').map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            shot(page, "failed-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path, wide)
        assert page.evaluate(LOW_CONTRAST_JS) == [], path
    page.goto(f"{page.base}/entries")
    shot(page, "14-phone-entries")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{page.base}/admin/log?action=review.return")
    expect(page.locator("table.grid")).to_contain_text("退回修改")
    shot(page, "15-activity-log")
    page.goto(f"{page.base}/admin/people")
    shot(page, "16-people-roles")
