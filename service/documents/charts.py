"""Share charts as PNG, drawn with a CJK font so the Chinese labels render (not as boxes).

matplotlib is imported on first use: it takes about a second, and every `lianfang` command
imports this package while only summaries draw charts.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")
COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#2980b9", "#27ae60", "#8e44ad", "#7f8c8d")


@lru_cache(maxsize=1)
def cjk_font() -> Any:
    """FontProperties of the first installed CJK family (fonts-noto-cjk, fonts-wqy-zenhei), or None."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return font_manager.FontProperties(fname=path)
    return None


def share_chart(title: str, labels: list[str], counts: list[int]) -> bytes:
    """A pie chart of `counts` with percentage labels; empty data gives a chart saying so."""
    from matplotlib.figure import Figure  # Figure alone needs no GUI backend

    font = cjk_font()
    fig = Figure(figsize=(6.0, 3.6), dpi=110)
    ax = fig.subplots()
    pairs = [(label, count) for label, count in zip(labels, counts, strict=True) if count]
    if pairs:
        wedges, texts, autotexts = ax.pie(
            [c for _, c in pairs],
            labels=[f"{label}({count})" for label, count in pairs],
            colors=COLOURS[: len(pairs)],
            autopct="%1.1f%%",
            startangle=90,
            counterclock=False,
        )
        for text in (*texts, *autotexts):
            text.set_fontproperties(font)
        ax.axis("equal")
    else:
        ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontproperties=font)
        ax.axis("off")
    ax.set_title(title, fontproperties=font)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
