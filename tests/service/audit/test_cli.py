"""`lianfang audit`, `status`, `review …` and `rectification` as a user runs them."""

from __future__ import annotations

import json

from service.store.db import write_session
from service.store.models import User
from tests.service.audit.conftest import entry, form, make_campaign, make_unit


def test_audit_json_names_rule_severity_message_and_location(ingest, cli) -> None:
    make_unit()
    make_campaign(stages=[{"name": "查找风险", "start": "2025-04-01", "end": "2099-12-31", "submissions": True}])
    sub = ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[]))).submission_id
    result = cli("audit", "--unit", "安澜县财政局", "--json")
    assert result.exit_code == 0
    [finding] = json.loads(result.output)
    assert finding["rule"] == "no_measures" and finding["severity"] == "high"
    assert finding["submission_id"] == sub and finding["source"]["row"] == 3
    assert "专项资金挤占挪用" in finding["message"] and finding["file"] == "财务科排查表.docx"
    text = cli("audit").output
    assert "[高] 安澜县财政局 no_measures" in text and "共1个问题" in text


def test_unknown_unit_is_one_chinese_line(store, cli) -> None:
    result = cli("audit", "--unit", "不存在的局")
    assert result.exit_code == 4 and "未找到单位:不存在的局" in result.output


def test_status_prints_the_board(ingest, cli) -> None:
    make_unit()
    make_campaign(stages=[{"name": "查找风险", "start": "2020-04-01", "end": "2020-06-30", "submissions": True}])
    make_unit("安澜县教育局")
    ingest(form(entry("票据领用核销不及时")))
    out = cli("status").output
    assert "安澜县教育局: 表格0份" in out and "[红] “查找风险”阶段报送已逾期" in out
    assert "安澜县财政局: 表格1份 风险点1个" in out


def test_review_steps_from_the_command_line(ingest, cli) -> None:
    unit = make_unit()
    make_campaign()
    with write_session() as s:
        s.add_all([User(username="kz", password_hash="x", role="department_head", unit_id=unit),
                   User(username="ld", password_hash="x", role="leader", unit_id=unit)])
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    assert f"#{sub}" in cli("review", "queue", "--user", "kz").output
    refused = cli("review", "decide", sub, "approve", "--user", "ld", "--comment", "同意")
    assert refused.exit_code == 3 and "[wrong_role]" in refused.output and "分管领导无权办理" in refused.output
    done = cli("review", "decide", sub, "approve", "--user", "kz", "--comment", "科室审核同意")
    assert done.exit_code == 0 and "科室审核" in done.output


def test_rules_are_listed_with_their_chinese_explanation(store, cli) -> None:
    out = cli("audit", "--rules").output.splitlines()
    assert len(out) == 15
    assert 'vague_measure [中] 防控措施过于笼统:只有套话,没有具体做法、责任人或时限 {"threshold": 0.6}' in out
