"""The PDF reader: tables as Word/WPS/LibreOffice export them, and pages that need OCR."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from parsers import grid as grid_module
from parsers import limits, parse_bytes
from parsers import ocr as ocr_module
from parsers.errors import ParseError
from parsers.grid import Grid
from parsers.pdf import read
from tests.parsers.badfiles import (
    HEADER,
    converted,
    drawn_pdf,
    encrypted_pdf,
    form_docx,
    form_rows,
    grid_rules,
)
from tests.paths import SAMPLES


def texts(grid) -> list[list[str]]:
    return [[cell.text for cell in row] for row in grid.rows]


def two_by_two(header: list[str], row: list[str], *, top: float = 100, x_shift: float = 0) -> dict:
    """A drawn page with one ruled 2-column table and its cell texts."""
    text = [(60 + x_shift + 100 * c, top + 8, 10, value) for c, value in enumerate(header)]
    text += [(60 + x_shift + 100 * c, top + 38, 10, value) for c, value in enumerate(row)]
    return {"text": text, "rules": grid_rules(50 + x_shift, top, [100, 100], [30, 30])}


def test_sample_text_pdf_reads_table_and_header_lines() -> None:
    document = read((SAMPLES / "p05_text_pdf.pdf").read_bytes())
    expected = json.loads((SAMPLES / "p05_text_pdf.expected.json").read_text())
    assert document.format == "pdf"
    [grid] = document.grids
    assert grid.table == 0
    assert grid.row_numbers == [None] * grid.n_rows and grid.row_pages == [1] * grid.n_rows
    assert texts(grid)[0] == ["序号", "岗位", "职权事项", "廉政风险点", "风险等级", "防控措施", "责任人"]
    assert [row[3] for row in texts(grid)[1:]] == [entry["risk"] for entry in expected["entries"]]
    assert grid.before == [
        "科室廉政风险防控排查表",
        "填报单位:蚌埠市交通运输局 科室:办公室 填表日期:2012年6月15日",
    ]
    assert grid.rows[1][0].page == 1 and grid.rows[1][0].bbox is not None


@pytest.mark.libreoffice
def test_long_table_over_pages_with_repeated_header_is_one_table() -> None:
    rows = form_rows(20, measure_chars=60)
    pdf = converted(form_docx(rows, repeat_header=True), "docx", "pdf")
    document = read(pdf)
    [grid] = document.grids
    assert texts(grid) == [HEADER, *rows]
    assert grid.row_pages == sorted(grid.row_pages) and grid.row_pages[-1] > 2
    form = parse_bytes(pdf, "长表.pdf")
    assert [entry.risk for entry in form.entries] == [row[2] for row in rows]
    assert [entry.source.page for entry in form.entries] == grid.row_pages[1:]
    assert {entry.source.table for entry in form.entries} == {0}


@pytest.mark.libreoffice
def test_rows_broken_across_pages_are_joined() -> None:
    rows = form_rows(5, measure_chars=400)  # each measure cell runs over a page break
    document = read(converted(form_docx(rows, repeat_header=False), "docx", "pdf"))
    [grid] = document.grids
    assert texts(grid) == [HEADER, *rows]
    assert len(set(grid.row_pages)) > 3


@pytest.mark.libreoffice
def test_three_line_table_without_vertical_rules() -> None:
    rows = form_rows(8)
    document = read(converted(form_docx(rows, three_line=True), "docx", "pdf"))
    [grid] = document.grids
    assert texts(grid) == [HEADER, *rows]
    assert document.lines[-1] == "填表人:张三 审核人:李四"
    # rows cut where the text sits: right here, but the reviewer is told to look
    assert document.warnings == [("pdf_rows_inferred", "第1页的表格没有行间框线,各行按文字位置划分,"
                                                       "请核对有无两个风险点被合为一条或一个被拆成两条")]


@pytest.mark.libreoffice
def test_a_ruled_table_says_nothing_of_its_rows() -> None:
    document = read(converted(form_docx(form_rows(8)), "docx", "pdf"))
    assert [grid.rows[0][0].text for grid in document.grids] == [HEADER[0]]
    assert document.warnings == []


@pytest.mark.libreoffice
def test_three_line_table_with_a_merged_first_column_and_measures_one_per_line() -> None:
    header = ["岗位", "廉政风险点", "风险等级", "防控措施"]
    long_risk = "在行政审批过程中对申报材料审核把关不严,违规为不符合条件的对象办理审批手续"
    rows = [
        ["办公室主任", long_risk, "高", "1、严格审批\n2、定期公开"],
        ["", "公务接待超标准", "中", "执行接待清单制度"],
        ["文书", "收发文不及时", "低", "1、登记\n2、催办\n3、归档"],
    ]
    [grid] = read(converted(form_docx(rows, header=header, three_line=True), "docx", "pdf")).grids
    assert texts(grid) == [header, *rows]


@pytest.mark.libreoffice
def test_table_without_left_and_right_borders_keeps_its_outer_columns() -> None:
    rows = form_rows(3)
    [grid] = read(converted(form_docx(rows, open_sides=True), "docx", "pdf")).grids
    assert texts(grid) == [HEADER, *rows]


@pytest.mark.libreoffice
def test_vertical_merge_is_one_cell_at_every_position() -> None:
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate(
        [["岗位", "风险点", "等级"], ["科长", "甲风险", "高"], ["", "乙风险", "中"], ["科员", "丙风险", "低"]]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))
    out = io.BytesIO()
    document.save(out)
    [grid] = read(converted(out.getvalue(), "docx", "pdf")).grids
    merged = grid.rows[1][0]
    assert merged is grid.rows[2][0]
    assert (merged.text, merged.row, merged.rowspan) == ("科长", 1, 2)
    assert texts(grid)[3] == ["科员", "丙风险", "低"]


def test_fake_bold_kangxi_radicals_and_compatibility_ideographs() -> None:
    page = two_by_two(["⼀⽅⾏", "岗位"], ["1", "科员"])
    page["text"] += [(x + 0.3, y, size, text) for x, y, size, text in page["text"]]  # every glyph twice
    page["text"].append((50, 40, 14, "⻓⻔⼯作\uf90a"))
    document = read(drawn_pdf([page]))
    assert texts(document.grids[0]) == [["一方行", "岗位"], ["1", "科员"]]
    assert document.lines == ["长门工作金"]


def test_table_continued_on_next_page_drops_repeated_header_and_page_numbers() -> None:
    first = two_by_two(["序号", "风险点"], ["1", "甲风险"], top=700)
    first["text"].append((290, 800, 9, "- 1 -"))
    second = two_by_two(["序号", "风险点"], ["2", "乙风险"], top=60)
    document = read(drawn_pdf([first, second]))
    [grid] = document.grids
    assert texts(grid) == [["序号", "风险点"], ["1", "甲风险"], ["2", "乙风险"]]
    assert grid.row_pages == [1, 1, 2]
    assert document.lines == []


def three_columns(rows: list[list[str]], top: float) -> dict:
    text = [
        (60 + 100 * c, top + 8 + 30 * r, 10, value)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
    ]
    return {"text": text, "rules": grid_rules(50, top, [100, 100, 100], [30] * len(rows))}


def test_fragment_of_a_row_cut_by_the_page_break_is_joined() -> None:
    first = three_columns([["岗位", "风险点", "等级"], ["科长", "审批把关", "高"]], top=700)
    second = three_columns([["", "不严", ""], ["科员", "执法不公", "中"]], top=60)
    [grid] = read(drawn_pdf([first, second])).grids
    assert texts(grid) == [
        ["岗位", "风险点", "等级"],
        ["科长", "审批把关不严", "高"],
        ["科员", "执法不公", "中"],
    ]
    assert grid.row_pages == [1, 1, 2]


def test_new_row_under_a_merge_continued_from_the_page_before_is_kept() -> None:
    first = three_columns([["岗位", "风险点", "等级"], ["科长", "审批把关不严", "高"]], top=700)
    second = three_columns([["", "执法不公", "中"]], top=60)
    [grid] = read(drawn_pdf([first, second])).grids
    assert texts(grid)[1:] == [["科长", "审批把关不严", "高"], ["", "执法不公", "中"]]


def test_next_page_holding_only_the_repeated_header_adds_no_row() -> None:
    first = two_by_two(["序号", "风险点"], ["1", "甲风险"], top=700)
    second = {
        "text": [(60, 68, 10, "序号"), (160, 68, 10, "风险点")],
        "rules": grid_rules(50, 60, [100, 100], [30]),
    }
    [grid] = read(drawn_pdf([first, second])).grids
    assert texts(grid) == [["序号", "风险点"], ["1", "甲风险"]]


def test_text_between_tables_separates_them() -> None:
    page = two_by_two(["序号", "风险点"], ["1", "甲风险"], top=100)
    other = two_by_two(["序号", "风险点"], ["2", "乙风险"], top=300)
    page["text"] += [*other["text"], (50, 250, 12, "二、财务科")]
    page["rules"] += other["rules"]
    document = read(drawn_pdf([page]))
    assert [grid.table for grid in document.grids] == [0, 1]
    assert document.grids[0].after == ["二、财务科"] == document.grids[1].before
    assert texts(document.grids[1])[1] == ["2", "乙风险"]


def test_undecodable_glyphs_without_ocr_are_a_scanned_pdf(monkeypatch) -> None:
    monkeypatch.setattr(ocr_module, "available", lambda: False)
    garbage = drawn_pdf([two_by_two(["序号", "风险点"], ["1", "甲风险"])], to_unicode=False)
    with pytest.raises(ParseError) as caught:
        read(garbage)
    assert caught.value.code == "scanned_pdf"
    with pytest.raises(ParseError) as caught:
        read(drawn_pdf([{"image": True}, {"image": True}]))
    assert caught.value.code == "scanned_pdf"
    assert "扫描件" in caught.value.message


def test_mixed_pdf_without_ocr_reads_text_pages_and_warns(monkeypatch) -> None:
    monkeypatch.setattr(ocr_module, "available", lambda: False)
    document = read(drawn_pdf([two_by_two(["序号", "风险点"], ["1", "甲风险"]), {"image": True}]))
    assert texts(document.grids[0])[1] == ["1", "甲风险"]
    assert document.warnings == [("pages_need_ocr", "第2页为扫描图像,未能识别其中内容")]
    assert document.format == "pdf"


def test_pages_without_text_are_handed_to_ocr(monkeypatch) -> None:
    asked = []

    def read_pdf_pages(data: bytes, pages: list[int]) -> list:
        asked.append(pages)
        return [Grid.from_texts([["序号", "风险点"], ["2", "乙"]], row_pages=[page, page]) for page in pages]

    monkeypatch.setattr(ocr_module, "available", lambda: True)
    monkeypatch.setattr(ocr_module, "read_pdf_pages", read_pdf_pages)
    document = read(
        drawn_pdf([{"image": True}, two_by_two(["序号", "风险点"], ["1", "甲"]), {"image": True}])
    )
    assert asked == [[1, 3]]
    assert document.ocr and document.format == "pdf"
    assert [(grid.row_pages[0], grid.ocr) for grid in document.grids] == [(1, True), (2, False), (3, True)]
    scanned = read(drawn_pdf([{"image": True}]))
    assert scanned.format == "pdf-scanned"


def test_page_cap(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 2)
    page = two_by_two(["序号", "风险点"], ["1", "甲风险"])
    with pytest.raises(ParseError) as caught:
        read(drawn_pdf([page, page, page]))
    assert caught.value.code == "too_many_pages"


def test_encrypted_and_broken_pdfs() -> None:
    sample = (SAMPLES / "p05_text_pdf.pdf").read_bytes()
    for data, code in [(encrypted_pdf(sample), "encrypted"), (sample[:2000], "corrupt_file")]:
        with pytest.raises(ParseError) as caught:
            read(data)
        assert caught.value.code == code


def test_rules_around_prose_are_not_a_table() -> None:
    """An official notice: a rule under the title, prose, and the 版记 rules around 抄送."""
    prose = "各科室:根据上级要求,现就开展廉政风险点排查工作通知如下"
    text = [(50, 60, 16, "关于开展廉政风险防控工作的通知")]
    text += [(50, 120 + 20 * i, 12, prose) for i in range(8)] + [(50, 500, 12, "抄送:县纪委")]
    rules = [(50, 100, 545, 100), (50, 490, 545, 490), (50, 520, 545, 520)]
    document = read(drawn_pdf([{"text": text, "rules": rules}]))
    assert document.grids == []
    assert document.lines[-1] == "抄送:县纪委" and len(document.lines) == 10


def test_table_cell_cap_applies_to_pdf_tables(monkeypatch) -> None:
    monkeypatch.setattr(grid_module, "MAX_CELLS", 20)
    with pytest.raises(ParseError) as caught:
        read((SAMPLES / "p05_text_pdf.pdf").read_bytes())
    assert caught.value.code == "too_large"


def test_ticks_typed_in_symbol_fonts_read_as_ticks() -> None:
    page = three_columns(
        [["风险点", "高", "低"], ["审批", "", ""], ["执法", "", ""], ["采购", "", ""]], top=100
    )
    page["symbols"] = [
        (160, 138, 10, "ü", "Wingdings-Regular"),
        (260, 168, 10, "P", "Wingdings2"),
        (160, 198, 10, "\uf0fc", "ABCDEF+Wingdings"),
    ]
    [grid] = read(drawn_pdf([page])).grids
    assert texts(grid)[1:] == [["审批", "√", ""], ["执法", "", "√"], ["采购", "√", ""]]


def test_pdfminer_warnings_stay_off_stderr() -> None:
    """A broken font size is the file's problem; `lianfang parse` must still print one line."""
    page = {"text": [(50, 50, 10, "科室廉政风险防控排查表")]}
    broken = drawn_pdf([page]).replace(b"/F0 10.0 Tf", b"/F0 /bad Tf")
    script = "import sys; from parsers.pdf import read; print(read(sys.stdin.buffer.read()).lines)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=broken,
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.decode().strip() == "['科室廉政风险防控排查表']"
    assert done.stderr == b""


def test_closing_open_sides_stays_within_the_table() -> None:
    """A rule under the title spans the page like the table's rules; the header line between stays text."""
    rules = (
        [(50, 40, 545, 40)]
        + [(50, y, 545, y) for y in (100, 130, 160)]
        + [(x, 100, x, 160) for x in (150, 300, 450)]
    )
    cells = [["序号", "岗位", "风险点", "等级"], ["1", "科员", "审批", "高"]]
    text = [(60, 20, 12, "科室廉政风险防控排查表"), (60, 70, 10, "填报单位:某某局")]
    text += [(x, 108 + 30 * r, 10, cells[r][c]) for r in range(2) for c, x in enumerate((60, 160, 310, 460))]
    document = read(drawn_pdf([{"text": text, "rules": rules}]))
    assert document.lines == ["科室廉政风险防控排查表", "填报单位:某某局"]
    assert [texts(grid) for grid in document.grids] == [cells]


def test_page_rules_around_a_three_line_table_are_not_its_rows() -> None:
    """Full-width rules under the title and above the notes, as wide as the table's own three."""
    rules = [(50, y, 545, y) for y in (40, 100, 130, 220, 260)]
    cells = [["序号", "岗位", "风险点", "等级"], ["1", "科员", "审批", "高"], ["2", "科长", "执法", "中"]]
    header_line = "填报单位:某某局 科室:办公室 填表日期:2024年3月5日"
    note = "注:风险等级分为高、中、低三级,高为最高等级"
    text = [(60, 20, 12, "科室廉政风险防控排查表"), (60, 70, 10, header_line), (60, 235, 10, note)]
    text += [
        (x, 108 if r == 0 else 140 + 30 * (r - 1), 10, cells[r][c])
        for r in range(3)
        for c, x in enumerate((60, 160, 310, 460))
    ]
    document = read(drawn_pdf([{"text": text, "rules": rules}]))
    [grid] = document.grids
    assert texts(grid) == cells
    assert grid.before == ["科室廉政风险防控排查表", header_line] and grid.after == [note]


def test_running_header_does_not_split_a_table_over_pages() -> None:
    first = two_by_two(["序号", "风险点"], ["1", "甲风险"], top=700)
    second = two_by_two(["序号", "风险点"], ["2", "乙风险"], top=80)
    for page, number in ((first, 1), (second, 2)):
        page["text"] += [(200, 30, 9, "某某局廉政风险防控手册"), (280, 810, 9, f"第{number}页 共2页")]
    document = read(drawn_pdf([first, second]))
    [grid] = document.grids
    assert texts(grid) == [["序号", "风险点"], ["1", "甲风险"], ["2", "乙风险"]]
    assert document.lines == []
    single = two_by_two(["序号", "风险点"], ["1", "甲风险"], top=100)
    single["text"].append((200, 30, 9, "附件1"))
    assert read(drawn_pdf([single])).lines == ["附件1"]  # on one page only: not furniture
