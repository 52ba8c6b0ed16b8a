"""Every shared sample parses to its .expected.json, field by field as the contract defines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse_bytes
from parsers.errors import ParseError
from tests.paths import SAMPLES

FILES = sorted(p for p in SAMPLES.glob("p*.*") if not p.name.endswith(".json"))
FORM_FIELDS = ("kind", "title", "unit", "department", "person", "filled_on", "level_scheme")
ENTRY_FIELDS = ("department", "position", "person", "duty", "risk", "manifestation", "category",
                "category_label", "domain", "level", "level_label", "measures", "owner", "supervisor",
                "deadline", "source")


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def test_every_sample_is_covered():
    assert len(FILES) == 10


@pytest.mark.parametrize("path", [f for f in FILES if "expect_error" not in _expected(f)], ids=lambda p: p.stem)
def test_sample_matches_expected(path: Path):
    expected = _expected(path)
    got = parse_bytes(path.read_bytes(), path.name).to_json()
    for name in ("file", "sha256", "format"):
        assert got[name] == expected[name], name
    for name in FORM_FIELDS:
        assert got["form"][name] == expected["form"][name], f"form.{name}"
    assert len(got["entries"]) == len(expected["entries"])
    for i, (entry, want) in enumerate(zip(got["entries"], expected["entries"], strict=True)):
        for name in ENTRY_FIELDS:
            assert entry[name] == want.get(name), f"entries[{i}].{name}"


@pytest.mark.parametrize("path", [f for f in FILES if "expect_error" in _expected(f)], ids=lambda p: p.stem)
def test_sample_without_risk_table_is_refused(path: Path):
    with pytest.raises(ParseError) as caught:
        parse_bytes(path.read_bytes(), path.name)
    assert caught.value.code == "not_a_form"
    assert _expected(path)["expect_error"]["stderr_contains"] in caught.value.message
    assert "\n" not in str(caught.value)
