"""Dates as forms write them: 填表日期 and 完成时限 to ISO, other wording kept."""

from __future__ import annotations

import datetime as dt
import re

from parsers.text import key

_FULL_DATE = re.compile(r"(\d{4})\s*(?:年|\.|-|/)\s*(\d{1,2})\s*(?:月|\.|-|/)\s*(\d{1,2})\s*日?")
_CHINESE_NUMBER = re.compile(r"[〇零一二三四五六七八九十]+")
_DIGIT = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _arabic(m: re.Match[str]) -> str:
    text = m.group(0)
    if "十" not in text:  # a year written digit by digit: 二〇一二
        return "".join(str(_DIGIT[ch]) for ch in text)
    tens, _, units = text.partition("十")
    return str(_DIGIT.get(tens, 1) * 10 + _DIGIT.get(units, 0)) if len(text) <= 3 else text


def _digits(text: str) -> str:
    """Numbers written in Chinese (二〇一二年十二月) to arabic, for dates only."""
    return _CHINESE_NUMBER.sub(_arabic, text)


def iso_date(value: object) -> str | None:
    """ISO YYYY-MM-DD when the value is a full calendar date, else None."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = _digits(key(value))
    m = _FULL_DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def deadline(text: str) -> str | None:
    """完成时限: an ISO date when the cell holds exactly a date, else the words as written."""
    text = text.strip()
    if not text:
        return None
    iso = iso_date(text)
    if iso and _FULL_DATE.fullmatch(_digits(key(text))):
        return iso
    return text
