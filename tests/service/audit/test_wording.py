"""The wording the rules judge: promised rules, lines of defence, position names, near-duplicates."""

from __future__ import annotations

import pytest

from service.audit.names import split_position
from service.audit.phases import HANDLE, MONITOR, PREVENT, confident_misses, marked
from service.audit.promises import promise
from service.audit.similarity import normalize, similar_pairs, similarity


@pytest.mark.parametrize(
    ("text", "deadline", "named", "dated"),
    [
        ("由办公室负责制定相应管理办法", None, False, False),
        ("牵头出台有关制度,规范公务接待行为", None, False, False),
        ("建立健全廉政风险防控工作机制", None, False, False),
        ("不断完善各项规章制度", None, False, False),
        ("2025年9月底前制定相关管理办法", None, False, True),
        ("制定公务用车管理办法", None, True, False),
        ("修订完善财务报销制度", None, True, False),
        ("建立用印审批登记制度", None, True, False),
        ("制定《公务接待管理办法》", None, True, False),
        ("2025年6月底前制定《公务接待管理办法》", None, True, True),
        ("于2025年10月前修订公务用车管理办法", None, True, True),
        ("制定差旅费报销制度", "2025-09-30", True, True),
        ("年底前修订物资采购管理办法", None, True, True),
        ("三个月内出台政府采购内部控制规程", None, True, True),
    ],
)
def test_a_promised_rule_is_judged_on_its_name_and_its_date(text, deadline, named, dated) -> None:
    found = promise(text, deadline=deadline)
    assert found is not None and (found.named, found.dated) == (named, dated)


@pytest.mark.parametrize(
    "text",
    ["严格执行《政府采购法》和《公务用车管理办法》", "按照《财务报销管理规定》逐笔审核报销单据",
     "已制定公务接待管理办法并严格执行", "建立收费台账,每月核对一次", "严格执行有关规定"],
)
def test_citing_or_keeping_an_existing_rule_promises_nothing(text: str) -> None:
    assert promise(text) is None


@pytest.mark.parametrize(
    ("text", "line"),
    [("事前:开展岗前廉政谈话", PREVENT), ("预防措施:签订廉政承诺书", PREVENT), ("(二)事中监督:全程留痕", MONITOR),
     ("处置:对违规人员严肃处理", HANDLE), ("后期处置:追究责任", HANDLE), ("加强事前审核", None)],
)
def test_a_phase_prefix_in_the_text_marks_its_line(text: str, line: str | None) -> None:
    assert marked(text) == line


def test_the_wording_classifier_only_reports_a_confident_miss() -> None:
    complete = ["每年组织一次廉政警示教育", "每月由分管领导抽查审批档案", "对违规审批的依纪依规严肃处理"]
    assert confident_misses(complete, 0.75) == {}
    no_handling = ["每年组织一次廉政警示教育", "每月由分管领导抽查审批档案"]
    assert list(confident_misses(no_handling, 0.75)) == [HANDLE]
    weak_handling = [*no_handling, "年终对审批工作进行总结"]  # a hint of the line is doubt enough
    unplaced = [*no_handling, "做好相关衔接工作"]  # no word of any line: it could be the missing one
    assert confident_misses(unplaced, 0.75) == {}
    separation = ["经办与审核不由一人兼任", "违规的严肃处理"]  # prevention: its 审核 names a role, checks nothing
    assert list(confident_misses(separation, 0.75)) == [MONITOR]
    assert confident_misses(weak_handling, 0.75) == {}


@pytest.mark.parametrize(
    ("position", "expected"),
    [("审批股股长", ("审批", "科长")), ("股长", (None, "科长")), ("财务科会计岗", ("财务", "会计")),
     ("出纳员", (None, "出纳")), ("科员", (None, "科员")), ("办公室主任", ("办公室", "主任")),
     ("副局长", (None, "副局长")), ("审批股", ("审批", ""))],
)
def test_position_names_reduce_to_department_and_role(position: str, expected: tuple) -> None:
    assert split_position(position) == expected


def test_near_duplicates_differ_by_a_word_and_are_found_without_comparing_every_pair() -> None:
    a = normalize("思想放松,存在“小节无害”心理,可能收受服务对象的购物卡、礼金")
    swapped = normalize("思想麻痹,存在“小节无害”心理,可能收受服务对象的购物卡、礼金")
    dropped = normalize("思想放松,存在“小节无害”心理,收受服务对象的购物卡、礼金")
    other = normalize("审批中对申报材料审查不严,为不符合条件的申请人办理许可")
    assert similarity(a, swapped) >= 0.9 and similarity(a, dropped) >= 0.9 and similarity(a, other) < 0.5
    assert {(0, 2), (0, 3)} <= {(i, j) for i, j, _ in similar_pairs([a, other, swapped, dropped], 0.88)}
