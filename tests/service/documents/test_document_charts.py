"""Charts are drawn with an installed CJK font, so Chinese labels are not boxes."""

from __future__ import annotations

import io

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
