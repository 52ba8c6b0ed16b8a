"""Helpers for audit tests: forms written as contract data and ingested for real.

`ingest` goes through service.ingest.ingest_file with the parser replaced by one that
reads contract JSON, so each test states exactly what a form holds; the store, the
transaction and the audit hook are the real ones. test_samples.py also runs the real parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from parsers.model import ParsedForm
from service.ingest import IngestResult, ingest_file
from service.store.campaigns import add_campaign
from service.store.db import write_session
from service.store.roster import RosterPerson, add_person
from service.store.units import add_unit

GOOD_MEASURES = [
    {"text": "每季度由科长对收费台账进行一次抽查", "phase": "前期预防"},
    {"text": "收费结果在大厅公示栏公开", "phase": "中期监控"},
    {"text": "发现违规收费的追回款项并追究责任", "phase": "后期处置"},
]


def good_measures(risk: str) -> list[dict[str, Any]]:
    """Three concrete measures, one per line of defence, of this risk point's own."""
    topic = risk[:8]
    return [
        {"text": f"每季度由科长对“{topic}”事项进行一次抽查", "phase": "前期预防"},
        {"text": f"“{topic}”事项办理结果在大厅公示栏公开", "phase": "中期监控"},
        {"text": f"发现“{topic}”违规的追回款项并追究责任", "phase": "后期处置"},
    ]


def entry(risk: str, **fields: Any) -> dict[str, Any]:
    """A contract entry that passes every rule unless `fields` say otherwise."""
    base: dict[str, Any] = {
        "department": "财务科", "position": "会计", "person": None, "duty": None, "risk": risk,
        "manifestation": None, "category": "岗位职责", "category_label": "岗位职责", "domain": None,
        "level": "medium", "level_label": "中", "measures": good_measures(risk), "owner": "刘芳", "supervisor": None,
        "deadline": None,
    }
    base.update(fields)
    return base


def form(*entries: dict[str, Any], **info: Any) -> dict[str, Any]:
    base = {"kind": "risk_register", "title": "科室廉政风险防控排查表", "unit": "安澜县财政局",
            "department": "财务科", "person": None, "filled_on": "2025-05-01", "level_scheme": "gao-zhong-di"}
    base.update(info)
    for row, e in enumerate(entries, start=2):
        e.setdefault("source", {"table": 0, "sheet": None, "page": None, "row": row})
    return {"file": "x.docx", "format": "docx", "form": base, "entries": list(entries), "warnings": []}


def make_campaign(name: str = "2025年度安澜县廉政风险防控工作", year: int = 2025, **spec: Any) -> int:
    with write_session() as s:
        return add_campaign(s, {"name": name, "year": year, **spec}).id


def make_unit(name: str = "安澜县财政局", parent: str | None = None) -> int:
    with write_session() as s:
        return add_unit(s, name, parent)[0].id


def make_leader(unit: int, name: str, position: str) -> None:
    with write_session() as s:
        add_person(s, unit, RosterPerson(name=name, position=position, is_leader=True))


def read_json(data: bytes, filename: str, *, level_standard: dict | None) -> ParsedForm:
    """The stand-in parser: the file is the form's contract JSON."""
    return ParsedForm.from_json(json.loads(data))


@pytest.fixture
def ingest(store) -> Callable[..., IngestResult]:  # noqa: ANN001
    """ingest(form_dict, unit=..., campaign=..., filename=...) through the real ingest path."""

    def run(doc: dict[str, Any], *, unit: str | int = "安澜县财政局", campaign: str | int | None = None,
            filename: str = "财务科排查表.docx") -> IngestResult:
        result = ingest_file(json.dumps(doc, ensure_ascii=False).encode(), filename, unit=unit, campaign=campaign,
                             parser=read_json)
        assert result.status == "parsed", result
        return result

    return run
