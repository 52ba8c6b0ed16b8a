"""风险库 page: scope, filters, search, pagination and the ledger export."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def test_unit_user_sees_only_own_units_entries(client_for, seed, world):
    seed(world.unit_a, 3, risk="财政局风险")
    seed(world.dept_a, 2, risk="会计核算科风险")
    seed(world.unit_b, 4, risk="交通局风险")
    html = client_for("alice").get("/entries").get_data(as_text=True)
    assert html.count("财政局风险") == 3 and html.count("会计核算科风险") == 2
    assert "交通局风险" not in html
    assert "共 5 条" in html
    admin = client_for("admin").get("/entries").get_data(as_text=True)
    assert "共 9 条" in admin


def test_filters_search_and_pages(client_for, seed, world):
    seed(world.unit_a, 55, level="low", risk="普通风险")
    seed(world.unit_a, 2, level="high", department="财务科", risk="公款<私存>风险")
    client = client_for("alice")
    html = client.get("/entries?level=high").get_data(as_text=True)
    assert "共 2 条" in html and "公款&lt;私存&gt;风险" in html and "普通风险" not in html
    assert "共 2 条" in client.get("/entries?q=私存").get_data(as_text=True)
    assert "共 2 条" in client.get("/entries?department=财务科").get_data(as_text=True)
    first = client.get("/entries").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "下一页" in first
    second = client.get("/entries?page=2&level=low").get_data(as_text=True)
    assert "第 2 / 2 页" in second and "上一页" in second and second.count("普通风险") == 5


def _cells(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def test_ledger_export_downloads_xlsx_of_what_is_filtered(client_for, post_form, seed, world):
    seed(world.unit_a, 3, risk="台账风险", department="财务科")
    seed(world.unit_a, 2, risk="人事风险", department="人事科")
    seed(world.unit_b, 2, risk="别家风险")
    alice = client_for("alice")
    response = post_form(alice, "/entries/export", {"unit": ""})
    assert response.status_code == 200
    assert ".xlsx" in response.headers["Content-Disposition"]
    cells = _cells(response.data)
    assert "台账风险" in cells and "人事风险" in cells and "别家风险" not in cells
    cells = _cells(post_form(alice, "/entries/export", {"department": "财务科"}).data)
    assert "台账风险" in cells and "人事风险" not in cells


def test_export_honours_every_filter_on_screen_and_columns_sort(client_for, post_form, seed, world):
    seed(world.unit_a, 3, risk="低风险事项", level="low", category="业务流程")
    seed(world.unit_a, 2, risk="高风险审批", level="high", category="岗位职责")
    alice = client_for("alice")
    page = alice.get("/entries?level=high&q=审批").get_data(as_text=True)
    export_form = page.split('class="inline export"')[1].split("</form>")[0]
    assert 'name="level" value="high"' in export_form and 'name="q" value="审批"' in export_form
    cells = _cells(post_form(alice, "/entries/export", {"level": "high", "q": "审批"}).data)
    assert cells.count("高风险审批") == 2 and "低风险事项" not in cells
    cells = _cells(post_form(alice, "/entries/export", {"category": "业务流程"}).data)
    assert cells.count("低风险事项") == 3 and "高风险审批" not in cells

    by_level = alice.get("/entries?sort=level").get_data(as_text=True)
    assert by_level.index("高风险审批") < by_level.index("低风险事项")
    descending = alice.get("/entries?sort=level&desc=1").get_data(as_text=True)
    assert descending.index("低风险事项") < descending.index("高风险审批")
    assert 'href="/entries?sort=level&amp;desc=1&amp;page=1"' in by_level  # the header toggles the order
