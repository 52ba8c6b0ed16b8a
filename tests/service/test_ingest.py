"""ingest_file: originals kept, one transaction per file, duplicates and new versions.

These tests drive the store logic with a stand-in parser that reads contract JSON, so each
case states exactly what the form holds; tests/service/test_ingest_real.py runs the real
parser on generated Word/Excel forms.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select

import service.ingest as ingest_module
from parsers.errors import fail
from parsers.model import ParsedForm
from service.ingest import ingest_file, preview_file
from service.store import files
from service.store.db import read_session, write_session
from service.store.errors import NotFound
from service.store.models import ActivityLog, Entry, Measure, Person, StoredFile, Submission
from service.store.units import add_unit


def form_json(*risks: str, department: str = "财务科", person: str | None = None, owner: str = "张建国",
              individual: bool = False) -> bytes:
    entries = [
        {"risk": r, "department": department, "position": "会计", "person": person if individual else None,
         "level": "high", "level_label": "高",
         "owner": owner, "measures": [{"text": f"{r}的防控措施一", "phase": None},
                                      {"text": f"{r}的防控措施二", "phase": None}],
         "source": {"table": 0, "sheet": None, "page": None, "row": i + 2}}
        for i, r in enumerate(risks)
    ]
    doc = {"file": "x.docx", "format": "docx",
           "form": {"kind": "risk_register", "title": "科室廉政风险防控排查表", "unit": "安澜县财政局",
                    "department": department, "person": person, "filled_on": "2025-04-01",
                    "level_scheme": "gao-zhong-di"},
           "entries": entries, "warnings": []}
    return json.dumps(doc, ensure_ascii=False).encode()


class JsonParser:
    """A stand-in `service.ingest.Parser`: contract JSON bytes are the form; anything else is
    'not a form', like the real parser says. Keeps the level standard and file names it was given."""

    def __init__(self) -> None:
        self.level_standard: dict | None = None
        self.files: list[str] = []

    def __call__(self, data: bytes, filename: str, *, level_standard: dict | None) -> ParsedForm:
        self.level_standard = level_standard
        self.files.append(filename)
        try:
            return ParsedForm.from_json(json.loads(data))
        except ValueError:
            raise fail("not_a_form") from None


@pytest.fixture
def json_parser() -> JsonParser:
    return JsonParser()


@pytest.fixture
def unit(store):
    with write_session() as s:
        add_unit(s, "安澜县财政局")
    return "安澜县财政局"


def count(model, *where) -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_a_form_lands_with_entries_measures_and_roster(json_parser, unit):
    result = ingest_file(form_json("违规审批报销", "私设小金库"), "财务科.docx", unit=unit, parser=json_parser)
    assert result.status == "parsed" and result.entry_count == 2 and result.submission_id
    with read_session() as s:
        sub = s.get(Submission, result.submission_id)
        assert sub.original_name == "财务科.docx" and sub.form["department"] == "财务科"
        assert [e.risk for e in sub.entries] == ["违规审批报销", "私设小金库"]
        assert [m.text for m in sub.entries[0].measures] == ["违规审批报销的防控措施一", "违规审批报销的防控措施二"]
        people = s.scalars(select(Person)).all()
    assert [(p.name, p.department, p.origin) for p in people] == [("张建国", "财务科", "form")]
    assert count(ActivityLog, ActivityLog.action == "submission.ingest") == 1


def test_same_bytes_twice_are_stored_once(json_parser, unit):
    data = form_json("违规审批报销")
    first = ingest_file(data, "a.docx", unit=unit, parser=json_parser)
    again = ingest_file(data, "a-copy.docx", unit=unit, parser=json_parser)
    assert again.status == "duplicate" and again.submission_id == first.submission_id
    assert count(Submission) == 1 and count(Entry) == 1 and count(Measure) == 2


def test_new_version_supersedes_old_and_keeps_history(json_parser, unit):
    old = ingest_file(form_json("违规审批报销", "私设小金库"), "财务科.docx", unit=unit, parser=json_parser)
    new = ingest_file(form_json("违规审批报销(修订)"), "财务科-修订.docx", unit=unit, parser=json_parser)
    assert new.status == "parsed" and new.superseded_id == old.submission_id
    with read_session() as s:
        current = s.scalars(select(Entry.risk).where(Entry.is_current.is_(True))).all()
        previous = s.get(Submission, old.submission_id)
        assert not previous.is_current and previous.superseded_by_id == new.submission_id
    assert current == ["违规审批报销(修订)"]
    assert count(Entry) == 3  # history kept


def test_another_department_is_another_form(json_parser, unit):
    ingest_file(form_json("违规审批报销"), "财务科.docx", unit=unit, parser=json_parser)
    other = ingest_file(form_json("违规发放津贴", department="人事科"), "人事科.docx", unit=unit, parser=json_parser)
    assert other.superseded_id is None
    assert count(Entry, Entry.is_current.is_(True)) == 2


def test_individual_forms_are_one_form_per_person(json_parser, unit):
    ingest_file(form_json("违规报销", person="王芳", individual=True), "王芳.docx", unit=unit, parser=json_parser)
    other = ingest_file(form_json("违规审批", person="李强", individual=True), "李强.docx", unit=unit, parser=json_parser)
    assert other.superseded_id is None
    revised = ingest_file(form_json("违规报销(修订)", person="王芳", individual=True), "王芳2.docx", unit=unit, parser=json_parser)
    assert revised.superseded_id is not None
    with read_session() as s:
        current = sorted(s.scalars(select(Entry.risk).where(Entry.is_current.is_(True))).all())
    assert current == ["违规审批", "违规报销(修订)"]


def test_department_form_filled_in_by_someone_else_is_still_a_new_version(json_parser, unit):
    old = ingest_file(form_json("违规审批报销", person="王芳"), "财务科.docx", unit=unit, parser=json_parser)
    new = ingest_file(form_json("违规审批报销(修订)", person="李强"), "财务科v2.docx", unit=unit, parser=json_parser)
    assert new.superseded_id == old.submission_id


def test_unreadable_file_is_recorded_as_failed_and_kept(json_parser, unit):
    data = b"just a narrative report"
    result = ingest_file(data, "汇报.docx", unit=unit, parser=json_parser)
    assert result.status == "failed" and result.error_code == "not_a_form"
    assert "未找到风险点表格" in result.error_message
    with read_session() as s:
        sub = s.get(Submission, result.submission_id)
    assert sub.status == "failed" and sub.error_code == "not_a_form"
    assert files.get(sub.sha256) == data

    again = ingest_file(data, "汇报(重新上传).docx", unit=unit, parser=json_parser)  # a re-run: parsed again, recorded once
    assert (again.status, again.error_code, again.submission_id) == ("failed", "not_a_form", result.submission_id)
    assert count(Submission) == 1


def test_failure_halfway_through_entries_leaves_nothing_of_the_file(json_parser, unit, monkeypatch):
    """Writing breaks after half of the entries: the file lands not at all, the failure is recorded."""
    real_insert = ingest_module._insert_entries

    written = []

    def break_halfway(session, parsed, submission_id, values):
        half = dataclasses.replace(parsed, entries=parsed.entries[: len(parsed.entries) // 2])
        real_insert(session, half, submission_id, values[: len(half.entries)])  # half of the entries are written...
        written.append(session.scalar(select(func.count()).select_from(Entry)))
        raise RuntimeError("disk full")  # ...then the write breaks

    monkeypatch.setattr(ingest_module, "_insert_entries", break_halfway)
    data = form_json("一", "二", "三", "四")
    result = ingest_file(data, "财务科.docx", unit=unit, parser=json_parser)
    assert written == [2]
    assert result.status == "failed" and result.error_code == "store_failed"
    assert count(Entry) == 0 and count(Measure) == 0 and count(Person) == 0
    with read_session() as s:
        subs = s.scalars(select(Submission)).all()
    assert [(x.status, x.error_code) for x in subs] == [("failed", "store_failed")]
    assert files.get(subs[0].sha256) == data and count(StoredFile) == 1


def test_preview_writes_nothing(json_parser, unit, store):
    logged = count(ActivityLog)
    result = preview_file(form_json("违规审批报销"), "财务科.docx", unit=unit, parser=json_parser)
    assert result.status == "parsed" and result.entry_count == 1 and result.submission_id is None
    assert result.parsed.entries[0].risk == "违规审批报销"
    failed = preview_file(b"just a narrative report", "汇报.docx", unit=unit, parser=json_parser)
    assert (failed.status, failed.error_code, failed.submission_id) == ("failed", "not_a_form", None)
    assert count(Submission) == 0 and count(StoredFile) == 0 and count(ActivityLog) == logged
    assert not any(p.is_file() for p in store.files_dir.rglob("*"))
    assert json_parser.files == ["财务科.docx", "汇报.docx"]


def test_preview_of_stored_bytes_says_duplicate_without_parsing(json_parser, unit):
    stored = ingest_file(form_json("违规审批报销"), "财务科.docx", unit=unit, parser=json_parser)
    again = preview_file(form_json("违规审批报销"), "副本.docx", unit=unit, parser=json_parser)
    assert (again.status, again.submission_id) == ("duplicate", stored.submission_id)
    assert json_parser.files == ["财务科.docx"] and count(Submission) == 1


def test_campaign_level_standard_reaches_the_parser(json_parser, unit, cli):
    cli("campaign", "add", "--year", "2025", "--name", "2025年度工作")
    ingest_file(form_json("违规审批报销"), "财务科.docx", unit=unit, parser=json_parser)
    assert json_parser.level_standard["highest"] == "一级"


def test_unknown_unit_raises_and_stores_nothing(json_parser, store):
    with pytest.raises(NotFound) as err:
        ingest_file(form_json("违规审批报销"), "财务科.docx", unit="不存在的单位", parser=json_parser)
    assert err.value.code == "unknown_unit"
    assert count(Submission) == 0
