"""Batches file nothing wrongly: two versions of one form end the same whatever order the
workers take them in; a form of another unit is reported as 待确认; a .zip holding one path
twice records both; every file is parsed once, also one attributed by its own 填报单位.
Real parser, real files (modification times set on disk, zip entry times), real workers."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from parsers.model import ParsedForm
from service.batch import items, process, report
from service.batch.attribute import compile_pattern
from service.batch.discover import discover, discover_archive
from service.batch.run import run_batch
from service.demo import make_form_docx, make_form_xlsx
from service.ingest import decide_held, parse_sandboxed
from service.store.db import read_session
from service.store.models import Entry, Submission
from tests.service.batch.batch_helpers import item_states, lianfang, record_batch

PAIRS = 4  # departments, each sent twice


def spec(unit: str, department: str, version: str, filled_on: str | None = "2024-03-01") -> dict:
    return {
        "title": f"{unit}廉政风险点排查登记表", "unit": unit, "department": department, "filled_on": filled_on,
        "rows": [{"position": "科员", "risk": f"{department}{version}:审批把关不严", "category": "岗位职责",
                  "level": "高", "measures": ["建立复核制度"], "owner": "李四"}],
    }


def write_pairs(root: Path, unit: str = "财务局") -> dict[str, str]:
    """PAIRS departments with two versions each, same 填表日期, told apart by file time only.

    In half of the pairs the newer file sorts first (found and queued first), in the other
    half last. Returns department -> the risk of its newer version."""
    folder = root / unit
    folder.mkdir(parents=True)
    newer = {}
    for n in range(PAIRS):
        department = f"第{n}科"
        old_name, new_name = ("甲.docx", "乙.docx") if n % 2 else ("乙.docx", "甲.docx")
        (folder / f"{department}{old_name}").write_bytes(make_form_docx(spec(unit, department, "旧版")))
        (folder / f"{department}{new_name}").write_bytes(make_form_docx(spec(unit, department, "新版")))
        os.utime(folder / f"{department}{old_name}", (1_700_000_000, 1_700_000_000))
        os.utime(folder / f"{department}{new_name}", (1_700_086_400, 1_700_086_400))  # a day later
        newer[department] = f"{department}新版:审批把关不严"
    return newer


def current_by_department() -> dict[str, str]:
    with read_session() as s:
        return dict(s.execute(select(Entry.department, Entry.risk).where(Entry.is_current.is_(True))).all())


def superseded_pairs() -> list[tuple[str, str]]:
    """(older file, the file that superseded it), sorted."""
    with read_session() as s:
        names = dict(s.execute(select(Submission.id, Submission.original_name)).all())
        rows = s.execute(select(Submission.original_name, Submission.superseded_by_id)
                         .where(Submission.superseded_by_id.is_not(None))).all()
    return sorted((name, names[successor]) for name, successor in rows)


def _queued(batch_id: int) -> list[int]:
    return items.queued_ids(batch_id)


@pytest.mark.parametrize("order", ["found", "reversed"])
def test_two_versions_end_the_same_in_either_order(units, tmp_path: Path, order: str) -> None:
    newer = write_pairs(tmp_path / "forms")
    batch_id = record_batch(tmp_path / "forms")
    ids = _queued(batch_id)
    for item_id in ids if order == "found" else reversed(ids):
        process.process_item(item_id)
    assert current_by_department() == newer
    rows = {r["path"]: r for r in report.rows(batch_id)}
    assert rows["财务局/第0科甲.docx"]["version_text"] == "取代了 第0科乙.docx"
    assert rows["财务局/第0科乙.docx"]["version_text"] == "已被 第0科甲.docx 取代"
    assert superseded_pairs() == sorted(
        (f"第{n}科{'甲' if n % 2 else '乙'}.docx", f"第{n}科{'乙' if n % 2 else '甲'}.docx") for n in range(PAIRS))


def test_two_pool_workers_agree_with_the_file_times(units, tmp_path: Path) -> None:
    newer = write_pairs(tmp_path / "forms")
    batch_id = run_batch(tmp_path / "forms", workers=2)
    assert item_states(batch_id) == {"done": 2 * PAIRS}
    assert current_by_department() == newer


@pytest.mark.redis
def test_two_rq_workers_agree_with_the_file_times(units, redis_server, tmp_path: Path) -> None:
    newer = write_pairs(tmp_path / "forms")
    batch_id = run_batch(tmp_path / "forms", queue=True)
    workers = [lianfang("worker", "--burst") for _ in range(2)]
    for w in workers:
        assert w.wait(300) == 0, w.stderr.read().decode()[-2000:]
    assert item_states(batch_id) == {"done": 2 * PAIRS}
    assert current_by_department() == newer


def _zip_of(members: list[tuple[str, bytes, tuple[int, ...]]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": what this archive is about
        for name, data, when in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buf.getvalue()


@pytest.mark.parametrize("order", ["found", "reversed"])
def test_zip_entry_times_order_versions_and_equal_times_fall_back_to_the_archive_order(
        units, tmp_path: Path, order: str) -> None:
    same = (2024, 3, 1, 9, 0, 0)
    archive = _zip_of([
        ("财务局/第1科-新.docx", make_form_docx(spec("财务局", "第1科", "新版")), (2024, 3, 2, 9, 0, 0)),
        ("财务局/第1科-旧.docx", make_form_docx(spec("财务局", "第1科", "旧版")), (2024, 3, 1, 9, 0, 0)),
        ("财务局/第2科-先.docx", make_form_docx(spec("财务局", "第2科", "先放的")), same),
        ("财务局/第2科-后.docx", make_form_docx(spec("财务局", "第2科", "后放的")), same),
    ])
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "上报.zip").write_bytes(archive)
    batch_id = record_batch(tmp_path / "forms")
    ids = _queued(batch_id)
    for item_id in ids if order == "found" else reversed(ids):
        process.process_item(item_id)
    assert current_by_department() == {"第1科": "第1科新版:审批把关不严", "第2科": "第2科后放的:审批把关不严"}


def test_a_zip_holding_one_path_twice_records_both(units, tmp_path: Path) -> None:
    first, second = make_form_docx(spec("财务局", "第1科", "一")), make_form_docx(spec("财务局", "第1科", "二"))
    archive = _zip_of([("财务局/表.docx", first, (2024, 3, 1, 0, 0, 0)), ("财务局/表.docx", second, (2024, 3, 1, 0, 0, 0))])
    found = list(discover_archive(archive, "上报.zip", max_file_bytes=10**7))
    assert [f.path for f in found] == ["上报.zip!/财务局/表.docx", "上报.zip!/财务局/表.docx#2"]
    assert found[0].error_code is None and found[1].error_code == "duplicate_path" and found[1].data == second

    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "上报.zip").write_bytes(archive)
    batch_id = run_batch(tmp_path / "forms", workers=1)
    rows = {r["path"]: r for r in report.rows(batch_id)}
    assert rows["上报.zip!/财务局/表.docx"]["outcome"] == "done"
    again = rows["上报.zip!/财务局/表.docx#2"]
    assert again["outcome"] == "failed" and again["error_code"] == "duplicate_path"
    assert "同一路径" in again["error_message"]
    with read_session() as s:  # the second file's bytes are kept too
        from service.store import files

        assert files.get(s.scalar(select(items.BatchItem.sha256).where(items.BatchItem.path.like("%#2")))) == second


def test_folder_batch_reports_a_form_of_another_unit_as_held(units, tmp_path: Path, cli) -> None:  # noqa: ANN001
    (tmp_path / "forms" / "财务局").mkdir(parents=True)
    (tmp_path / "forms" / "财务局" / "教育局的表.docx").write_bytes(
        make_form_docx(spec("教育局", "第1科", "放错了")))
    (tmp_path / "forms" / "财务局" / "本局的表.xlsx").write_bytes(make_form_xlsx(spec("财务局", "第2科", "本局")))
    result = cli("batch", str(tmp_path / "forms"), "--unit-from", "folder", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "待确认 财务局/教育局的表.docx" in result.output and "“教育局”" in result.output
    assert "入库 1,待确认 1," in result.output
    with read_session() as s:
        (batch_id,) = s.scalars(select(items.Batch.id)).all()
    rows = {r["path"]: r for r in report.rows(batch_id)}
    held = rows["财务局/教育局的表.docx"]
    assert held["outcome"] == "held" and held["outcome_label"] == "待确认(表内单位不符)"
    assert "“教育局”" in held["error_message"] and "“财务局”" in held["error_message"]
    assert rows["财务局/本局的表.xlsx"]["outcome"] == "done"
    assert current_by_department() == {"第2科": "第2科本局:审批把关不严"}
    assert report.report_xlsx(batch_id)[:2] == b"PK"
    decide_held(held["submission_id"], confirm=False)  # the office turns it down: the report says so
    rejected = {r["path"]: r for r in report.rows(batch_id)}["财务局/教育局的表.docx"]
    assert rejected["outcome_label"] == "已拒绝(表内单位不符)" and "“教育局”" in rejected["error_message"]


@pytest.mark.parametrize("unit_from", ["form", "folder"])
def test_every_file_is_parsed_once_however_its_unit_is_found(units, tmp_path: Path, unit_from: str) -> None:
    """By its own 填报单位, a file is parsed to find its unit, and that form is the one stored."""
    calls: list[str] = []

    def counting(data: bytes, filename: str, *, level_standard: dict | None) -> ParsedForm:
        calls.append(filename)
        return parse_sandboxed(data, filename, level_standard=level_standard)

    folder = tmp_path / "forms" / "教育局"
    folder.mkdir(parents=True)
    (folder / "一.docx").write_bytes(make_form_docx(spec("教育局", "第1科", "自报")))
    (folder / "二.xlsx").write_bytes(make_form_xlsx(spec("教育局", "第2科", "自报")))
    batch_id, _ = items.open_batch(str(tmp_path / "forms"), unit_from=unit_from, mode="inprocess", campaign_id=None)
    items.add_items(batch_id, discover(tmp_path / "forms", max_file_bytes=10**7), unit_from=unit_from,
                    pattern=compile_pattern(None))
    for item_id in _queued(batch_id):
        process.process_item(item_id, parser=counting)
    assert sorted(calls) == ["一.docx", "二.xlsx"]
    rows = report.rows(batch_id)
    assert [(r["outcome"], r["unit"], r["entry_count"]) for r in rows] == [("done", "教育局", 1)] * 2


def test_found_files_carry_their_modification_time(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"x")
    os.utime(tmp_path / "a.docx", (1_700_000_000, 1_700_000_000))
    (found,) = discover(tmp_path, max_file_bytes=10)
    assert found.modified == datetime(2023, 11, 14, 22, 13, 20)

