"""Splitting a 防控措施 cell into one item per measure.

Runs on the raw cell text, before normalisation (NFKC would turn ① into 1). The list is
the longest run of enumerators of ONE style counting 1, 2, 3…, each at the start of the
text or after a separator, so numbers inside a measure ("1.5万元", "2024.3.5", "第3条",
"(2024年)") never split it. Without such a run, line breaks and semicolons separate items.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from parsers.model import PHASES

_CN_NUMBERS = "一二三四五六七八九十"


def _cn(text: str) -> int:
    return _CN_NUMBERS.index(text) + 1


# (pattern, value of the number group, whether it must follow a separator) per style.
# Bracketed and circled numbers delimit themselves; "1、" or "2." inside a sentence does not.
_STYLES: tuple[tuple[re.Pattern[str], Callable[[str], int], bool], ...] = (
    (re.compile(r"(\d{1,2})\s*、"), int, True),
    (re.compile(r"(\d{1,2})\s*[.．](?!\d)"), int, True),
    (re.compile(r"[(（]\s*(\d{1,2})\s*[)）]"), int, False),
    (re.compile(r"(\d{1,2})\s*[)）]"), int, True),
    (re.compile(r"([①-⑳])"), lambda s: ord(s) - 0x2460 + 1, False),
    (re.compile(r"([⑴-⒇])"), lambda s: ord(s) - 0x2474 + 1, False),
    (re.compile(r"([⒈-⒛])"), lambda s: ord(s) - 0x2488 + 1, False),
    (re.compile(r"([一二三四五六七八九十])\s*、"), _cn, True),
    (re.compile(r"[(（]([一二三四五六七八九十])[)）]"), _cn, False),
    (re.compile(r"([一二三四五六七八九十])是"), _cn, True),
    (re.compile(r"第([一二三四五六七八九十])[,，、:：]"), _cn, True),
)
_BOUNDARY = set(" \t\r\n\u3000；;。，,:：!！?？)）")
_SEPARATORS = re.compile(r"[\n;；]+")
_TRAILING = " \t\r\n\u3000；;。.，,、"
_PHASE_WORD = re.compile("前期|事前|中期|事中|后期|事后")  # a cheap test before the full pattern
_PHASE_PREFIX = re.compile(
    r"(?:(前期|事前)(?:预防|防范|防控)?|(中期|事中)(?:监控|监督|防控)?|(后期|事后)(?:处置|处理|防控)?)(?:措施)?(?:\s*[:：]|[ \t]*\n)"
)


def _at_boundary(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] in _BOUNDARY:
        return True
    # "制度.2.加强": an ASCII full stop ends a sentence unless it sits in a number (2024.3.5).
    return text[start - 1] == "." and start >= 2 and not text[start - 2].isdigit()


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s*")
_CIRCLED = re.compile("[①-⑳⑴-⒇⒈-⒛]")
_CN_DIGIT = re.compile("[一二三四五六七八九十]")

Mark = tuple[int, int, int]  # start, end, number


def _digit_marks(text: str) -> list[list[Mark]]:
    """The enumerators of the four digit styles (1、 1. (1) 1)) from one scan of the text's
    numbers: what the first four `_STYLES` patterns find, at a fraction of the cost (a
    number of three or more digits is never an enumerator: no boundary precedes its last two)."""
    found: list[list[Mark]] = [[], [], [], []]
    for m in _DIGITS.finditer(text):
        start, end = m.span()
        if end - start > 2:
            continue
        n = int(m.group())
        after = _SPACES.match(text, end).end()
        ch = text[after:after + 1]
        boundary = _at_boundary(text, start)
        if ch == "、" and boundary:
            found[0].append((start, after + 1, n))
        elif ch in (".", "．") and boundary and not _DIGITS.match(text, after + 1):
            found[1].append((start, after + 1, n))
        elif ch in (")", "）"):
            before = len(text[:start].rstrip())
            if before and text[before - 1] in "(（":
                found[2].append((before - 1, after + 1, n))
            if boundary:
                found[3].append((start, after + 1, n))
    return found


def _marks(text: str) -> list[list[Mark]]:
    """Per enumerator style, its marks in the text (styles the text has no character for skipped)."""
    out = _digit_marks(text) if _DIGITS.search(text) else []
    present = (_CIRCLED.search(text) is not None,) * 3 + (_CN_DIGIT.search(text) is not None,) * 4
    for (pattern, value, needs_boundary), gate in zip(_STYLES[4:], present, strict=True):
        if gate:
            out.append([(m.start(), m.end(), value(m.group(1))) for m in pattern.finditer(text)
                        if not needs_boundary or _at_boundary(text, m.start())])
    return out


def _longest_run(text: str) -> list[tuple[int, int]]:
    """(start, end) of each enumerator in the longest 1, 2, 3… run of one style."""
    best: list[tuple[int, int]] = []
    for marks in _marks(text):
        for i, (start, end, number) in enumerate(marks):
            if number != 1:
                continue
            run = [(start, end)]
            for s, e, n in marks[i + 1:]:
                if n == len(run) + 1:
                    run.append((s, e))
            if len(run) > len(best):
                best = run
        if not best and marks and marks[0][0] == 0:
            best = [marks[0][:2]]  # "2、…" alone: the rest of a list begun in another cell
    return best


def _tidy(item: str) -> str:
    return item.strip().strip(_TRAILING).strip()


def items(text: str) -> list[str]:
    """The measures of one cell (or one phase section of it), without list numbers."""
    text = text.strip()
    run = _longest_run(text)
    if len(run) >= 2 or (run and run[0][0] == 0):
        bounds = [start for start, _ in run[1:]] + [len(text)]
        lead = text[:run[0][0]].strip()
        parts = [text[end:stop] for (_, end), stop in zip(run, bounds, strict=True)]
        if lead and lead[-1] not in ":：":  # "采取以下措施:" introduces the list, it is no measure
            parts.insert(0, lead)
    else:
        parts = _SEPARATORS.split(text)
    return [t for t in (_tidy(p) for p in parts) if t]


def split(text: str) -> list[tuple[str | None, str]]:
    """(phase, measure) pairs; the phase is set where the cell says "前期预防:" and the like."""
    marks = list(_PHASE_PREFIX.finditer(text)) if _PHASE_WORD.search(text) else []
    if not marks:
        return [(None, item) for item in items(text)]
    out = [(None, item) for item in items(text[:marks[0].start()])]
    for m, stop in zip(marks, [m.start() for m in marks[1:]] + [len(text)], strict=True):
        phase = PHASES[next(i for i in range(3) if m.group(i + 1))]
        out += [(phase, item) for item in items(text[m.end():stop])]
    return out
