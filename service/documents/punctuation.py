"""Full-width punctuation in Chinese running text, ASCII kept inside Latin and number tokens.

Chinese text takes ，：；（）？！“” where forms and templates often have , : ; ( ) ? ! ".
A mark becomes full-width when it stands in Chinese text (a Chinese character next to it, or,
for brackets and quotes, inside the pair); it stays ASCII inside a Latin or number token
(GB/T 9704-2012, 12:30, 1,000, f(x), "OK"), and "." is never touched (1.5万元, 1.严格…).
A space that only followed a converted mark goes with it.

`marks(text)` gives, for each character of `text`, what it becomes (a character, or "" when
dropped), so a caller can rewrite text split across Word runs without moving run boundaries.
"""

from __future__ import annotations

import re

SIMPLE = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
BRACKETS = {"(": "（", ")": "）"}
QUOTES = ("“", "”")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2014\u2026“”‘’]")
_TAG = re.compile(r"\{[{%].*?[}%]\}")  # Jinja tags in template text: left alone


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK.match(ch))


def _neighbour(text: str, i: int, step: int) -> str:
    """The nearest non-space character from position i in direction step ('' at the edge)."""
    j = i + step
    while 0 <= j < len(text) and text[j] in " \t":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def _pairs(text: str, opener: str, closer: str | None) -> list[tuple[int, int]]:
    """Matching pairs of brackets (closer given) or of straight quotes (closer None)."""
    pairs, stack = [], []
    for i, ch in enumerate(text):
        if closer is None and ch == opener:
            if stack:
                pairs.append((stack.pop(), i))
            else:
                stack.append(i)
        elif ch == opener:
            stack.append(i)
        elif ch == closer and stack:
            pairs.append((stack.pop(), i))
    return pairs


def _convert_simple(text: str, out: list[str], converted: set[int]) -> None:
    """Commas, colons and the like next to Chinese text become full-width; numbers keep theirs."""
    for i, ch in enumerate(text):
        if ch not in SIMPLE:
            continue
        before, after = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if ch in ",:" and before.isdigit() and after.isdigit() and text[i + 1:i + 2].isdigit():
            continue  # 1,000 · 12:30
        if is_cjk(before) or is_cjk(after) or (after == "" and is_cjk(before)):
            out[i] = SIMPLE[ch]
            converted.add(i)


def _convert_pairs(text: str, out: list[str], converted: set[int]) -> None:
    """Brackets and quotes convert as a pair, judged by what they enclose and touch."""
    for opener, closer, wide in (("(", ")", BRACKETS), ('"', None, None)):
        for start, end in _pairs(text, opener, closer):
            if wide and text[start - 1:start].isascii() and text[start - 1:start].isalnum():
                continue  # f(x), SUM(1): a Latin token's own brackets
            inside = text[start + 1:end]
            around = (_neighbour(text, start, -1), _neighbour(text, end, 1))
            if any(is_cjk(c) for c in inside) or any(is_cjk(c) for c in around):
                if wide:
                    out[start], out[end] = wide["("], wide[")"]
                else:
                    out[start], out[end] = QUOTES
                converted.update((start, end))


def _drop_spaces(text: str, out: list[str], converted: set[int]) -> None:
    """A full-width mark carries its own spacing, so blanks beside it go."""
    for i in sorted(converted):  # "a， b" → "a，b"; "部门 (科室 )" → "部门（科室）"
        j = i + 1
        while j < len(text) and text[j] in " \t":
            out[j] = ""
            j += 1
        j = i - 1
        while j >= 0 and text[j] in " \t" and text[i] in BRACKETS.keys() | {'"'}:
            out[j] = ""
            j -= 1


def marks(text: str) -> list[str]:
    """What each character of `text` becomes (see the module docstring)."""
    out = list(text)
    if not any(ch in SIMPLE or ch in BRACKETS or ch == '"' for ch in text):
        return out
    converted: set[int] = set()
    _convert_simple(text, out, converted)
    _convert_pairs(text, out, converted)
    _drop_spaces(text, out, converted)
    return out


def fullwidth(text: str) -> str:
    """`text` with Chinese punctuation made full-width (see the module docstring)."""
    return "".join(marks(text))


def fullwidth_outside_tags(text: str) -> str:
    """For template text: normalize the words, leave {{ … }} and {% … %} tags as written."""
    parts, last = [], 0
    for m in _TAG.finditer(text):
        parts.append((text[last:m.start()], True))
        parts.append((m.group(0), False))
        last = m.end()
    parts.append((text[last:], True))
    # Judge each mark with the tags blanked to a Chinese placeholder (a tag is data, usually Chinese).
    masked = "".join(p if plain else "中" * len(p) for p, plain in parts)
    converted = marks(masked)
    result, pos = [], 0
    for p, plain in parts:
        result.append("".join(converted[pos:pos + len(p)]) if plain else p)
        pos += len(p)
    return "".join(result)
