"""Risk levels in every notation, and the direction of ordinal scales.

一级/二级/三级 (and Ⅰ/Ⅱ/Ⅲ, 1/2/3) run either way: most bodies make 一级 the highest,
some (酒泉) 三级. The form's own legend decides; else the campaign's level standard;
else 一级 = high, reported as assumed so a reviewer checks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from parsers.text import key

_LEVELS = ("high", "medium", "low")
_WORDS = {
    "高": "high", "较高": "high", "重大": "high", "重": "high", "严重": "high",
    "中": "medium", "一般": "medium", "中等": "medium", "较大": "medium", "较重": "medium",
    "低": "low", "较低": "low", "轻": "low", "轻微": "low", "较轻": "low",
}
_RANKS = {"一": 1, "1": 1, "i": 1, "二": 2, "2": 2, "ii": 2, "三": 3, "3": 3, "iii": 3}
_ORDINAL = re.compile(r"^(一|二|三|1|2|3|i{1,3})级?(风险)?$")
_ABC = re.compile(r"^([abc])级?(风险)?$")
_COLOURS = {"红": "high", "橙": "medium", "黄": "low", "蓝": "low"}
_COLOUR = re.compile(r"^(红|橙|黄|蓝)色?(预警|风险|等级)?$")
_STARS = re.compile(r"^[★☆]{1,3}$")
_WORD_SUFFIX = re.compile(r"(风险|等级|级别|级|度)$")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")  # "高(3分)": the level is outside

_RANK = r"(一|二|三|1|2|3|i{1,3})级"
_LEGEND_EXTREME = re.compile(_RANK + r"[^,;。、]{0,8}?最(高|大|重|严重|低|小|轻)")
_LEGEND_ORDER = re.compile(r"由(高|低)到(?:高|低)[^。;]*?" + _RANK)
# "危害程度轻微的定为一级": a clause describing what a rank means.
_LEGEND_CLAUSE = re.compile(r"([^。;]*?)(?:定为|确定为|列为|评为|划为)" + _RANK)
_HIGH_WORDS = ("高", "严重", "重大", "较大")
_LOW_WORDS = ("低", "轻微", "较小", "一般")


@dataclass(frozen=True, slots=True)
class Reading:
    level: str | None
    scheme: str | None  # 'gao-zhong-di', 'yiji-highest', 'sanji-highest', 'abc', 'hong-cheng-huang', 'stars'
    assumed: bool = False  # ordinal scale read without a legend or a level standard


def legend_highest_rank(lines: Iterable[str]) -> int | None:
    """The rank (1 or 3) a legend note names as highest, e.g. 注:…三级为最高 -> 3."""
    for line in lines:
        k = key(line)
        if "级" not in k:
            continue
        m = _LEGEND_ORDER.search(k)
        if m:
            first = _RANKS[m.group(2)]
            return first if m.group(1) == "高" else 4 - first
        m = _LEGEND_EXTREME.search(k)
        if m:
            rank = _RANKS[m.group(1)]
            return rank if m.group(2) in ("高", "大", "重", "严重") else 4 - rank
        for m in _LEGEND_CLAUSE.finditer(k):
            rank = _RANKS[m.group(2)]
            high = any(w in m.group(1) for w in _HIGH_WORDS)
            low = any(w in m.group(1) for w in _LOW_WORDS)
            if rank != 2 and high != low:
                return rank if high else 4 - rank
    return None


def _ordinal_rank(k: str) -> int | None:
    m = _ORDINAL.match(k)
    return _RANKS[m.group(1)] if m else None


class LevelReader:
    """Reads the level labels of one form, with that form's direction for ordinal scales."""

    def __init__(self, legend_rank: int | None = None, standard: dict | None = None) -> None:
        self._explicit: dict[str, str] = {}
        highest = legend_rank
        if standard:
            for level in _LEVELS:
                labels = standard.get(level) or ()
                for label in [labels] if isinstance(labels, str) else labels:  # "一级" or ["一级", "I级"]
                    self._explicit[key(str(label))] = level
            if highest is None and standard.get("highest"):
                highest = _ordinal_rank(key(str(standard["highest"])))
            if highest is None:
                highest = self._rank_from_lists()
        self._highest = highest

    def _rank_from_lists(self) -> int | None:
        """A standard that lists 三级 under high (or 一级 under low) fixes the direction too."""
        for k, level in self._explicit.items():
            rank = _ordinal_rank(k)
            if rank in (1, 3) and level != "medium":
                return rank if level == "high" else 4 - rank
        return None

    def read(self, label: str | None) -> Reading:
        k = key(label)
        if not k:
            return Reading(None, None)
        reading = self._read_key(k)
        bare = _BRACKETS.sub("", k)
        return self._read_key(bare) if reading.level is None and bare and bare != k else reading

    def _read_key(self, k: str) -> Reading:
        rank = _ordinal_rank(k)
        if rank is not None:
            return self._ordinal(rank)
        if k in self._explicit:
            return Reading(self._explicit[k], None)
        if _STARS.match(k):
            return Reading(_LEVELS[3 - k.count("★")] if "★" in k else None, "stars")
        m = _ABC.match(k)
        if m:
            return Reading(_LEVELS["abc".index(m.group(1))], "abc")
        m = _COLOUR.match(k)
        if m:
            return Reading(_COLOURS[m.group(1)], "hong-cheng-huang")
        word = _WORDS.get(k) or _WORDS.get(_WORD_SUFFIX.sub("", k))
        if word:
            return Reading(word, "gao-zhong-di")
        return Reading(None, None)

    def _ordinal(self, rank: int) -> Reading:
        if self._highest == 3:
            return Reading(_LEVELS[3 - rank], "sanji-highest")
        return Reading(_LEVELS[rank - 1], "yiji-highest", assumed=self._highest is None)
