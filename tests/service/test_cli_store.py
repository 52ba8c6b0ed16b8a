"""The `lianfang` store commands as an office worker uses them."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from werkzeug.security import check_password_hash

from service.store.db import read_session
from service.store.models import Person, User


def test_init_twice_is_harmless(store, cli):
    first = cli("init", "--admin-password", "other")
    second = cli("init")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "已存在" in second.output
    with read_session() as s:
        assert len(s.scalars(select(User)).all()) == 1


def test_units_users_and_people(store, cli):
    assert cli("unit", "add", "安澜县财政局").exit_code == 0
    assert cli("unit", "add", "国库股", "--parent", "安澜县财政局").exit_code == 0
    assert "已存在" in cli("unit", "add", "安澜县财政局").output
    listed = json.loads(cli("unit", "list", "--json").output)
    assert [(u["name"], u["parent"]) for u in listed] == [("安澜县财政局", None), ("国库股", "安澜县财政局")]

    assert cli("user", "add", "czj", "--unit", "安澜县财政局", "--password", "czj-pass-2026").exit_code == 0
    assert cli("user", "add", "boss", "--admin", "--password", "boss-pass-2026").exit_code == 0
    clash = cli("user", "add", "czj", "--unit", "安澜县财政局", "--password", "x")
    assert clash.exit_code == 3 and "用户名已存在" in clash.stderr
    with read_session() as s:
        czj = s.scalars(select(User).where(User.username == "czj")).one()
    assert not czj.is_admin and czj.unit_id is not None and check_password_hash(czj.password_hash, "czj-pass-2026")

    added = cli("person", "add", "周卫东", "--unit", "安澜县财政局", "--position", "局长", "--leader")
    assert added.exit_code == 0
    with read_session() as s:
        person = s.scalars(select(Person)).one()
    assert (person.name, person.position, person.is_leader, person.origin) == ("周卫东", "局长", True, "entered")


def test_unknown_unit_is_one_chinese_line(store, cli):
    result = cli("user", "add", "x", "--unit", "不存在的单位", "--password", "pw")
    assert result.exit_code == 4
    assert result.stderr.strip().count("\n") == 0 and "未找到单位" in result.stderr and "[unknown_unit]" in result.stderr
    assert "Traceback" not in result.output


def test_a_unit_named_by_path_short_name_or_id_and_an_ambiguous_name_refused(store, cli):
    for args in (("unit", "add", "安澜县财政局"), ("unit", "add", "安澜县交通局"),
                 ("unit", "add", "办公室", "--parent", "财政局"), ("unit", "add", "办公室", "--parent", "2")):
        assert cli(*args).exit_code == 0, args
    units = json.loads(cli("unit", "list", "--json").stdout)
    assert [(u["name"], u["parent"]) for u in units[2:]] == [("办公室", "安澜县财政局"), ("办公室", "安澜县交通局")]
    added = cli("person", "add", "李明", "--unit", "安澜县交通局/办公室", "--position", "主任")
    assert added.exit_code == 0, added.output
    refused = cli("person", "add", "王芳", "--unit", "办公室", "--position", "科员")
    assert refused.exit_code != 0 and "[ambiguous_unit]" in refused.stderr and "Traceback" not in refused.output
    assert "安澜县财政局/办公室、安澜县交通局/办公室" in refused.stderr


def test_campaign_defaults_and_list(store, cli):
    assert cli("campaign", "add", "--year", "2025", "--name", "2025年度安澜县廉政风险防控工作").exit_code == 0
    campaigns = json.loads(cli("campaign", "list", "--json").output)
    assert len(campaigns) == 1
    c = campaigns[0]
    assert [s["name"] for s in c["stages"]] == ["动员部署", "查找风险、制定措施", "监控执行", "检查考核"]
    assert c["level_standard"]["highest"] == "一级" and c["owner_required"] is False
    assert "动员部署 2025-03-01~2025-03-31" in cli("campaign", "list").output


def test_campaign_from_yaml_file(store, cli, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: 2012年度酒泉市工商系统廉政风险点防范管理工作\nyear: 2012\n"
        "stages:\n"
        "  - {name: 制定方案、动员部署, start: 2012-03-01, end: 2012-03-31}\n"
        "  - {name: 界定职责、查找风险, start: 2012-04-01, end: 2012-05-31, submissions: true}\n"
        "level_standard: {highest: 三级, high: [三级], medium: [二级], low: [一级]}\n"
        "owner_required: true\n",
        encoding="utf-8",
    )
    result = cli("campaign", "add", "--stages-file", plan)
    assert result.exit_code == 0, result.output
    (c,) = json.loads(cli("campaign", "list", "--json").output)
    assert c["year"] == 2012 and c["owner_required"] is True
    assert c["level_standard"]["highest"] == "三级"
    assert c["stages"][1]["deadline"] == "2012-05-31"  # defaults to the end of a collecting stage


def test_invalid_campaign_file_is_refused_in_chinese(store, cli, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "x", "year": 2025, "stages": [{"name": "动员部署", "start": "三月"}]}),
                    encoding="utf-8")
    result = cli("campaign", "add", "--stages-file", plan)
    assert result.exit_code == 3
    assert "工作方案不符合格式要求" in result.stderr and "stages/0" in result.stderr
    assert json.loads(cli("campaign", "list", "--json").output) == []


def test_every_command_has_chinese_help_with_english(cli):
    for command in (["init"], ["unit", "add"], ["user", "add"], ["person", "add"], ["campaign", "add"],
                    ["campaign", "list"], ["ingest"], ["entries"], ["demo"], ["parse"]):
        text = cli(*command, "--help").output
        assert re.search(r"[\u4e00-\u9fff]+.*\([A-Z][a-z]", text), command  # 中文 (English)


def test_commands_before_init_say_so_in_one_line(cli, tmp_path, monkeypatch):
    from service.config import reset_settings

    monkeypatch.setenv("LIANFANG_HOME", str(tmp_path / "new"))
    monkeypatch.delenv("LIANFANG_DATABASE_URL", raising=False)
    reset_settings()
    try:
        result = cli("entries")
    finally:
        reset_settings()
    assert result.exit_code == 5 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "lianfang init" in result.stderr and "[database_error]" in result.stderr


def test_campaign_file_sets_main_to_and_copy_to_of_the_plan(store, cli, tmp_path):
    import docx

    from tests.service.documents.conftest import all_text

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: 2026年度安澜县廉政风险防控工作\nyear: 2026\n"
        "documents:\n  main_to: [局属各单位, 机关各科室]\n  copy_to: [县纪委监委第三派驻纪检监察组, 县委巡察办]\n",
        encoding="utf-8",
    )
    assert cli("campaign", "add", "--stages-file", plan).exit_code == 0
    assert cli("unit", "add", "安澜县财政局").exit_code == 0
    out = tmp_path / "方案.docx"
    result = cli("generate", "plan", "--unit", "安澜县财政局", "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    text = all_text(docx.Document(str(out)))
    assert "局属各单位、机关各科室：" in text
    assert "抄送：县纪委监委第三派驻纪检监察组，县委巡察办。" in text


def test_campaign_file_documents_must_be_lists_of_names(store, cli, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"name": "x", "year": 2026, "documents": {"main_to": "各科室"}}), encoding="utf-8")
    result = cli("campaign", "add", "--stages-file", plan)
    assert result.exit_code == 3 and "documents/main_to" in result.stderr
    plan.write_text(json.dumps({"name": "x", "year": 2026, "documents": {"cc": ["县委"]}}), encoding="utf-8")
    assert cli("campaign", "add", "--stages-file", plan).exit_code == 3
