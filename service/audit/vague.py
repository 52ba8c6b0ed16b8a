"""How vague a measure is: a score in [0, 1], high for stock phrases with nothing concrete.

The office's complaint (DOMAIN.md, seed 004) is measures like 加强学习 / 提高认识 /
严格执行有关规定 "on their own": no concrete action, no owner, no date. A measure starts
with a base score, gains for stock phrasing and for having almost nothing left once the
stock words are removed, and loses for every concrete sign (a number or frequency,
a named rule, a date, an owner, a checkable action). Tuned on the examples in
tests/service/audit/test_vague.py.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOCK_PHRASES = (
    "加强学习", "提高认识", "严格执行有关规定", "严格执行相关规定", "严格执行规定", "加强教育",
    "加强管理", "加强监督", "加强监管", "提高警惕", "增强意识", "提高意识", "严格要求", "认真落实",
    "高度重视", "廉洁自律", "按规定办理", "依法办事", "严格把关", "规范管理", "完善制度", "健全制度",
)
STOCK_OPENINGS = ("加强", "提高", "增强", "强化", "严格", "认真", "切实", "进一步", "不断", "努力", "自觉")
FILLER_WORDS = (
    "进一步", "加强", "提高", "严格", "认真", "切实", "有关", "相关", "规定", "执行", "学习", "认识", "意识",
    "教育", "管理", "监督", "落实", "遵守", "自觉", "不断", "努力", "做到", "坚持", "工作", "增强", "强化",
    "重视", "思想", "廉洁", "廉政", "自律", "各项", "制度", "纪律", "规范", "完善", "健全", "业务", "素质",
    "水平", "能力", "观念", "要求", "防止", "杜绝", "注意", "的", "和", "与", "及", "并", "等", "好",
)
CONCRETE = re.compile(
    r"\d|[一二三四五六七八九十两半]+(?:次|年|个|名|人|日|天|月|季度|周|项)|每(?:日|天|周|月|季|季度|半年|年)"
    r"|定期|月底|年底|季末|年末|《|专人|责任人|由.{1,10}?(?:负责|审核|审查|复核|核对|保管|办理)"
    r"|公示|公开|登记|核对|复核|比对|盘点|审查|抽查|回访|轮岗|交流|备案|签字|集体|清退|上交|上缴|随机"
    r"|限时|追回|存入|台账|回避|双人|报批|审批|招标|询价|比价|系统|清单|目录|记录|清理|通报|问责|追究"
    r"|督查|检查|谈话|函询|移送|核查|预算|银行|会议|考核|审核|核定|凭证|准则|条例"
)
PUNCTUATION = re.compile(r"[\s,，;；。.、:：!！?？()（）\"“”'‘’]+")
_STOCK_WORDS = re.compile("|".join(sorted(map(re.escape, {*STOCK_PHRASES, *FILLER_WORDS}), key=len, reverse=True)))


def score(text: str, *, owner: str | None = None, deadline: str | None = None) -> float:
    """0 (concrete) .. 1 (nothing but stock phrases)."""
    return _score(text, bool(owner) + bool(deadline))


@lru_cache(maxsize=65536)
def _score(text: str, extra_signs: int) -> float:
    """Cached: the same stock measures recur across a campaign's forms."""
    norm = PUNCTUATION.sub("", text)
    if not norm:
        return 1.0
    value = 0.2
    if any(p in norm for p in STOCK_PHRASES) or norm.startswith(STOCK_OPENINGS):
        value += 0.4
    residual = _STOCK_WORDS.sub("", norm)
    if len(residual) <= 2:
        value += 0.3
    elif len(residual) <= 5:
        value += 0.15
    value -= 0.25 * (len(CONCRETE.findall(norm)) + extra_signs)
    return round(min(1.0, max(0.0, value)), 2)
