"""蓝 / 黄 / 红 stage warnings on the per-unit board."""

from __future__ import annotations

from datetime import date

import pytest

from service.deadlines import board, color_for
from service.store.scope import Viewer
from tests.service.audit.conftest import entry, form, make_campaign, make_unit


@pytest.mark.parametrize(("today", "color"), [
    (date(2025, 6, 20), None), (date(2025, 6, 23), "blue"), (date(2025, 6, 30), "yellow"), (date(2025, 7, 1), "red"),
])
def test_colour_by_days_left(today: date, color: str | None) -> None:
    assert color_for(date(2025, 6, 30), today) == color


def test_board_warns_units_that_have_not_sent_their_forms(ingest) -> None:
    make_unit()
    make_unit("安澜县教育局")
    make_campaign()  # forms due 2025-06-30
    ingest(form(entry("票据领用核销不及时")))
    data = board(viewer=Viewer.system(), today=date(2025, 6, 30))
    rows = {r["unit"]: r for r in data["units"]}
    assert rows["安澜县财政局"]["warnings"] == [] and rows["安澜县财政局"]["forms"] == 1
    assert rows["安澜县财政局"]["entries"] == 1 and rows["安澜县财政局"]["states"] == {"submitted": 1}
    [warning] = rows["安澜县教育局"]["warnings"]
    assert warning["label"] == "黄" and "今天到期" in warning["message"]
    late = board(viewer=Viewer.system(), today=date(2025, 7, 2))
    assert [w["label"] for r in late["units"] for w in r["warnings"]] == ["红"]


def test_a_unit_user_sees_only_its_own_unit(ingest) -> None:
    own = make_unit()
    make_unit("安澜县教育局")
    make_campaign()
    viewer = Viewer(5, "caiwu", False, own, "unit")
    assert [r["unit"] for r in board(viewer=viewer, today=date(2025, 6, 25))["units"]] == ["安澜县财政局"]
