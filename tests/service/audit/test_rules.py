"""Each audit rule on a form with its defect, and silence on a clean one.

Forms go through the real ingest path (store, transaction, audit hook); `run_audit`
then reports what the office would read in `lianfang audit --json`.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from service.audit import RULES, run_audit
from service.documents.findings import grouped, open_findings
from service.store.campaigns import SCHEMA_PATH, CampaignError
from service.store.db import write_session
from service.store.models import Campaign, Unit
from tests.service.audit.conftest import GOOD_MEASURES, entry, form, make_campaign, make_leader, make_unit

BEFORE_DEADLINE = date(2025, 5, 10)
RISKS = [
    "现金收付不及时入账,坐支现金", "原始凭证审核不严,以白条入账", "往来款项长期挂账不清理",
    "政府采购化整为零规避集中采购", "公务卡报销未按规定审核", "固定资产购置后未登记入账",
    "工资发放中虚列人员冒领工资", "专项资金挤占挪用", "会议费培训费开支不规范",
    "印章管理不严违规用印", "票据领用核销不及时", "银行账户未经批准私自开立",
]


def rules(findings: list[dict]) -> list[str]:
    return sorted(f["rule"] for f in findings)


def test_a_clean_form_has_no_findings(ingest) -> None:
    make_unit()
    make_campaign()
    ingest(form(entry(RISKS[0], level="high"), entry(RISKS[1], position="出纳")))
    assert run_audit(today=BEFORE_DEADLINE) == []


def test_missing_level_per_entry_and_per_form(ingest) -> None:
    make_unit()
    make_campaign()
    ingest(form(entry(RISKS[0]), entry(RISKS[1], level=None, level_label=None)))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["missing_level"]
    assert found[0]["entry_id"] is not None and "原始凭证审核不严" in found[0]["message"]
    assert found[0]["source"]["row"] == 3 and found[0]["severity"] == "high"

    ingest(form(entry(RISKS[2], level=None), entry(RISKS[3], level=None), department="办公室"),
           filename="办公室.docx")
    whole = [f for f in run_audit(today=BEFORE_DEADLINE) if f["entry_id"] is None]
    assert rules(whole) == ["missing_level"]
    assert "全部2个风险点均未标明风险等级" in whole[0]["message"]


def test_missing_category_and_no_measures(ingest) -> None:
    make_unit()
    make_campaign()
    ingest(form(entry(RISKS[0]), entry(RISKS[1], category=None), entry(RISKS[2], measures=[])))
    assert rules(run_audit(today=BEFORE_DEADLINE)) == ["missing_category", "no_measures"]


def test_missing_owner_only_when_the_campaign_requires_it(ingest) -> None:
    make_unit()
    make_campaign()
    make_campaign("2025年度责任人必填", owner_required=True)
    doc = form(entry(RISKS[0], owner=None), entry(RISKS[1]))
    ingest(doc, campaign="2025年度安澜县廉政风险防控工作")
    ingest(doc, campaign="2025年度责任人必填")
    assert run_audit(campaign="2025年度安澜县廉政风险防控工作", today=BEFORE_DEADLINE) == []
    found = run_audit(campaign="2025年度责任人必填", today=BEFORE_DEADLINE)
    assert rules(found) == ["missing_owner"] and "现金收付" in found[0]["message"]


def test_vague_measures_are_flagged_and_concrete_ones_are_not(ingest) -> None:
    make_unit()
    make_campaign()
    vague = [{"text": "加强学习,提高认识", "phase": None}, {"text": "严格执行有关规定", "phase": None}]
    mixed = [{"text": "加强学习", "phase": None}, {"text": "每月由会计核对现金日记账", "phase": None}]
    owned = [{"text": "加强学习", "phase": None, "owner": "王明", "deadline": "2025-06-30"}]
    ingest(form(entry(RISKS[0], measures=vague), entry(RISKS[1], measures=mixed), entry(RISKS[2], measures=owned)))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["vague_measure"]
    assert "现金收付" in found[0]["message"] and "严格执行有关规定" in found[0]["message"]


def test_vague_measure_can_be_tuned_or_switched_off(ingest) -> None:
    make_unit()
    make_campaign("关闭", audit={"vague_measure": False})
    make_campaign("放宽", audit={"vague_measure": {"threshold": 0.95}})
    doc = form(entry(RISKS[0], measures=[{"text": "加强学习,提高认识", "phase": None}]))
    for name in ("关闭", "放宽"):
        ingest(doc, campaign=name)
        assert run_audit(campaign=name, today=BEFORE_DEADLINE) == []


def test_bad_settings_are_refused_in_the_campaign_file_and_ignored_when_stored(ingest) -> None:
    with pytest.raises(CampaignError, match="audit/vague_measure"):
        make_campaign("打错", audit={"vague_measure": {"threshold": "high"}})
    make_unit()
    campaign = make_campaign(audit={"review": {"leader_may_settle": True}})
    with write_session() as s:  # stored some other way: a typo must not stop every ingest
        s.get(Campaign, campaign).audit = {"vague_measure": {"threshold": "high", "typo": 1}}
    ingest(form(entry(RISKS[0], measures=[{"text": "加强学习,提高认识", "phase": None}])))
    assert rules(run_audit(today=BEFORE_DEADLINE)) == ["vague_measure"]


def test_every_rule_setting_and_its_default_is_documented_in_the_campaign_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]["audit"]["properties"]
    assert set(schema) == set(RULES)
    for name, r in RULES.items():
        documented = schema[name]["oneOf"][1]["properties"]
        assert {k: v["default"] for k, v in documented.items()} == r.defaults, name


def test_a_promised_rule_needs_its_name_or_date(ingest) -> None:
    make_unit()
    make_campaign()
    unnamed = [*GOOD_MEASURES, {"text": "制定公务接待管理办法", "phase": None}]
    named = [*GOOD_MEASURES, {"text": "9月底前制定《公务接待管理办法》", "phase": None}]
    ingest(form(entry(RISKS[0], measures=unnamed), entry(RISKS[1], measures=named)))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["rule_without_name_or_date"] and "现金收付" in found[0]["message"]


def test_high_level_point_needs_all_three_lines(ingest) -> None:
    make_unit()
    make_campaign()
    two_lines = GOOD_MEASURES[:2]
    ingest(form(entry(RISKS[0], level="high", measures=two_lines), entry(RISKS[1], level="medium", measures=two_lines),
                entry(RISKS[2], level="high")))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["high_without_three_lines"]
    assert found[0]["details"]["missing"] == ["后期处置"] and "现金收付" in found[0]["message"]


def test_levels_assigned_by_rank(ingest) -> None:
    make_unit()
    make_campaign()
    by_rank = [entry(RISKS[i], department="局领导", position=p, level="high")
               for i, p in enumerate(("局长", "副局长", "纪检组长"))]
    by_rank += [entry(RISKS[3 + i], position=p, level="low") for i, p in enumerate(("科员", "出纳", "办事员"))]
    ingest(form(*by_rank))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["level_by_rank"] and "按职务高低划定" in found[0]["message"]

    by_risk = [dict(e) for e in by_rank]
    by_risk[0]["level"], by_risk[3]["level"] = "medium", "high"
    ingest(form(*by_risk), filename="修改后.docx")
    assert run_audit(today=BEFORE_DEADLINE) == []


def test_departments_without_a_submission(ingest) -> None:
    make_unit()
    make_unit("财务科", parent="安澜县财政局")
    office = make_unit("办公室", parent="安澜县财政局")
    make_campaign()
    ingest(form(entry(RISKS[0])))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["coverage_department"]
    assert found[0]["unit_id"] == office and "办公室没有报送" in found[0]["message"]

    ingest(form(entry(RISKS[1], department="办公室"), department="办公室"), unit=office, filename="办公室.docx")
    assert run_audit(today=BEFORE_DEADLINE) == []


def test_positions_in_the_power_list_without_risk_points(ingest) -> None:
    make_unit()
    make_campaign()
    powers = form(entry("现金收付", position="出纳", measures=[]), entry("会计核算", position="会计", measures=[]),
                  kind="power_list", title="职权目录")
    ingest(powers, filename="职权目录.xlsx")
    ingest(form(entry(RISKS[0], position="会计")))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["coverage_position"] and "“出纳”" in found[0]["message"]


def test_leaders_without_their_own_points(ingest) -> None:
    unit = make_unit()
    make_campaign()
    make_leader(unit, "王建国", "局长")
    ingest(form(entry(RISKS[0])))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["coverage_leader"] and "局长王建国" in found[0]["message"]

    own = form(entry(RISKS[1], department="局领导", position="局长", person="王建国"),
               department="局领导", person="王建国", title="个人廉政风险防控排查表")
    ingest(own, filename="王建国.docx")
    assert run_audit(today=BEFORE_DEADLINE) == []


def test_copied_risk_text_under_other_positions(ingest) -> None:
    make_unit()
    make_campaign()
    text = "思想放松,存在“小节无害”心理,可能收受服务对象的购物卡、礼金"
    ingest(form(entry(text, position="会计"), entry(text.replace("、礼金", "、礼金。"), position="出纳"),
                entry(RISKS[1], position="会计")))
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["copied_text", "copied_text"]
    assert {f["message"].split("与")[1][:6] for f in found} == {"财务科/出纳", "财务科/会计"}


def test_points_copied_from_last_year(ingest) -> None:
    make_unit()
    make_campaign("2024年度", year=2024)
    make_campaign()
    ingest(form(entry(RISKS[0]), entry(RISKS[1]), filled_on="2024-05-01"), campaign="2024年度")
    changed = entry(RISKS[1], measures=[*GOOD_MEASURES, {"text": "每月核对票据存根", "phase": "中期监控"}])
    ingest(form(entry(RISKS[0]), changed))
    found = run_audit(campaign="2025年度安澜县廉政风险防控工作", today=BEFORE_DEADLINE)
    assert rules(found) == ["copied_from_last_year"] and "现金收付" in found[0]["message"]


def test_a_unit_far_from_the_campaigns_level_distribution(ingest) -> None:
    make_campaign()
    for name, highs in (("甲局", 0), ("乙局", 3), ("丙局", 4)):
        make_unit(name)
        rows = [entry(r, level="high" if i < highs else "low", position=f"岗位{i}") for i, r in enumerate(RISKS[:10])]
        ingest(form(*rows, unit=name), unit=name, filename=f"{name}.docx")
    found = run_audit(today=BEFORE_DEADLINE)
    assert rules(found) == ["level_distribution"]
    assert found[0]["unit"] == "甲局" and "未确定任何高风险点" in found[0]["message"]


def test_overdue_missing_and_late_forms(ingest) -> None:
    make_unit()
    make_unit("安澜县教育局")
    make_campaign()  # the default plan collects forms until 2025-06-30
    ingest(form(entry(RISKS[0]), filled_on="2025-07-02"))
    on_the_day = run_audit(today=date(2025, 6, 30))  # the deadline itself has not passed yet
    assert rules(on_the_day) == ["overdue"] and on_the_day[0]["unit"] == "安澜县财政局"
    found = run_audit(today=date(2025, 7, 5))
    assert rules(found) == ["overdue", "overdue"]
    by_unit = {f["unit"]: f["message"] for f in found}
    assert "尚未报送" in by_unit["安澜县教育局"]
    assert "2025-07-02晚于" in by_unit["安澜县财政局"]


def test_reruns_keep_findings_and_a_fixed_form_closes_them(ingest) -> None:
    make_unit()
    make_campaign()
    ingest(form(entry(RISKS[0], level=None), entry(RISKS[1], measures=[])))
    first = run_audit(today=BEFORE_DEADLINE)
    again = run_audit(today=BEFORE_DEADLINE)
    assert sorted(f["id"] for f in first) == sorted(f["id"] for f in again) and len(first) == 2

    fixed = ingest(form(entry(RISKS[0]), entry(RISKS[1], measures=[])), filename="改正后.docx")
    after = run_audit(today=BEFORE_DEADLINE)
    assert rules(after) == ["no_measures"]
    still = next(f for f in after if f["rule"] == "no_measures")
    assert still["id"] in {f["id"] for f in first} and still["submission_id"] == fixed.submission_id


def test_open_findings_of_a_unit_grouped_by_rule_with_their_sources(ingest) -> None:
    make_unit()
    make_unit("教育局")
    make_campaign()
    ingest(form(entry(RISKS[0], level=None), entry(RISKS[1], level=None), entry(RISKS[2], category=None)),
           filename="财务科排查表.xlsx")
    ingest(form(entry(RISKS[3], level=None), unit="教育局"), unit="教育局", filename="教育局.docx")
    run_audit(today=BEFORE_DEADLINE)
    with write_session() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "安澜县财政局"))
        groups = grouped(open_findings(s, [unit_id]))
    assert [g.title for g in groups] == [RULES["missing_level"].title, RULES["missing_category"].title]  # registry order
    assert [i["text"].split("（来源：")[1] for i in groups[0].items] == ["《财务科排查表.xlsx》表1第2行）",
                                                                     "《财务科排查表.xlsx》表1第3行）"]
    assert [i["text"].split("（来源：")[1] for i in groups[1].items] == ["《财务科排查表.xlsx》表1第4行）"]


def test_a_power_lists_powers_kept_by_ingest_are_checked_against_every_form(ingest) -> None:
    make_unit()
    make_campaign()
    plist = form(kind="power_list", title="职权目录")
    plist["powers"] = [
        {"name": "行政许可审批", "content": "审核许可申请", "subject": "审批股股长", "basis": None,
         "source": {"table": None, "sheet": "职权目录", "page": None, "row": 3}},
        {"name": "档案查阅审批", "content": "审核查阅申请", "subject": "档案室档案管理员", "basis": None,
         "source": {"table": None, "sheet": "职权目录", "page": None, "row": 4}},
    ]
    ingest(plist, filename="职权目录.xlsx")
    ingest(form(entry(RISKS[0], department="审批股", position="股长"), department="审批股"), filename="审批股.docx")
    [found] = run_audit(today=BEFORE_DEADLINE)
    assert found["rule"] == "coverage_position" and "“档案查阅审批”的办理主体“档案室档案管理员”" in found["message"]
    assert found["file"] == "职权目录.xlsx" and found["source"]["row"] == 4
