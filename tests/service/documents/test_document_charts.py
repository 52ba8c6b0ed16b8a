"""Charts are drawn with an installed CJK font, so Chinese labels are not boxes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from service.documents import charts


def test_a_cjk_font_is_found_and_has_chinese_glyphs() -> None:
    font = charts.cjk_font()
    assert font is not None, "install fonts-noto-cjk or fonts-wqy-zenhei"
    face = FT2Font(font_manager.findfont(font))
    assert face.get_char_index(ord("险")) != 0


def test_share_chart_is_a_png_and_empty_data_is_drawn_too() -> None:
    png = charts.share_chart("风险等级分布", ["高风险", "中风险", "低风险"], [2, 2, 1])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 300
    assert Image.open(io.BytesIO(charts.share_chart("风险类型分布", [], []))).format == "PNG"


# Run in a child with its own MPLCONFIGDIR: matplotlib's font cache there is built now, then
# stripped of every face with Chinese glyphs, as on a machine that ran matplotlib before the
# CJK fonts were installed. The chart must still find its font (matplotlib warns "Glyph … missing
# from font(s)" for every □ it draws, so warnings are errors; the same text without the font
# shows that check bites).
STALE_CACHE = """
import glob, json, os
from matplotlib import font_manager, ft2font
cache, = glob.glob(os.path.join(os.environ["MPLCONFIGDIR"], "fontlist-*.json"))
data = json.load(open(cache))
def chinese(entry):  # matplotlib's own fonts (relative paths) have no Chinese
    if not os.path.isabs(entry["fname"]):
        return False
    face = ft2font.FT2Font(entry["fname"], face_index=entry.get("face_index", 0))
    return face.get_char_index(ord("险")) != 0
data["ttflist"] = [e for e in data["ttflist"] if not chinese(e)]
json.dump(data, open(cache, "w"))
"""
DRAW = """
import json, warnings
from matplotlib import font_manager
assert not any("CJK" in f.name or "WenQuanYi" in f.name for f in font_manager.fontManager.ttflist), "cache not stale"
from service.documents import charts
with warnings.catch_warnings(record=True) as tofu:
    warnings.simplefilter("always")
    charts.cjk_font.cache_clear(); real = charts.cjk_font
    charts.cjk_font = lambda: None
    charts.share_chart("风险等级分布", ["高风险"], [1])
    charts.cjk_font = real
warnings.simplefilter("error")
png = charts.share_chart("风险等级分布", ["高风险", "中风险", "低风险"], [2, 2, 1])
path = font_manager.findfont(charts.cjk_font(), fallback_to_default=False)
print(json.dumps({"tofu_warnings": len(tofu), "file": str(path), "index": path.face_index, "png": len(png)}))
"""


def test_charts_find_the_cjk_font_though_matplotlibs_cache_predates_it(tmp_path) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    for code in ("import matplotlib.font_manager", STALE_CACHE):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    proc = subprocess.run([sys.executable, "-c", DRAW], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["tofu_warnings"] > 0 and got["png"] > 1000
    face = FT2Font(got["file"], face_index=got["index"])
    assert all(face.get_char_index(ord(ch)) for ch in "风险等级分布高中低")
