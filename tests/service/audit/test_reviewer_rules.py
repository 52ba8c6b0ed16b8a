"""Each rule as a reviewer means it: its positives and its near-miss negatives (issue #19).

The rules are pure functions of a unit's forms (`UnitContext`), so these tests state the
forms as plain data and read the findings the office would read.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import Any

from service.audit.context import EntryData, Leader, MeasureData, PowerData, SubmissionData, UnitContext
from service.audit.registry import FindingDraft
from service.audit.runner import check

_ids = count(1)
UNIT = 1
THREE_LINES = [("前期预防", "每年组织一次岗前廉政教育"), ("中期监控", "每月由科长抽查办理台账"),
               ("后期处置", "发现违规的依纪依规严肃处理")]


def sub(name: str = "财务科排查表.docx", *, kind: str = "risk_register", unit: int = UNIT, **form: Any) -> SubmissionData:
    return SubmissionData(next(_ids), unit, kind, f"{kind}|{name}", {"filled_on": "2025-05-01", **form}, name,
                          datetime(2025, 5, 1), True, "parsed")


def e(s: SubmissionData, risk: str, *, measures: list[tuple[str | None, str]] | None = None, row: int = 2,
      **fields: Any) -> EntryData:
    base: dict[str, Any] = {"department": "财务科", "position": "会计", "person": None, "category": "岗位职责",
                            "domain": None, "level": "medium", "owner": "刘芳", "deadline": None}
    base.update(fields)
    n = next(_ids)
    measures = measures if measures is not None else [(p, f"{t}(第{n}项)") for p, t in THREE_LINES]
    return EntryData(id=n, submission_id=s.id, unit_id=s.unit_id, risk=risk,
                     source={"table": 0, "sheet": None, "page": None, "row": row}, form_kind=s.form_kind,
                     measures=[MeasureData(t, p, None, None) for p, t in measures], **base)


def unit(subs: list[SubmissionData], entries: list[EntryData], *, departments: dict[int, str] | None = None,
         powers: list[PowerData] | None = None, leaders: list[Leader] | None = None, roster: set[str] | None = None,
         stages: list[dict] | None = None, today: date = date(2025, 5, 10),
         last_year: list[EntryData] | None = None) -> UnitContext:
    return UnitContext(UNIT, "安澜县财政局", 1, stages or [], False, departments or {}, subs, entries, powers or [],
                       leaders or [], roster or set(), last_year or [], {}, today)


def found(ctx: UnitContext, rule: str) -> list[FindingDraft]:
    return [d for d in check(ctx, {}) if d.rule == rule]


# -- copied_text -------------------------------------------------------------------------------
RISK = "思想放松,存在“小节无害”心理,可能收受服务对象的购物卡、礼金"


def test_copies_that_differ_by_a_word_are_found_with_the_other_position() -> None:
    s = sub()
    for copy in ("思想麻痹,存在“小节无害”心理,可能收受服务对象的购物卡、礼金",  # a near-synonym
                 "思想放松,存在“小节无害”心理,收受服务对象的购物卡、礼金",  # a word dropped
                 "个别人员思想放松,存在“小节无害”心理,可能收受服务对象的购物卡、礼金",  # a word added
                 RISK):
        a, b = e(s, RISK), e(s, copy, position="出纳", department="财务股")
        drafts = found(unit([s], [a, b]), "copied_text")
        assert {d.entry_id for d in drafts} == {a.id, b.id}, copy
        message = next(d.message for d in drafts if d.entry_id == a.id)
        assert "财务股/出纳" in message and "请结合本岗位实际重新查找" in message


def test_the_same_measure_list_under_another_position_is_a_copy() -> None:
    s = sub()
    measures = [("前期预防", "每年组织会计人员学习财经纪律"), ("中期监控", "每月核对现金日记账与银行对账单")]
    a = e(s, "现金收付不及时入账,坐支现金", measures=measures)
    b = e(s, "原始凭证审核不严,以白条入账", measures=measures, position="出纳")
    drafts = found(unit([s], [a, b]), "copied_text")
    assert len(drafts) == 2 and "防控措施完全相同" in drafts[0].message


def test_resubmissions_generic_texts_and_other_matters_are_not_copies() -> None:
    dept, own = sub(), sub("刘芳个人排查表.docx", person="刘芳")
    resubmitted = [e(dept, RISK), e(own, RISK, person="刘芳")]  # the same position on its own form
    generic = [e(dept, "廉洁意识淡薄"), e(dept, "廉洁意识淡薄", position="出纳")]  # short, every unit has it
    matters = [e(dept, "现金收付过程中收受服务对象的礼品礼金"),  # the same fault in another matter
               e(dept, "印章使用过程中收受服务对象的礼品礼金", position="文秘", department="办公室")]
    different = [e(dept, "政府采购化整为零规避集中采购"), e(dept, "专项资金挤占挪用,改变资金用途", position="出纳")]
    for pair in (resubmitted, generic, matters, different):
        assert found(unit([dept, own], pair), "copied_text") == [], pair[0].risk


# -- rule_without_name_or_date -----------------------------------------------------------------
def test_promised_rules_without_a_name_or_a_date_in_any_phrasing() -> None:
    s = sub()
    for text, lacks in (("由办公室负责制定相应管理办法", ["具体制度名称", "完成时间"]),
                        ("牵头出台有关制度,规范公务接待行为", ["具体制度名称", "完成时间"]),
                        ("建立健全廉政风险防控工作机制", ["具体制度名称", "完成时间"]),
                        ("制定公务用车管理办法", ["完成时间"]),
                        ("2025年9月底前制定相关管理办法", ["具体制度名称"])):
        x = e(s, "公务接待超标准、超范围", measures=[*THREE_LINES, (None, text)])
        drafts = found(unit([s], [x]), "rule_without_name_or_date")
        assert len(drafts) == 1 and drafts[0].details["lacks"] == lacks, text
        assert text in drafts[0].message and "请写明制度名称《…》和完成时限" in drafts[0].message


def test_named_and_dated_or_existing_rules_are_fine() -> None:
    s = sub()
    for text, deadline in (("严格执行《公务接待管理办法》", None), ("2025年9月底前制定《公务接待管理办法》", None),
                           ("于2025年10月前修订公务用车管理办法", None), ("制定公务接待管理细则", "2025年9月30日"),
                           ("已制定公务接待管理办法并严格执行", None)):
        x = e(s, "公务接待超标准、超范围", measures=[*THREE_LINES, (None, text)], deadline=deadline)
        assert found(unit([s], [x]), "rule_without_name_or_date") == [], text


# -- coverage_position -------------------------------------------------------------------------
def power(s: SubmissionData, name: str, subject: str, row: int) -> PowerData:
    return PowerData(name, subject, s.unit_id, s.id, {"table": None, "sheet": "职权目录", "page": None, "row": row})


def test_a_power_whose_holder_has_no_risk_point_names_power_and_position() -> None:
    s, plist = sub(), sub("职权目录.xlsx", kind="power_list")
    ctx = unit([s, plist], [e(s, "现金收付不及时入账")], powers=[power(plist, "档案查阅审批", "档案室档案管理员", 4)])
    [d] = found(ctx, "coverage_position")
    assert "“档案查阅审批”" in d.message and "“档案室档案管理员”" in d.message
    assert d.submission_id == plist.id and d.details["source"] == {"table": None, "sheet": "职权目录", "page": None,
                                                                   "row": 4}


def test_positions_match_on_normalized_names() -> None:
    s, plist = sub(), sub("职权目录.xlsx", kind="power_list")
    entries = [e(s, "审批中违规办理", department="审批股", position="股长"), e(s, "会计核算不实", position="会计"),
               e(s, "坐支现金", position="出纳"), e(s, "执法不公", department="执法大队", position="执法人员")]
    powers = [power(plist, "许可审批", "审批股股长", 3), power(plist, "会计核算", "财务科会计岗", 4),
              power(plist, "现金管理", "出纳员", 5), power(plist, "行政处罚", "执法大队", 6)]
    assert found(unit([s, plist], entries, powers=powers), "coverage_position") == []
    other = [power(plist, "许可审批", "办公室股长", 7)]  # a head, but of another department
    assert len(found(unit([s, plist], entries, powers=other), "coverage_position")) == 1


# -- high_without_three_lines ------------------------------------------------------------------
def test_marked_phases_decide_and_the_message_names_the_missing_line() -> None:
    s = sub()
    x = e(s, "政府采购化整为零", level="high", measures=THREE_LINES[:2])
    prefixed = e(s, "专项资金挤占挪用", level="high", measures=[(None, "事前:签订廉政承诺书"), (None, "事中:全程留痕"),
                                                                (None, "处置:违规的严肃处理")])
    [d] = found(unit([s], [x, prefixed]), "high_without_three_lines")
    assert d.entry_id == x.id and d.details["missing"] == ["后期处置"] and "缺少后期处置环节" in d.message


def test_unmarked_forms_are_judged_on_wording_and_only_a_confident_miss_counts() -> None:
    s = sub()
    no_handling = e(s, "审批中为亲友提供便利", level="high",
                    measures=[(None, "每年组织一次廉政警示教育"), (None, "每月由分管领导抽查审批档案")])
    complete = e(s, "收费中少收多收", level="high",
                 measures=[(None, "收费标准在大厅公布"), (None, "每季度核对收费票据"), (None, "多收的清退并通报批评")])
    hinted = e(s, "年检中降低标准", level="high",
               measures=[(None, "年检标准在网上公开"), (None, "实行双人复核"), (None, "年检结果纳入年度考核")])
    drafts = found(unit([s], [no_handling, complete, hinted]), "high_without_three_lines")
    assert [d.entry_id for d in drafts] == [no_handling.id] and drafts[0].details["missing"] == ["后期处置"]


# -- overdue, coverage_department, coverage_leader ----------------------------------------------
STAGES = [{"name": "查找风险", "start": "2025-04-01", "end": "2025-06-30", "submissions": True,
           "deadline": "2025-06-30"}]


def test_overdue_names_each_department_and_stage_and_counts_the_combined_form() -> None:
    combined = sub("汇总表.xlsx")
    entries = [e(combined, "现金收付不及时入账", department="财务科")]
    ctx = unit([combined], entries, departments={11: "财务科", 12: "办公室"}, roster={"信访室", "局领导"},
               stages=STAGES, today=date(2025, 7, 5))
    drafts = found(ctx, "overdue")
    assert sorted(d.details["department"] for d in drafts) == ["信访室", "办公室"]
    assert all("“查找风险”阶段截止日期2025-06-30已过" in d.message for d in drafts)
    assert found(unit([combined], entries, departments={11: "财务科"}, stages=STAGES, today=date(2025, 6, 30)),
                 "overdue") == []


def test_a_form_filled_after_the_deadline_is_late() -> None:
    late = sub("办公室排查表.docx", filled_on="2025-07-02")
    [d] = found(unit([late], [e(late, "公文处理不及时")], stages=STAGES, today=date(2025, 7, 5)), "overdue")
    assert d.submission_id == late.id and "2025-07-02晚于“查找风险”阶段截止日期2025-06-30" in d.message


def test_coverage_counts_every_current_form_of_the_unit() -> None:
    combined, leaders_form = sub("汇总表.xlsx"), sub("领导班子排查表.docx", title="领导班子成员廉政风险防控排查表")
    entries = [e(combined, "公文处理不及时", department="办公室", position="文秘"),
               e(leaders_form, "大额资金使用未经集体研究", department=None, position="局长", person="王建国"),
               e(leaders_form, "分管领域监管缺位", department=None, position="纪检组长")]
    leaders = [Leader("王建国", "局长", "局领导"), Leader("李明", "纪检组长", "局领导"), Leader("赵强", "副局长", "局领导")]
    ctx = unit([combined, leaders_form], entries, departments={12: "办公室"}, leaders=leaders)
    assert found(ctx, "coverage_department") == []
    [d] = found(ctx, "coverage_leader")
    assert d.details["leader"] == "赵强" and "副局长赵强没有查找本人的风险点" in d.message


# -- level_by_rank -----------------------------------------------------------------------------
def _ranked(leader_levels: list[str], staff_levels: list[str]) -> UnitContext:
    dept, leaders_form = sub(), sub("领导班子排查表.docx", title="领导班子成员廉政风险防控排查表")
    names = ["王建国", "李明", "赵强", "孙丽"]
    entries = [e(leaders_form, f"领导风险{i}号事项", department=None, position="副局长", person=names[i % 4], level=lv)
               for i, lv in enumerate(leader_levels)]
    entries += [e(dept, f"一般岗位风险{i}号事项", position="科员", level=lv) for i, lv in enumerate(staff_levels)]
    entries.append(e(dept, "科长岗位风险", position="科长", level="medium"))  # heads count in neither group
    return unit([dept, leaders_form], entries, leaders=[Leader(n, "副局长", "局领导") for n in names])


def test_levels_by_rank_with_leaders_on_their_own_form() -> None:
    [d] = found(_ranked(["high"] * 6, ["low"] * 8), "level_by_rank")
    assert "领导班子成员的6个风险点100%定为最高等级" in d.message and "请按发生概率和危害程度" in d.message
    assert found(_ranked(["high"] * 6, ["low"] * 9 + ["medium"]), "level_by_rank")  # nearly all: the tolerance


def test_levels_that_vary_inside_a_group_are_not_by_rank() -> None:
    assert found(_ranked(["high"] * 5 + ["medium"], ["low"] * 8), "level_by_rank") == []
    assert found(_ranked(["high"] * 6, ["low"] * 6 + ["medium", "high"]), "level_by_rank") == []


# -- missing_level, missing_category -----------------------------------------------------------
def test_an_empty_level_or_type_cell_is_found_on_its_row() -> None:
    s = sub()
    entries = [e(s, "现金收付不及时入账"), e(s, "坐支现金", level=None, row=3), e(s, "白条入账", category=None, row=4)]
    ctx = unit([s], entries)
    [level] = found(ctx, "missing_level")
    [kind] = found(ctx, "missing_category")
    assert (level.entry_id, kind.entry_id) == (entries[1].id, entries[2].id)
    assert "未标明风险等级,请补填" in level.message and "未标明风险类型" in kind.message


# -- copied_from_last_year ---------------------------------------------------------------------
def test_last_years_point_is_recognised_whatever_way_the_phases_are_written() -> None:
    old, new = sub("2024.xlsx"), sub("2025.docx")
    measures = [("前期预防", "签订廉政承诺书"), ("中期监控", "每月核对现金日记账"), ("后期处置", "违规的严肃处理")]
    last = e(old, "现金收付不及时入账", measures=measures)
    same = e(new, "现金收付不及时入账", measures=[(None, "事前:签订廉政承诺书"), (None, "事中:每月核对现金日记账"),
                                          (None, "处置:违规的严肃处理")])
    updated = e(new, "现金收付不及时入账", measures=[*measures[:2], ("后期处置", "违规的严肃处理并全局通报")])
    assert len(found(unit([new], [same], last_year=[last]), "copied_from_last_year")) == 1
    assert found(unit([new], [updated], last_year=[last]), "copied_from_last_year") == []
