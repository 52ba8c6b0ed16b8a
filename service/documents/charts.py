"""Share charts as PNG, drawn with a CJK font so the Chinese labels render (not as boxes).

matplotlib is imported on first use: it takes about a second, and every `lianfang` command
imports this package while only summaries draw charts.

matplotlib keeps its own list of the machine's fonts, written to a cache on first use: a
font installed after that (fonts-noto-cjk on a machine that had run matplotlib before) is
not in it, and every Chinese label would be drawn as □. So the font file is asked of
fontconfig (`fc-match`, which sees fonts as soon as they are installed) and registered with
matplotlib by its path; the families matplotlib itself knows are the fallback where there is
no fontconfig.
"""

from __future__ import annotations

import io
import itertools
import logging
import shutil
import subprocess
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC")
PROBE = "风险等级分布类型"  # a face is used only if it has a glyph for each of these
log = logging.getLogger(__name__)
COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#2980b9", "#27ae60", "#8e44ad", "#7f8c8d")


@lru_cache(maxsize=1)
def cjk_font() -> Any:
    """FontProperties of an installed face with Chinese glyphs, registered with matplotlib; None if there is none."""
    from matplotlib import font_manager, ft2font

    for path, index in itertools.chain(_fontconfig_faces(), _known_faces()):
        try:
            face = ft2font.FT2Font(path, face_index=index)
        except (OSError, RuntimeError):
            continue
        if all(face.get_char_index(ord(ch)) for ch in PROBE):
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(family=font_manager.ttfFontProperty(face).name)
    log.warning("no font with Chinese glyphs: chart labels will show as boxes (install fonts-noto-cjk: make run)")
    return None


def _fontconfig_faces() -> Iterator[tuple[str, int]]:
    """(file, face index) fontconfig picks for Chinese text, preferred families first."""
    if shutil.which("fc-match") is None:
        return
    for family in CJK_FAMILIES[:2]:  # fontconfig answers an absent family with its best Chinese face
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", f"{family}:lang=zh-cn"],
                                 capture_output=True, text=True, timeout=10, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        path, _, index = out.partition("\t")
        if path and index.isdigit():
            yield path, int(index)


def _known_faces() -> Iterator[tuple[str, int]]:
    """Faces of the usual CJK families in matplotlib's own font list (machines without fontconfig)."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        yield str(path), getattr(path, "face_index", 0)


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
