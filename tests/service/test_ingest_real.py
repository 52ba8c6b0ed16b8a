"""ingest_file with the real sandboxed parser on generated Word/Excel forms and the samples."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from service.demo import FormRow, FormSpec, make_form_docx, make_form_xlsx
from service.ingest import ingest_file
from service.store import files
from service.store.db import read_session, write_session
from service.store.models import Entry, Person, Submission
from service.store.units import add_unit

ROWS = [
    FormRow("股长", "国库集中支付审核把关不严,违规拨付资金", "岗位职责", "三级",
            ["严格执行支付审核程序", "支付凭证双人复核"], "孙志刚"),
    FormRow("出纳", "收受预算单位好处,优先办理资金拨付", "思想道德", "一级", ["开展警示教育"], "孙志刚"),
]


def spec(rows=ROWS, **kw) -> FormSpec:
    base = {"title": "科室廉政风险防控排查表", "unit": "安澜县财政局", "department": "国库股",
            "filled_on": "2025-04-15", "rows": rows, "person": "孙志刚"}
    return FormSpec(**{**base, **kw})


def _unit(store):
    with write_session() as s:
        add_unit(s, "安澜县财政局")


def test_word_form_is_stored_with_the_campaign_level_standard(store, cli, tmp_path):
    _unit(store)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "酒泉式", "year": 2025, "level_standard": {
        "highest": "三级", "high": ["三级"], "medium": ["二级"], "low": ["一级"]}}), encoding="utf-8")
    assert cli("campaign", "add", "--stages-file", plan).exit_code == 0
    result = ingest_file(make_form_docx(spec()), "国库股.docx", unit="安澜县财政局")
    assert result.status == "parsed" and result.entry_count == 2, result.error_message
    with read_session() as s:
        entries = s.scalars(select(Entry).order_by(Entry.ordinal)).all()
        assert [(e.level_label, e.level) for e in entries] == [("三级", "high"), ("一级", "low")]
        assert [m.text for m in entries[0].measures] == ["严格执行支付审核程序", "支付凭证双人复核"]
        assert entries[0].department == "国库股" and entries[0].source_row == 2
        people = s.scalars(select(Person.name)).all()
    assert people == ["孙志刚"]


def test_excel_new_version_supersedes_the_word_one(store):
    _unit(store)
    old = ingest_file(make_form_docx(spec()), "国库股.docx", unit="安澜县财政局")
    revised = spec(rows=[*ROWS, FormRow("会计", "挪用财政资金", "岗位职责", "一级", ["每日对账"], "孙志刚")])
    new = ingest_file(make_form_xlsx(revised), "国库股(修订).xlsx", unit="安澜县财政局")
    assert new.status == "parsed" and new.superseded_id == old.submission_id
    with read_session() as s:
        current = s.scalar(select(func.count()).select_from(Entry).where(Entry.is_current.is_(True)))
        total = s.scalar(select(func.count()).select_from(Entry))
    assert (current, total) == (3, 5)
    again = ingest_file(make_form_xlsx(revised), "copy.xlsx", unit="安澜县财政局")
    assert again.status == "duplicate" and again.submission_id == new.submission_id


def test_sample_that_is_no_form_is_recorded_failed_and_kept(store, samples_dir):
    _unit(store)
    data = (samples_dir / "p09_not_a_form.docx").read_bytes()
    result = ingest_file(data, "p09_not_a_form.docx", unit="安澜县财政局")
    assert result.status == "failed" and result.error_code == "not_a_form"
    with read_session() as s:
        sub = s.get(Submission, result.submission_id)
    assert "未找到风险点表格" in sub.error_message and files.get(sub.sha256) == data


def test_cli_ingest_and_entries(store, cli, samples_dir, tmp_path):
    assert cli("unit", "add", "酒泉市工商行政管理局").exit_code == 0
    form = samples_dir / "p01_keshi_standard.docx"
    dry = cli("ingest", form, "--unit", "酒泉市工商行政管理局", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)[0]["parsed"]["entries"][0]["risk"]
    assert json.loads(cli("entries", "--json").stdout) == []

    done = cli("ingest", form, "--unit", "酒泉市工商行政管理局")
    assert done.exit_code == 0 and "已保存 6 个风险点" in done.stdout
    assert "未重复保存" in cli("ingest", form, "--unit", "酒泉市工商行政管理局").stdout
    listed = json.loads(cli("entries", "--unit", "酒泉市工商行政管理局", "--json").stdout)
    assert len(listed) == 6 and listed[0]["department"] == "登记注册科" and listed[0]["measures"]

    bad = tmp_path / "说明.docx"
    bad.write_bytes(b"not a document")
    failed = cli("ingest", bad, "--unit", "酒泉市工商行政管理局")
    assert failed.exit_code == 1 and "✗ 说明.docx" in failed.stdout and "Traceback" not in failed.output


def test_demo_fills_the_store_once(store, cli):
    first = cli("demo")
    assert first.exit_code == 0, first.output
    with read_session() as s:
        entries = s.scalar(select(func.count()).select_from(Entry))
        units = {sub.unit_id for sub in s.scalars(select(Submission))}
        failed = s.scalars(select(Submission).where(Submission.status == "failed")).all()
    assert entries >= 20 and len(units) == 3 and not failed
    assert "新增风险点:0" in cli("demo").stdout
    unit_entries = json.loads(cli("entries", "--unit", "安澜县财政局", "--json").stdout)
    assert unit_entries and {e["unit"] for e in unit_entries} == {"安澜县财政局"}
