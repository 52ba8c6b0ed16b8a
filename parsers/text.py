"""Text normalisation as the parse-output contract defines it, and matching keys.

Two different jobs, kept apart on purpose: `clean` produces what the user sees
(Chinese punctuation kept, simplified only when the document is traditional), `key`
produces what code compares (NFKC, always simplified, no white space). Callers split
measures *before* cleaning: NFKC would turn ① into 1 and destroy the enumerators.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_WHITESPACE = re.compile(r"\s+")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space become half-width;
# Kangxi radicals (U+2F00..U+2FD5, left by some PDF exporters) become the ideographs.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH.update({cp: ord(unicodedata.normalize("NFKC", chr(cp))) for cp in range(0x2F00, 0x2FD6)})
_INVISIBLE = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFE0E, 0xFE0F))  # zero-width, variation selectors
_WIDTH.update(_INVISIBLE)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    """One converter per process: building it reads OpenCC's dictionaries."""
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


def is_traditional(text: str) -> bool:
    """Whether a document is written in traditional characters.

    Simplified text is left almost untouched by t2s; traditional text changes in a
    large share of its characters, so a small ratio separates the two.
    """
    sample = _NOT_HAN.sub("", text)[:1500]  # one string, not a list of characters
    if not sample:
        return False
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample), strict=False))
    return changed >= 2 and changed / len(sample) > 0.04


def clean(text: str | None, traditional: bool = False) -> str:
    """The contract's normal form: half-width ASCII, one space per white-space run, trimmed."""
    if not text:
        return ""
    if traditional:
        text = to_simplified(text)
    return _WHITESPACE.sub(" ", text.translate(_WIDTH)).strip()


@lru_cache(maxsize=16384)
def _key(text: str) -> str:
    return to_simplified(_WHITESPACE.sub("", unicodedata.normalize("NFKC", text).translate(_INVISIBLE))).lower()


def key(text: str | None) -> str:
    """A matching key: NFKC, simplified, without white space ("風 險 點" -> "风险点")."""
    return _key(text) if text else ""
