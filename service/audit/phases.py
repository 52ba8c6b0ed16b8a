"""Which line of defence a measure belongs to: 前期预防, 中期监控 or 后期处置.

First what the form says: a phase column, or a prefix the parser read ("前期预防:…").
Then a prefix left in the text in another wording ("事前:", "预防措施:", "处置:").
Only when a form marks no phases at all is the wording judged: a small keyword classifier
gives each measure a score per line in [0, 1]; an entry confidently lacks a line when no
measure scores above 1 - confidence for it (so one weak hint of a line is enough doubt).
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.model import PHASES

PREVENT, MONITOR, HANDLE = PHASES

PREFIX = re.compile(
    r"^\s*(?:[(（]?[一二三1-3][)）、.．]?\s*)?(?:"
    r"(?P<p>前期|事前|事先|预防|防范)(?:预防|防范|防控|阶段)?"
    r"|(?P<m>中期|事中|过程|监控|监督)(?:监控|监督|防控|控制|阶段)?"
    r"|(?P<h>后期|事后|处置|追责|问责)(?:处置|处理|防控|追责|阶段)?"
    r")(?:措施)?\s*[:：]"
)

# word -> weight per line: 1.0 says the line by itself, 0.5 leans to it, 0.25 hints at it.
LEXICON: dict[str, dict[str, float]] = {
    PREVENT: {
        "学习": 1, "教育": 1, "培训": 1, "宣传": 1, "警示": 1, "廉政谈话": 1, "岗前": 1, "承诺": 1, "签订": 1,
        "制定": 1, "建立": 0.5, "完善": 0.5, "健全": 0.5, "出台": 1, "修订": 0.5, "明确": 1, "公开": 0.5,
        "告知": 1, "事先": 1, "事前": 1, "预防": 1, "防范": 1, "提醒": 1, "标准": 0.5, "清单": 0.5, "轮岗": 1,
        "交流": 0.5, "回避": 1, "分离": 1, "分设": 1, "分岗": 1, "意识": 0.5, "细化": 1, "规范": 0.25, "公布": 0.5,
        "制约": 0.5, "准入": 1, "约定": 0.5, "把关": 0.5, "严禁": 1, "禁止": 1, "不得": 0.5, "一律": 0.5,
        "编制": 0.5, "预算": 0.5, "计划": 0.5, "实行": 0.25, "执行": 0.25, "制度": 0.25, "兼任": 1, "不由一人": 1,
        "首问": 1, "一次性告知": 1, "网上办理": 0.5, "人为干预": 1, "上岗": 1, "廉洁从业": 1, "书面": 0.5,
        "风险提示": 1, "谈心": 1, "限时办结": 0.5, "公开承诺": 1, "要求": 0.25, "规程": 0.5, "流程": 0.5,
        "随机抽取": 1, "合法性审查": 1, "须经": 1, "报批": 0.5,
    },
    MONITOR: {
        "监督": 1, "监控": 1, "检查": 1, "抽查": 1, "核查": 1, "复核": 1, "督查": 1, "巡查": 1, "跟踪": 1,
        "审核": 1, "审查": 1, "核对": 1, "比对": 1, "盘点": 1, "全程": 1, "留痕": 1, "台账": 0.5, "记录": 0.5,
        "双人": 1, "会审": 1, "集体研究": 1, "集体讨论": 1, "公示": 0.5, "监测": 1, "预警": 1, "报备": 1,
        "备案": 0.5, "审计": 1, "定期": 0.5, "每月": 0.5, "每季度": 0.5, "每周": 0.5, "随机": 0.5, "报告": 0.25,
        "旁站": 1, "现场": 0.5, "过程": 0.5, "事中": 1, "实时": 1, "在线": 0.5, "对账": 1, "审批": 0.25,
        "公开": 0.5, "汇报": 1, "听取": 1, "视频": 1, "录像": 1, "监督员": 1, "不定期": 1, "专项": 0.5, "抽检": 1,
        "核验": 1, "统计": 0.5, "分析": 0.5, "测评": 1, "评议": 1, "满意度": 1, "日志": 1, "签字": 0.5, "登记": 0.5,
        "系统": 0.25, "把控": 0.5,
    },
    HANDLE: {
        "追究": 1, "问责": 1, "处分": 1, "处理": 1, "处置": 1, "查处": 1, "纠正": 1, "整改": 1, "移送": 1,
        "通报": 1, "诫勉": 1, "责令": 1, "追回": 1, "追缴": 1, "赔偿": 1, "退赔": 1, "清退": 1, "倒查": 1,
        "约谈": 1, "回访": 1, "评估": 1, "总结": 0.5, "奖惩": 1, "事后": 1, "问效": 1, "考核": 0.5, "曝光": 1,
        "挽回": 1, "纳入": 0.25, "严肃": 0.5, "撤销": 1, "取消": 0.5, "调离": 1, "暂停": 0.5, "退回": 0.5,
        "调查": 1, "核实": 0.5, "反馈": 0.5, "叫停": 1, "上报": 0.5, "移交": 1, "给予": 0.5, "党纪": 1, "政纪": 1,
        "违纪": 1, "违法": 0.5, "司法": 1, "惩戒": 1, "追偿": 1, "扣发": 1, "扣减": 1, "降级": 1, "免职": 1,
        "停职": 1, "处罚": 0.5, "罚款": 1, "复查": 1, "补救": 1, "退还": 1, "改正": 1, "督办": 1, "评优": 0.5,
    },
}
_WORDS = {line: re.compile("|".join(sorted(words, key=len, reverse=True))) for line, words in LEXICON.items()}


def marked(text: str) -> str | None:
    """The line a prefix in the text names ("事前:…", "处置措施:…"), else None."""
    found = PREFIX.match(text)
    if not found:
        return None
    return PREVENT if found.group("p") else MONITOR if found.group("m") else HANDLE


_CLAUSES = re.compile(r"[,，;；。:：]")


def unmarked(text: str) -> str:
    """The measure without its line-of-defence prefix: "事前:签订承诺书" -> "签订承诺书"."""
    found = PREFIX.match(text)
    return text[found.end():] if found else text


@lru_cache(maxsize=65536)
def scores(text: str, ignore: frozenset[str] = frozenset()) -> dict[str, float]:
    """Score of each line for one measure's wording, in [0, 1]; words in `ignore` say nothing.

    Each clause speaks for the line its words weigh most for: in "经办与审核不由一人兼任"
    审核 names a role of a separation of duties, not a check.
    """
    best = dict.fromkeys(PHASES, 0.0)
    for clause in _CLAUSES.split(text):
        raw = {line: sum(LEXICON[line][w] for w in set(pattern.findall(clause)) - ignore)
               for line, pattern in _WORDS.items()}
        top = max(raw.values())
        for line, value in raw.items():
            if value == top:
                best[line] = max(best[line], min(1.0, value))
    return best


def subject_words(context: str) -> frozenset[str]:
    """Lexicon words the risk itself uses: in "案件移送不及时" 移送 is the matter, not an action on it."""
    return frozenset(w for pattern in _WORDS.values() for w in pattern.findall(context))


UNKNOWN = 0.5  # a measure with no word of any line could be of any: that much doubt for each


def confident_misses(texts: list[str], confidence: float, context: str = "") -> dict[str, float]:
    """The lines none of the measures covers, each with how sure that is (only those >= confidence).

    `context` is the risk the measures answer; its own words are not taken as signs of a line.
    A measure the words say nothing about leaves every line in doubt.
    """
    ignore = subject_words(context)
    best = {line: 0.0 for line in PHASES}
    for text in texts:
        found = scores(text, ignore)
        unknown = UNKNOWN if not any(found.values()) else 0.0
        for line, value in found.items():
            best[line] = max(best[line], value, unknown)
    return {line: round(1 - value, 2) for line, value in best.items() if 1 - value >= confidence}
