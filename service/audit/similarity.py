"""Near-duplicate text: character-level edit similarity, found through a q-gram index.

Two risk texts are near-duplicates when `1 - edit distance / longer length` reaches the
threshold (one word swapped for a near-synonym, a word added or dropped), or when they differ
by no more than a few characters (the caller's `few`: one short word swapped or dropped). Comparing
every pair of a unit's texts is quadratic; instead each text is looked up in an inverted
index of character bigrams through its rarest grams only (the prefix filter of Ed-Join,
Xiao et al. 2008): k edits destroy at most k*q of a text's q-grams, so a text within k
edits of another shares at least one of its k*q + 1 rarest grams with it, and keeps at
least all but k*q of its grams (the count filter). Only candidates passing both, of a
compatible length, are verified with an edit distance.
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
    """Levenshtein distance of a and b, or limit + 1 when it exceeds `limit`.

    Myers' bit-parallel algorithm (Hyyrö's formulation for the global distance): one pass
    over the longer text with the shorter one's columns as bits of a Python integer.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if len(a) > len(b):
        a, b = b, a
    m = len(a)
    if m == 0:
        return min(len(b), limit + 1)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = full, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & full) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return min(score, limit + 1)


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
    lengths = [len(t) for t in texts]
    freq = Counter(g for s in grams for g in s)
    rarity = freq.__getitem__
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for i in sorted((i for i, t in enumerate(texts) if t), key=lengths.__getitem__):
        text, own, n = texts[i], grams[i], lengths[i]
        edits = allowed_edits(n, threshold, few)
        shared = len(own) - edits * Q  # k edits leave at least this many of its grams
        candidates: set[int] = set()
        for g in sorted(own, key=rarity)[: edits * Q + 1]:
            candidates.update(index[g])
        for j in candidates:
            if n - lengths[j] > edits or len(own & grams[j]) < shared:
                continue
            distance = edit_distance(text, texts[j], edits)
            if distance <= edits:
                pairs.append((min(i, j), max(i, j), round(1 - distance / n, 3)))
        for g in own:
            index[g].append(i)
    return sorted(pairs)
