"""The rectification loop: notice drafted from open findings, corrected form, findings close."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service.audit import run_audit
from service.audit.rectification import rectification_report, rectification_reports, report_text
from service.deadlines import board
from service.documents import generate
from service.store.db import read_session
from service.store.models import Finding
from service.store.scope import Viewer
from tests.service.audit.conftest import entry, form, make_campaign, make_unit

OFFICE = Viewer.system()


def test_notice_from_findings_then_a_corrected_form_closes_them(ingest) -> None:
    make_unit()
    make_campaign()
    ingest(form(entry("票据领用核销不及时", level=None), entry("专项资金挤占挪用", measures=[]),
                entry("印章管理不严违规用印", category=None)))
    assert len(run_audit(today=date(2025, 5, 10))) == 3

    notice = generate("rectification", {"unit": "安澜县财政局", "deadline": "2025-07-15"}, viewer=OFFICE)
    with read_session() as s:
        linked = s.scalars(select(Finding.rule).where(Finding.notice_id == notice.id)).all()
    assert sorted(linked) == ["missing_category", "missing_level", "no_measures"]
    before = rectification_report(notice.id, viewer=OFFICE, today=date(2025, 7, 1))
    assert (len(before["fixed"]), len(before["remaining"])) == (0, 3)

    # The unit fixes two of the three problems and sends the form again.
    ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[]), entry("印章管理不严违规用印")),
           filename="财务科排查表(整改后).docx")
    after = rectification_report(notice.id, viewer=OFFICE, today=date(2025, 7, 20))
    assert sorted(f["rule"] for f in after["fixed"]) == ["missing_category", "missing_level"]
    assert [f["rule"] for f in after["remaining"]] == ["no_measures"] and after["overdue"]
    text = report_text(after)
    assert "已整改2项,尚未整改1项,已超过整改期限" in text and "专项资金挤占挪用" in text

    assert [r["notice_id"] for r in rectification_reports(viewer=OFFICE)] == [notice.id]
    warned = board(viewer=OFFICE, today=date(2025, 7, 20))["units"][0]["warnings"]
    assert [(w["kind"], w["label"]) for w in warned] == [("rectification", "红")]


def test_rectification_command_and_the_fix_page(ingest, cli) -> None:
    make_unit()
    make_campaign()
    assert "尚未发出整改通知书" in cli("rectification").output
    ingest(form(entry("专项资金挤占挪用", measures=[])))
    notice = generate("rectification", {"unit": "安澜县财政局", "deadline": "2099-07-15"}, viewer=OFFICE)
    out = cli("rectification", notice.id).output
    assert "共1项问题,已整改0项,尚未整改1项" in out and "专项资金挤占挪用" in out
    assert cli("rectification").output == out
    missing = cli("rectification", 9999)
    assert missing.exit_code == 4 and "未找到整改通知书" in missing.output
