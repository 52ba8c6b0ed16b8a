"""Scanned input that must be refused with a clear message, and the confidence warnings.

All fast: refusals happen before any recognition runs; the warnings are computed
from grids built here.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image

from parsers import parse_bytes
from parsers.errors import ParseError
from parsers.grid import Cell, Grid
from parsers.ocr import available, ocr_warnings, read_image, read_pdf
from tests.parsers import scans


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header announces a huge page over a few bytes of data (a pixel bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_ocr_is_available_here():
    assert available()


def test_huge_image_is_refused_before_decoding():
    with pytest.raises(ParseError) as err:
        parse_bytes(_png_claiming(60_000, 60_000), "photo.png")
    assert err.value.code == "image_too_large"
    assert "图片尺寸过大" in err.value.message


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50,
    scans.jpeg(Image.new("RGB", (400, 300), "white"))[:200],
])
def test_corrupt_image_gives_a_chinese_message(data):
    with pytest.raises(ParseError) as err:
        parse_bytes(data, "photo.jpg")
    assert err.value.code == "corrupt_file"
    assert "图片已损坏" in err.value.message


def test_empty_image_bytes():
    with pytest.raises(ParseError) as err:
        read_image(b"")
    assert err.value.code == "empty_file"


def test_too_many_scanned_pages_refused_before_reading_any():
    pages = [Image.new("RGB", (60, 80), "white")] * 51
    with pytest.raises(ParseError) as err:
        read_pdf(scans.image_pdf(pages))
    assert err.value.code == "too_many_pages"
    assert "51页" in err.value.message


def test_time_limit_stops_between_pages():
    data = scans.image_pdf([Image.new("RGB", (600, 800), "white")] * 3)
    with pytest.raises(ParseError) as err:
        read_pdf(data, time_limit=0)
    assert err.value.code == "timeout"


def test_corrupt_pdf_handed_to_ocr():
    with pytest.raises(ParseError) as err:
        read_pdf(b"%PDF-1.4 not really a pdf")
    assert err.value.code == "corrupt_file"


def _ocr_grid(texts: list[list[tuple[str, float]]], page: int) -> Grid:
    rows = [[Cell(t, r, c, page=page, confidence=conf) for c, (t, conf) in enumerate(row)]
            for r, row in enumerate(texts)]
    return Grid(rows=rows, row_pages=[page] * len(rows), ocr=True)


def test_warnings_list_low_confidence_cells_for_review():
    grid = _ocr_grid([
        [("风险点", 0.99), ("风险等级", 0.98)],
        [("公车私用", 0.97), ("高", 0.55)],
        [("泄露信息", 0.62), ("中", 0.99)],
    ], page=2)
    text_grid = Grid.from_texts([["风险点", "风险等级"], ["公车私用", "高"]])

    warnings = ocr_warnings([text_grid, grid])

    assert [w.code for w in warnings] == ["ocr", "ocr_low_confidence"]
    summary, weak = warnings
    assert summary.message.startswith("第2页表格为扫描件")
    assert summary.location == {"page": 2, "confidence": 0.85}
    assert weak.location["cells"] == [
        {"row": 2, "col": 2, "text": "高", "confidence": 0.55},
        {"row": 3, "col": 1, "text": "泄露信息", "confidence": 0.62},
    ]
    assert "第2行第2列「高」(0.55)" in weak.message


def test_no_warnings_when_every_cell_is_sure():
    grid = _ocr_grid([[("风险点", 0.99)], [("公车私用", 0.95)]], page=1)
    assert [w.code for w in ocr_warnings([grid])] == ["ocr"]
    assert ocr_warnings([Grid.from_texts([["风险点"], ["公车私用"]])]) == []


@pytest.mark.ocr
def test_a_page_without_a_table_gives_its_text_and_a_note():
    letter = scans.draw_form(scans.DrawnForm(
        title="关于报送廉政风险排查表的说明",
        header=["现将我局廉政风险排查情况说明如下。", "一、排查工作于三月底全部完成。"],
        cells=[], widths=[], landscape=False,
    ))
    doc = read_image(scans.png(scans.blur(letter, 0.8)))

    assert doc.grids == []
    assert doc.lines[0] == "关于报送廉政风险排查表的说明"
    assert "一、排查工作于三月底全部完成。" in doc.lines
    assert doc.warnings == [("ocr_no_table", "图片中未发现表格,仅识别出文字")]
    with pytest.raises(ParseError) as err:
        parse_bytes(scans.png(letter), "letter.png")
    assert err.value.code == "not_a_form"
