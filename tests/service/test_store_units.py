"""The one unit resolver: id, exact name, "单位/科室" path, unique short name; ambiguity and scope."""

from __future__ import annotations

import pytest

from service.store.db import read_session, write_session
from service.store.errors import Ambiguous, NotFound
from service.store.scope import Viewer
from service.store.units import UnitName, add_unit, find_unit, find_unit_or_none


@pytest.fixture
def units(store) -> dict[str, int]:
    with write_session() as s:
        finance, _ = add_unit(s, "安澜县财政局")
        transport, _ = add_unit(s, "安澜县交通局")
        office_f, _ = add_unit(s, "办公室", finance.id)
        office_t, _ = add_unit(s, "办公室", transport.id)
        budget, _ = add_unit(s, "预算股", finance.id)
        return {"finance": finance.id, "transport": transport.id, "office_f": office_f.id,
                "office_t": office_t.id, "budget": budget.id}


def _find(name: str | int, viewer: Viewer | None = None) -> int:
    with read_session() as s:
        return find_unit(s, name, viewer=viewer).id


def test_id_exact_name_path_and_short_name(units):
    assert _find(units["budget"]) == units["budget"]
    assert _find(str(units["transport"])) == units["transport"]
    assert _find(" 安澜县财政局 ") == units["finance"]
    assert _find("预算股") == units["budget"]  # a department's own name, when only one has it
    assert _find("安澜县交通局/办公室") == units["office_t"]
    assert _find("安澜县财政局 ／ 办公室") == units["office_f"]
    assert _find("财政局") == units["finance"]  # the unique short name of a top-level unit


def test_a_top_level_unit_wins_over_a_department_of_the_same_name(units):
    with write_session() as s:
        dept, _ = add_unit(s, "安澜县交通局", units["finance"])
    assert _find("安澜县交通局") == units["transport"]
    assert _find("安澜县财政局/安澜县交通局") == dept.id


def test_an_ambiguous_name_lists_the_candidates(units):
    with pytest.raises(Ambiguous) as err:
        _find("办公室")
    assert err.value.code == "ambiguous_unit"
    assert "安澜县交通局/办公室" in err.value.message and "安澜县财政局/办公室" in err.value.message
    assert "单位/科室" in err.value.message
    with pytest.raises(NotFound) as short:
        _find("澜县")  # no unit ends with it: unknown, not ambiguous
    assert short.value.code == "unknown_unit"


def test_a_short_name_shared_by_two_units_is_ambiguous(units):
    with write_session() as s:
        add_unit(s, "临川县财政局")
    with pytest.raises(Ambiguous) as err:
        _find("财政局")
    assert err.value.code == "ambiguous_unit" and "临川县财政局" in err.value.message


@pytest.mark.parametrize("name", ["不存在的局", "99999", "99999999999999999999999", "局", "安澜县财政局/不存在科", ""])
def test_unknown_is_not_found_in_chinese(units, name):
    with pytest.raises(NotFound) as err:
        _find(name)
    assert err.value.code == "unknown_unit" and err.value.message.startswith("未找到单位")
    with read_session() as s:
        assert find_unit_or_none(s, name) is None


def test_a_viewer_sees_only_their_units(units):
    viewer = Viewer(user_id=None, username="u", is_admin=False, unit_id=units["transport"])
    assert _find("办公室", viewer) == units["office_t"]  # the other unit's 办公室 is no candidate
    for other in ("安澜县财政局", units["finance"], "预算股"):
        with pytest.raises(NotFound) as err:
            _find(other, viewer)
        assert err.value.code == "unknown_unit"


def test_a_name_read_from_a_file_is_never_an_id(units):
    with read_session() as s:
        assert find_unit_or_none(s, UnitName(str(units["finance"]))) is None
        assert find_unit(s, UnitName("财政局")).id == units["finance"]
