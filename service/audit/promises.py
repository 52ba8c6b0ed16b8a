"""Measures that promise a new or revised rule, and whether they name it and date it.

A promise is a making verb (制定/建立/完善/出台/修订/健全…) followed, within one clause,
by a kind of rule (制度/办法/规定/细则/规程/机制/流程). It names its rule when the clause
has a 《title》 or a concrete name is left once the generic words (相应, 有关, 管理, 工作…)
are taken out: "公务用车管理办法" names one, "相应管理办法" and "有关制度" do not.
It is dated when the measure, its 完成时限 or the entry's says when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROMISE = re.compile(
    r"(?<![已经])(?:研究制定|制定|建立|完善|出台|修订|修改|健全|起草|建章立制)"
    r"(?P<body>[^,，;；。:：!！?？]{0,24}?)(?P<noun>制度|办法|规定|细则|规程|机制|流程)"
)
GENERIC = re.compile(
    "|".join(sorted((
        "相应", "相关", "有关", "各项", "各类", "配套", "一套", "一系列", "系列", "完善", "健全", "建立", "制定",
        "出台", "修订", "修改", "起草", "的", "管理", "工作", "长效", "内部", "规章", "监督", "约束", "考核",
        "激励", "责任", "廉政", "风险", "防控", "防范", "操作", "具体", "明确", "科学", "合理", "规范化", "制度化",
        "本单位", "本科室", "本部门", "本股室", "单位", "科室", "部门", "负责", "牵头", "进一步", "并", "和", "及",
        "与", "等", "新", "好", "必要", "严格", "切实", "可行", "有效", "一些", "若干", "专门", "专项", "实施",
        "执行", "落实", "运行", "保障", "岗位", "业务", "相关联",
    ), key=len, reverse=True))
)
DATE_HINT = re.compile(
    r"\d{4}\s*[年\-./]|\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月|年底|年内|年末|月底|季末|上半年|下半年|本年度"
    r"|日前|底前|前完成|\d+\s*(?:个)?(?:工作)?(?:日|天|月|周)内|[一二两三四五六七八九十]+\s*个?(?:工作)?(?:日|天|月|周)内"
)


@dataclass(frozen=True, slots=True)
class Promise:
    text: str  # the clause that promises
    named: bool
    dated: bool


def dated(text: str | None) -> bool:
    return bool(text and DATE_HINT.search(text))


def promise(text: str, *, deadline: str | None = None) -> Promise | None:
    """The rule a measure promises to make, with whether it is named and dated; None if none."""
    found = PROMISE.search(text)
    if found is None:
        return None
    start = max(text.rfind(sep, 0, found.start()) for sep in ",，;；。") + 1
    stops = [i for i in (text.find(sep, found.end()) for sep in ",，;；。") if i >= 0]
    clause = text[start : min(stops) if stops else len(text)]
    concrete = GENERIC.sub("", found.group("body"))
    named = "《" in clause or len(concrete) >= 2
    return Promise(clause.strip(), named, dated(text) or dated(deadline))
