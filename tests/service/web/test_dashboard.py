"""首页: the office's figures agree with the store, charts are SVG with tables and links; a unit sees its next steps."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.store.db import read_session, write_session
from service.store.models import Entry, Finding


def table_of(page: str, caption: str) -> dict[str, list[str]]:
    """The screen-reader table of a chart: row label -> its cells."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert table, caption
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table.group(1), re.S):
        label = re.sub(r"<[^>]+>", "", row.split("</th>")[0])
        rows[label] = re.findall(r"<td>(\d+)</td>", row)
    return rows


def test_office_dashboard_numbers_match_the_store(client_for, world, seed) -> None:
    first = seed(world.unit_a, 3, level="high", category="岗位职责")
    seed(world.unit_a, 2, level="low", category="业务流程")
    with write_session() as s:
        s.add(Finding(unit_id=world.unit_a, submission_id=first, rule="vague_measures", severity="medium",
                      message="措施笼统", key="k1"))
        s.add(Finding(unit_id=world.unit_a, submission_id=first, rule="vague_measures", severity="medium",
                      message="措施笼统", key="k2", status="closed"))
    page = client_for("admin").get("/").get_data(as_text=True)
    assert "<svg" in page and "cdn" not in page.lower() and "<script" not in page

    with read_session() as s:
        levels = dict(s.execute(select(Entry.level, func.count()).group_by(Entry.level)).all())
    shown = table_of(page, "风险点按等级")
    assert shown["高"] == [str(levels["high"])] and shown["低"] == [str(levels["low"])] and "中" not in shown
    assert table_of(page, "风险点按类型") == {"岗位职责": ["3"], "业务流程": ["2"]}
    assert list(table_of(page, "审核发现及整改情况").values()) == [["1", "1", "2"]]
    assert table_of(page, "审核进度(表格数)") == {"已提交": ["2"]}
    rate = table_of(page, "报送率:1/2 个单位已报送")
    assert rate["已报送"] == ["1"] and rate["未报送"] == ["1"]
    # each chart links to the filtered list behind it
    assert 'href="/entries?level=high"' in page and 'href="/entries?category=' in page
    assert 'href="/review/fix?rule=vague_measures"' in page and 'href="/review/?state=submitted"' in page
    # the late units come with a 催报 form
    assert "安澜县交通局" in page.split('id="late"')[1] and 'action="/remind"' in page


def test_unit_dashboard_says_what_to_do_next(client_for, world, seed) -> None:
    seed(world.unit_a, 2)
    seed(world.unit_b, 4, risk="交通局的风险点")
    page = client_for("alice").get("/").get_data(as_text=True)
    assert "下一步要做的事" in page and "向所选单位催报" not in page
    assert table_of(page, "审核进度(表格数)") == {"已提交": ["1"]}
    assert table_of(page, "风险点按等级") == {"中": ["2"]}  # only its own unit's points
