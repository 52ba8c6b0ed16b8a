"""What lianfang writes for units to fill, and the ledger it exports, read back by the parser."""

from __future__ import annotations

import io

import docx
import openpyxl

from parsers import parse_bytes
from service.documents import forms, generate
from service.documents.checker import check
from service.documents.queries import entries, scope
from service.ingest import ingest_file
from service.store.db import read_session, write_session
from service.store.models import Entry, Measure
from service.store.scope import Viewer
from tests.service.documents.conftest import UNIT, Filled, add_submission


def test_blank_docx_form_filled_by_a_unit_parses_cleanly() -> None:
    data = forms.blank_docx(UNIT)
    assert not [r for r in check(data) if r.passed is False]
    doc = docx.Document(io.BytesIO(data))
    rows = [["1", "出纳", "现金收付", "现金收付不及时入账,坐支现金", "岗位职责", "高",
             "1、收入款项当日存入银行\n2、严禁坐支现金", "刘芳", "2026-06-30"],
            ["2", "会计", "凭证审核", "原始凭证审核不严", "业务流程", "低", "1、严格审核原始凭证", "王敏", "长期"]]
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values):
            doc.tables[0].cell(r, c).text = value
    doc.paragraphs[1].text = f"填报单位:{UNIT}    科室:财务科    填表日期:2026年4月8日"
    out = io.BytesIO()
    doc.save(out)
    parsed = parse_bytes(out.getvalue(), "财务科.docx")
    assert parsed.form.unit == UNIT and parsed.form.department == "财务科"
    assert [(e.position, e.risk, e.category, e.level, [m.text for m in e.measures], e.owner, e.deadline)
            for e in parsed.entries] == [
        ("出纳", "现金收付不及时入账,坐支现金", "岗位职责", "high", ["收入款项当日存入银行", "严禁坐支现金"], "刘芳",
         "2026-06-30"),
        ("会计", "原始凭证审核不严", "业务流程", "low", ["严格审核原始凭证"], "王敏", "长期"),
    ]
    assert parsed.warnings == []


def test_blank_xlsx_form_filled_by_a_unit_parses_cleanly() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(forms.blank_xlsx(UNIT)))
    ws = wb.active
    assert {dv.formula1 for dv in ws.data_validations.dataValidation} == {
        '"高,中,低"', '"思想道德,岗位职责,业务流程,制度机制,外部环境"'}
    values = ["1", "采购科", "采购员", "张伟", "政府采购", "化整为零规避集中采购", "业务流程", "中",
              "1、编制年度采购预算\n2、达到限额标准的一律集中采购", "张伟", "2026-09-30"]
    for c, value in enumerate(values, 1):
        ws.cell(4, c).value = value
    out = io.BytesIO()
    wb.save(out)
    parsed = parse_bytes(out.getvalue(), "采购科.xlsx")
    [e] = parsed.entries
    assert (e.department, e.position, e.person, e.duty, e.risk, e.category, e.level, e.owner, e.deadline) == (
        "采购科", "采购员", "张伟", "政府采购", "化整为零规避集中采购", "业务流程", "medium", "张伟", "2026-09-30")
    assert [m.text for m in e.measures] == ["编制年度采购预算", "达到限额标准的一律集中采购"]


def test_exported_ledger_parses_back_to_the_same_entries(filled: Filled) -> None:
    with write_session() as s:
        e = s.query(Entry).filter(Entry.risk.like("政府采购%")).one()
        e.duty, e.manifestation, e.domain, e.supervisor, e.deadline = (
            "政府采购", "拆分项目", "财务资产", "纪检组长", "2026-09-30")
        e.measures = [Measure(ordinal=1, text="编制年度采购预算", phase="前期预防"),
                      Measure(ordinal=2, text="采购过程全程记录", phase="中期监控"),
                      Measure(ordinal=3, text="发现违规及时追责", phase="后期处置")]
        add_submission(s, filled.unit_id, filled.campaign_id,
                       [("办公室", "文印员", None, "=SUM(1) 公文印制不按规定", "其他", "low", ["+严格登记"])],
                       name="office.docx")
    result = generate("ledger", {}, viewer=Viewer.system())  # all units: a 单位 column too
    parsed = parse_bytes(result.path.read_bytes(), result.filename)

    fields = ("department", "position", "person", "duty", "risk", "manifestation", "category", "domain", "level",
              "owner", "supervisor", "deadline")
    with read_session() as s:
        stored = entries(s, scope(s, Viewer.system(), {}))
    assert len(parsed.entries) == len(stored) == 6
    for got, want in zip(parsed.entries, stored, strict=True):
        assert {f: getattr(got, f) for f in fields} == {f: want[f] for f in fields}
        assert [(m.text, m.phase) for m in got.measures] == [(m["text"], m["phase"]) for m in want["measures"]]


def test_a_form_ingested_for_real_flows_into_the_documents(filled: Filled, samples_dir) -> None:
    data = (samples_dir / "p07_gaozhongdi.xlsx").read_bytes()
    result = ingest_file(data, "p07_gaozhongdi.xlsx", unit=UNIT)
    assert result.status == "parsed" and result.entry_count == 7
    summary = generate("summary", {"unit": UNIT}, viewer=Viewer.system())
    text = "\n".join(p.text for p in docx.Document(str(summary.path)).paragraphs)
    assert f"共查找风险点{filled.entries + 7}个" in text
    ledger = generate("ledger", {"unit": UNIT}, viewer=Viewer.system())
    assert len(parse_bytes(ledger.path.read_bytes(), ledger.filename).entries) == filled.entries + 7
