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
from tests.parsers.badfiles import drawn_pdf, grid_rules


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header announces a huge page over a few bytes of data (a pixel bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_ocr_is_available_here():
    assert available()


@pytest.mark.parametrize("side", [8_000, 60_000])
def test_huge_image_is_refused_before_decoding(side):
    with pytest.raises(ParseError) as err:
        parse_bytes(_png_claiming(side, side), "photo.png")
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


@pytest.mark.parametrize("size", [(20_000, 3), (2, 9_000)])
def test_a_strip_of_an_image_is_not_a_form(size):
    with pytest.raises(ParseError) as err:
        parse_bytes(scans.png(Image.new("RGB", size, "white")), "strip.png")
    assert err.value.code == "not_a_form"


def test_empty_image_bytes():
    with pytest.raises(ParseError) as err:
        read_image(b"")
    assert err.value.code == "empty_file"


@pytest.mark.parametrize("pack", [scans.image_pdf, scans.tiff])
def test_too_many_scanned_pages_refused_before_reading_any(pack):
    pages = [Image.new("RGB", (60, 80), "white")] * 51
    with pytest.raises(ParseError) as err:
        parse_bytes(pack(pages), "scan")
    assert err.value.code == "too_many_pages"
    assert "页数过多(51页)" in err.value.message


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


def test_cells_with_unreadable_ink_are_listed_for_review():
    grid = _ocr_grid([[("风险点", 0.99), ("风险等级", 0.99)], [("公车私用", 0.97), ("", 0.0)]], page=1)
    [_, weak] = ocr_warnings([grid])
    assert weak.location["cells"] == [{"row": 2, "col": 2, "text": "", "confidence": 0.0}]
    assert "第2行第2列「无法识别」(0.00)" in weak.message


def test_no_warnings_when_every_cell_is_sure():
    grid = _ocr_grid([[("风险点", 0.99)], [("公车私用", 0.95)]], page=1)
    assert [w.code for w in ocr_warnings([grid])] == ["ocr"]
    assert ocr_warnings([Grid.from_texts([["风险点"], ["公车私用"]])]) == []


@pytest.mark.ocr
def test_multi_page_black_and_white_tiff_cover_letter_then_form():
    letter = scans.draw_form(scans.DrawnForm(
        title="关于报送廉政风险排查表的说明",
        header=["现将我局廉政风险排查情况说明如下。", "一、排查工作于三月底全部完成。"],
        cells=[], widths=[], landscape=False,
    ))
    form = parse_bytes(scans.tiff([letter, scans.draw_form(scans.STANDARD)]), "scan.tif")

    assert [w.message for w in form.warnings if w.code == "ocr_no_table"] == [
        "第1页未发现表格(如封面、说明),已跳过该页的表格识别"
    ]
    assert len(form.entries) == 5 and {e.source.page for e in form.entries} == {2}
    assert form.form.unit == "某某县财政局"


@pytest.mark.ocr
def test_an_image_without_a_table_is_not_a_form():
    letter = scans.draw_form(scans.DrawnForm(
        title="情况说明", header=["我单位已完成廉政风险排查工作。"], cells=[], widths=[], landscape=False,
    ))
    with pytest.raises(ParseError) as err:
        parse_bytes(scans.png(letter), "letter.png")
    assert err.value.code == "not_a_form"


LETTER = {"text": [(50, 60 + 22 * i, 12, "我单位已完成本年度廉政风险点排查工作,情况说明如下。") for i in range(6)],
          "image": (40, 200, 540, 800)}  # typed text above a picture (a pasted form, a photo)


def _table_page() -> dict:
    text = [(60 + 100 * c, 108, 10, value) for c, value in enumerate(["序号", "风险点"])]
    text += [(60 + 100 * c, 138, 10, value) for c, value in enumerate(["1", "审批把关不严"])]
    return {"text": text, "rules": grid_rules(50, 100, [100, 100], [30, 30])}


def test_a_picture_beside_a_form_already_read_is_not_recognised(monkeypatch):
    """A covering letter with a letterhead photo, then the form as text: the photo is decoration."""
    from parsers import ocr as ocr_module
    from parsers.pdf import read

    monkeypatch.setattr(ocr_module, "read_pdf_pages", lambda *_: pytest.fail("OCR ran on a decorative picture"))
    document = read(drawn_pdf([LETTER, _table_page()]))
    assert not document.ocr and len(document.grids) == 1
    assert any("报送" in line or "排查工作" in line for line in document.lines)  # the letter's text is kept
    assert ("pdf_image_not_read", "第1页的图片未做文字识别(该页文字已读取,表格已在其他页读取)") in document.warnings


def test_a_form_pasted_as_a_picture_under_a_typed_header_is_recognised(monkeypatch):
    from parsers import ocr as ocr_module
    from parsers.pdf import read

    asked = []
    monkeypatch.setattr(ocr_module, "read_pdf_pages", lambda data, pages: asked.append(pages) or [])
    read(drawn_pdf([LETTER]))  # no table in the text layer anywhere: the picture may be the form
    assert asked == [[1]]


def test_a_picture_whose_text_the_text_layer_gives_is_not_recognised(monkeypatch):
    """A scan with its recognised text laid under it (or text printed over a background picture):
    the text layer already gives what is on the picture; no table anywhere changes nothing."""
    from parsers import ocr as ocr_module
    from parsers.pdf import read

    monkeypatch.setattr(ocr_module, "read_pdf_pages", lambda *_: pytest.fail("OCR ran on a picture already read"))
    overlaid = {**LETTER, "image": True}  # the picture covers the page, the text lies on it
    document = read(drawn_pdf([overlaid]))
    assert not document.ocr and document.lines[0].startswith("我单位已完成")
    assert ("pdf_image_not_read", "第1页的图片未做文字识别(图片上的文字已在文字层中读取)") in document.warnings


@pytest.mark.ocr  # no recognition, but a 12-megapixel photo is made and warped: seconds
def test_a_photographed_sheet_is_cut_out_and_seen_square_on():
    import cv2
    import numpy as np

    from parsers.ocr.prep import binarize, flatten_page
    from parsers.ocr.rules import find_lattices, rule_masks

    page = scans.draw_form(scans.STANDARD)
    shot = cv2.cvtColor(np.asarray(scans.phone_shot(page, seed=5)), cv2.COLOR_RGB2BGR)
    flat = flatten_page(shot)
    assert flat.shape == (1654, 2339, 3)  # landscape A4 at 200 dpi
    edge = np.concatenate([flat[:40].ravel(), flat[-40:].ravel(), flat[:, :40].ravel(), flat[:, -40:].ravel()])
    assert np.median(edge) > 120  # paper to the edges, no desk left (the dim side is ~160)
    # The table's rules, slanted and converging in the photo, are straight again: the page
    # reader finds the whole lattice, six rows of six columns.
    [lattice] = find_lattices(*rule_masks(binarize(flat)))
    assert (len(lattice.ys), len(lattice.xs)) == (7, 7)
    scan = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    assert flatten_page(scan) is None  # a scan is the page already


@pytest.mark.parametrize("height", [100, 512, 513, 905, 1280, 1281])
def test_detection_bands_cover_the_page_once_each_seeing_past_its_share(height):
    from parsers.ocr.engine import BAND, BAND_OVERLAP, _bands

    bands = _bands(height)
    assert bands[0][2] == 0 and bands[-1][3] == height
    assert all(above[3] == below[2] for above, below in zip(bands, bands[1:], strict=False))  # shares tile
    for top, bottom, own_top, own_bottom in bands:
        assert bottom - top <= BAND + 2 * BAND_OVERLAP
        assert own_top - top == min(own_top, BAND_OVERLAP) and bottom - own_bottom == min(height - own_bottom, BAND_OVERLAP)
