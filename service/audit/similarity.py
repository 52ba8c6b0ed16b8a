"""Near-duplicate text: character-level edit similarity, found through a q-gram index.

Two risk texts are near-duplicates when `1 - edit distance / longer length` reaches the
threshold (one word swapped for a near-synonym, a word added or dropped), or when they differ
by no more than a few characters (a short text with a two-character word dropped). Comparing
every pair of a unit's texts is quadratic; instead each text is looked up in an inverted
index of character bigrams through its rarest grams only (the prefix filter of Ed-Join,
Xiao et al. 2008): k edits destroy at most k*q of a text's q-grams, so a text within k
edits of another shares at least one of its k*q + 1 rarest grams with it. Only those
candidates, of a compatible length, are verified with a banded edit distance.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

_NOISE = re.compile(r"[\s,，;；。.、:：!！?？()（）\"“”'‘’《》\-—…·]+")
Q = 2


def normalize(text: str | None) -> str:
    return _NOISE.sub("", text or "").lower()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it is sure to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if len(a) > len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        lo, hi = max(1, i - limit), min(len(b), i + limit)
        if lo > 1:
            current[lo - 1] = limit + 1
        for j in range(lo, hi + 1):
            cost = 0 if ca == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if hi < len(b):
            current[hi + 1 :] = [limit + 1] * (len(b) - hi)
        if min(current[lo - 1 : hi + 1]) > limit:
            return limit + 1
        previous = current
    return min(previous[len(b)], limit + 1)


def similarity(a: str, b: str, threshold: float = 0.0) -> float:
    """1 - edit distance / longer length of two normalized texts (0 below `threshold`)."""
    longest = max(len(a), len(b))
    if not longest:
        return 0.0
    limit = math.floor((1 - threshold) * longest + 1e-9)
    distance = edit_distance(a, b, limit)
    return 0.0 if distance > limit else 1 - distance / longest


def _grams(text: str) -> set[str]:
    return {text[i : i + Q] for i in range(len(text) - Q + 1)} or {text}


def allowed_edits(length: int, threshold: float, few: int = 0) -> int:
    """Edits two texts of which the longer has `length` characters may differ by: the threshold's
    share, and never fewer than `few` (a two-character word dropped from a short text)."""
    return max(few, math.floor((1 - threshold) * length + 1e-9))


def similar_pairs(texts: list[str], threshold: float, few: int = 0) -> list[tuple[int, int, float]]:
    """All (i, j, similarity) with i < j whose edit distance is within `allowed_edits`.

    `texts` are normalized; empty ones never pair.
    """
    grams = [_grams(t) if t else set() for t in texts]
    freq = Counter(g for s in grams for g in s)
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for i in sorted((i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i])):
        text = texts[i]
        edits = allowed_edits(len(text), threshold, few)
        prefix = sorted(grams[i], key=lambda g: (freq[g], g))[: edits * Q + 1]
        candidates = {j for g in prefix for j in index[g] if len(text) - len(texts[j]) <= edits}
        for j in candidates:
            distance = edit_distance(text, texts[j], edits)
            if distance <= edits:
                pairs.append((min(i, j), max(i, j), round(1 - distance / len(text), 3)))
        for g in grams[i]:
            index[g].append(i)
    return sorted(pairs)
