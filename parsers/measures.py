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
_PHASE_PREFIX = re.compile(
    r"(?:(前期|事前)(?:预防|防范|防控)?|(中期|事中)(?:监控|监督|防控)?|(后期|事后)(?:处置|处理|防控)?)(?:措施)?(?:\s*[:：]|[ \t]*\n)"
)


def _at_boundary(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] in _BOUNDARY:
        return True
    # "制度.2.加强": an ASCII full stop ends a sentence unless it sits in a number (2024.3.5).
    return text[start - 1] == "." and start >= 2 and not text[start - 2].isdigit()


# The characters each style needs, tested once per cell: most cells use one style or none.
_GATES = (re.compile(r"\d"),) * 4 + (re.compile("[①-⑳⑴-⒇⒈-⒛]"),) * 3 + (re.compile("[一二三四五六七八九十]"),) * 4


def _longest_run(text: str) -> list[tuple[int, int]]:
    """(start, end) of each enumerator in the longest 1, 2, 3… run of one style."""
    best: list[tuple[int, int]] = []
    present = {gate: gate.search(text) is not None for gate in set(_GATES)}
    for (pattern, value, needs_boundary), gate in zip(_STYLES, _GATES, strict=True):
        if not present[gate]:
            continue
        marks = [
            (m.start(), m.end(), value(m.group(1)))
            for m in pattern.finditer(text)
            if not needs_boundary or _at_boundary(text, m.start())
        ]
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
    marks = list(_PHASE_PREFIX.finditer(text))
    if not marks:
        return [(None, item) for item in items(text)]
    out = [(None, item) for item in items(text[:marks[0].start()])]
    for m, stop in zip(marks, [m.start() for m in marks[1:]] + [len(text)], strict=True):
        phase = PHASES[next(i for i in range(3) if m.group(i + 1))]
        out += [(phase, item) for item in items(text[m.end():stop])]
    return out
