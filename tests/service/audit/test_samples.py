"""No false positives on the shared samples: only the defects the forms really have.

Each sample's expected parse output (the truth the parser is judged on) is ingested into a
unit of its own; the real parser runs on the sample files too once parsers.sandbox exists.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from service.audit import run_audit
from service.ingest import ingest_file
from tests.service.audit.conftest import make_campaign, make_unit

# What each sample really lacks: whole columns the form does not have (one finding per form),
# high points whose measures lack a line of defence (none of their words is about handling
# what went wrong), promised rules without a completion time (建立用印审批登记制度).
HIGH, RULE = "high_without_three_lines", "rule_without_name_or_date"
TRUE_DEFECTS = {
    "p01_keshi_standard": [HIGH],
    "p02_title_merged_header_row3": [HIGH, "missing_category"],
    "p03_vmerge_post": [HIGH, "missing_category", RULE],
    "p04_measures_numbered": ["missing_category", "missing_level", RULE],
    "p05_text_pdf": ["missing_category", RULE],
    "p06_yiji_legend": [RULE],
    "p07_gaozhongdi": [HIGH, RULE],
    "p08_individual": [HIGH],
    "p10_phase_columns": ["missing_category", RULE],
}
WHOLE_COLUMN = {"missing_category", "missing_level"}
TODAY = date(2012, 6, 20)
# Forms without a 填表日期 count as received today, so the collecting stage runs on.
STAGES = [{"name": "查找风险", "start": "2012-05-01", "end": "2099-12-31", "submissions": True}]


def _expected(samples_dir: Path, name: str) -> dict:
    return json.loads((samples_dir / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(TRUE_DEFECTS))
def test_sample_findings_are_only_its_true_defects(ingest, samples_dir: Path, name: str) -> None:
    make_unit(name)
    make_campaign("2012年度", year=2012, stages=STAGES)
    ingest(_expected(samples_dir, name), unit=name, filename=name)
    found = run_audit(today=TODAY)
    assert sorted({f["rule"] for f in found}) == TRUE_DEFECTS[name]
    whole = [f for f in found if f["rule"] in WHOLE_COLUMN]
    assert all(f["entry_id"] is None for f in whole), "a missing column is one finding per form"
    assert len(whole) == len({f["rule"] for f in whole})


def test_real_parser_on_samples_finds_only_true_defects(store, samples_dir: Path) -> None:
    for module in ("parsers.sandbox", "parsers.api"):
        pytest.importorskip(module, reason="the real parser has not landed yet")
    make_campaign("2012年度", year=2012, stages=STAGES)
    for name in sorted(TRUE_DEFECTS):
        path = next(p for p in samples_dir.glob(f"{name}.*") if p.suffix != ".json")
        make_unit(path.stem)
        result = ingest_file(path.read_bytes(), path.name, unit=path.stem)
        assert result.status == "parsed", result.error_message
        found = run_audit(unit=path.stem, today=TODAY)
        assert sorted({f["rule"] for f in found}) == TRUE_DEFECTS[path.stem], path.name
