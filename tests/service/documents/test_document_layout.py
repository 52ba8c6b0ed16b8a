"""Real LibreOffice: every kind is checked on its rendered PDF (pdfplumber positions), as a
秘书 sees it: 版头 35 mm down, 版记 at the foot of the last page, full-width punctuation,
28 × 22, balanced titles, 署名/日期, page numbers, a 宋/仿宋 face for the 正文."""

from __future__ import annotations

import shutil

import pytest

from service.documents import generate, rendered
from service.store.scope import Viewer
from tests.service.documents.conftest import UNIT, Filled

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

ADMIN = Viewer.system()
DATA_ITEM = '措施过于笼统,如"加强学习",缺少责任人(财务科);依据GB/T 9704-2012,金额1.5万元'
KINDS = {
    "plan": {"unit": UNIT},
    "rectification": {"unit": UNIT, "items": [DATA_ITEM], "deadline": "2026-12-05"},
    "warning": {"unit": UNIT, "department": "采购科", "items": ["信访举报:群众反映政府采购化整为零"]},
    "summary": {"unit": UNIT},
    "commitment": {"unit": UNIT, "person": "张伟"},
    "manual": {"unit": UNIT},
}
LETTERHEAD = {"plan", "rectification", "warning"}


def _results(pdf: bytes) -> dict[str, rendered.RuleResult]:
    return {r.rule.removeprefix("rendered_"): r for r in rendered.check_pdf(pdf)}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_passes_on_its_rendered_pages(filled: Filled, kind: str) -> None:
    result = generate(kind, KINDS[kind], viewer=ADMIN, pdf=True)
    found = _results(result.pdf_path.read_bytes())
    failed = {name: r.found for name, r in found.items() if r.passed is False}
    assert not failed
    for rule in ("punctuation", "face", "page_numbers", "title"):
        assert found[rule].passed is True, found[rule]
    if kind in LETTERHEAD:
        for rule in ("issuer", "record", "record_indent", "signature", "signature_page"):
            assert found[rule].passed is True, found[rule]
        assert found["issuer"].found == "35.0mm"


def test_data_punctuation_is_full_width_latin_tokens_kept(filled: Filled) -> None:
    result = generate("rectification", KINDS["rectification"], viewer=ADMIN, pdf=True)
    text = "".join(ln.text for p in rendered.read(result.pdf_path.read_bytes()) for ln in p.lines)
    assert "措施过于笼统，如“加强学习”，缺少责任人（财务科）；依据GB/T9704-2012，金额1.5万元" in text
    assert "安澜县财政局：" in text and "附件：" in text


def test_a_full_page_holds_22_lines_of_28_characters(filled: Filled) -> None:
    long_item = "风险点排查不全面部分岗位职责梳理不清晰防控措施缺少责任人和完成时限需要逐项补充完善"
    result = generate("rectification", {"unit": UNIT, "items": [long_item * 2] * 12}, viewer=ADMIN, pdf=True)
    pages = rendered.read(result.pdf_path.read_bytes())
    body = [ln for ln in rendered._body(pages[1:2])]
    assert len(body) == 22  # a page in the middle is full: 22 lines on the grid
    steps = {round(b.top - a.top, 1) for a, b in zip(body, body[1:], strict=False)}
    assert all(abs(s - rendered.PITCH) < 0.3 for s in steps)
    full = [ln for ln in body if ln.text.isalpha() and rendered.RIGHT - ln.x1 < 8]  # Chinese only, to the edge
    assert full and all(round((ln.x0 - rendered.LEFT) / 16) + len(ln.text) == 28 for ln in full)
    found = _results(result.pdf_path.read_bytes())
    assert found["grid"].found == "满行28字,每页最多22行"
    assert found["grid"].passed is True and found["record"].passed is True, (found["grid"], found["record"])


@pytest.mark.parametrize("items", [9, 10, 11, 12])
def test_record_ends_on_the_last_page_foot_however_long_the_text(filled: Filled, items: int) -> None:
    """Around the length where the 版记 no longer fits under the date, it still ends on the foot
    of the last page, never split from its 印发 line."""
    result = generate("rectification", {"unit": UNIT, "items": [f"第{n}项问题需要整改落实" for n in range(items)]},
                      viewer=ADMIN, pdf=True)
    found = _results(result.pdf_path.read_bytes())
    assert found["record"].passed is True, found["record"]
    assert found["record_indent"].passed is True, found["record_indent"]


def test_merged_letters_number_their_pages_from_1_each(filled: Filled) -> None:
    import io
    import zipfile

    from service.documents import pdf

    result = generate("commitment", {"unit": UNIT}, viewer=ADMIN)
    with zipfile.ZipFile(result.path) as z:
        merged = z.read("廉政承诺书_合并.docx")
    pages = rendered.read(pdf.pdf_bytes(merged, ".docx"))
    numbers = [next(ln.text for ln in p.lines if ln.top > rendered.BOTTOM) for p in pages]
    assert numbers == ["—1—"] * 6  # six one-page letters, each numbered from 1
    starts = ["".join(ln.text for ln in p.lines[:1]) for p in pages]
    assert starts == ["廉政承诺书"] * 6
    assert io.BytesIO(merged).getbuffer().nbytes > 0


def test_manual_contents_show_page_numbers(filled: Filled) -> None:
    result = generate("manual", {"unit": UNIT}, viewer=ADMIN, pdf=True)
    first = rendered.read(result.pdf_path.read_bytes())[0]
    entries = [ln.text for ln in first.lines if ln.text.startswith(("一、", "二、", "（一）", "（二）"))]
    assert len(entries) >= 5 and entries[0].startswith("一、财务科")
    assert all(t.endswith("2") and "..." in t for t in entries)  # leader dots, then the page (2)
    assert not any(t.startswith("目") and t.endswith("1") for t in (ln.text for ln in first.lines))


def test_plan_annex_is_a_landscape_form_labelled_and_the_workbook_prints_one_page_wide(filled: Filled) -> None:
    import io

    import openpyxl

    from service.documents import pdf

    result = generate("plan", {"unit": UNIT}, viewer=ADMIN)
    form = next(p for p in result.attachments if p.suffix == ".docx")
    pages = rendered.read(pdf.pdf_bytes(form.read_bytes(), ".docx"))
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf.pdf_bytes(form.read_bytes(), ".docx"))) as d:
        assert d.pages[0].width > d.pages[0].height  # landscape
    first = pages[0].lines
    assert first[0].text == "附件1" and first[0].x0 < 110  # top left of the text block
    header = next(ln for ln in first if ln.text.startswith("序号"))
    assert header.text == "序号岗位职权事项风险点风险类型风险等级防控措施责任人完成时限"  # one line each
    book = openpyxl.load_workbook(next(p for p in result.attachments if p.suffix == ".xlsx"))
    sheet = book.active
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0 and sheet.page_setup.orientation == "landscape"


def test_printed_ledger_shows_every_measure_line(filled: Filled) -> None:
    from tests.service.documents.conftest import ROWS

    result = generate("ledger", {"unit": UNIT}, viewer=ADMIN, pdf=True)
    pages = rendered.read(result.pdf_path.read_bytes())
    text = "".join(ln.text for p in pages for ln in p.lines)
    assert len(pages) == 1  # one page wide (and, here, one page long)
    for *_, measures in ROWS:
        for measure in measures:
            assert measure in text


def test_check_format_also_checks_the_rendered_layout(filled: Filled, cli, tmp_path) -> None:
    import json

    out = tmp_path / "out"
    out.mkdir()
    made = cli("generate", "rectification", "--unit", UNIT, "--item", "措施过于笼统", "--out", out)
    assert made.exit_code == 0
    [notice] = list(out.glob("整改通知书*.docx"))
    report = json.loads(cli("check-format", notice, "--json").output)
    rules = {r["rule"]: r for r in report["rules"]}
    assert report["passed"] is True
    for rule in ("rendered_issuer", "rendered_record", "rendered_punctuation", "rendered_grid", "rendered_face"):
        assert rules[rule]["passed"] is True, rules[rule]
    skipped = json.loads(cli("check-format", notice, "--json", "--no-render").output)
    assert not any(r["rule"].startswith("rendered_") for r in skipped["rules"])


def test_warm_converter_restarts_when_it_dies_and_a_hung_conversion_is_bounded(tmp_path, monkeypatch) -> None:
    import os
    import signal
    import time

    from service.documents import converter, forms, pdf
    from service.documents.errors import DocumentError

    if converter.uno_python() is None:
        pytest.skip("no Python with the uno module (python3-uno)")
    data = forms.blank_docx("测试单位")
    assert pdf.pdf_bytes(data, ".docx").startswith(b"%PDF")
    warm = converter.warm()
    assert warm is not None and warm.alive()
    os.killpg(warm.office.pid, signal.SIGKILL)  # soffice dies between two documents
    warm.office.wait()
    assert pdf.pdf_bytes(data, ".docx").startswith(b"%PDF")
    assert warm.alive()
    source = tmp_path / "form.docx"
    source.write_bytes(data)
    monkeypatch.setattr(converter, "COLD_MIN_S", 0.01)  # a quiet machine converts cold within the usual 1 s
    start = time.monotonic()
    with pytest.raises(DocumentError) as err:  # far too short for warm and for the cold fallback
        converter.to_pdf(source, tmp_path / "form.pdf", timeout=0.01)
    assert err.value.code == "timeout" and time.monotonic() - start < 10
    assert pdf.pdf_bytes(data, ".docx").startswith(b"%PDF")  # the next one starts a fresh pair


@pytest.mark.parametrize("items", [12, 13])
def test_signature_never_stands_alone_on_its_page(filled: Filled, items: int) -> None:
    """With 12 items the date used to fall alone on page 3, with 13 the 署名 and date (and the
    版记) filled page 3 with no body text: the last body lines now go along with them."""
    result = generate("rectification", {"unit": UNIT, "items": [f"第{n}项问题需要整改落实" for n in range(items)]},
                      viewer=ADMIN, pdf=True)
    pages = rendered.read(result.pdf_path.read_bytes())
    assert len(pages) == 3
    last = pages[-1].lines
    day = next(i for i, ln in enumerate(last) if rendered._DATE.match(ln.text))
    assert day >= 2 and last[day - 1].text == "安澜县廉政风险防控工作领导小组办公室"
    body = [ln.text for ln in last[:day - 1]]
    assert "整改不到位的，将予以通报。" in body and body[0] == "三、报送时限"  # heading kept with its text
    assert not any(ln.text == "三、报送时限" for ln in pages[1].lines)
    found = _results(result.pdf_path.read_bytes())
    assert found["signature_page"].passed is True, found["signature_page"]
    assert found["record"].passed is True, found["record"]


def test_signature_page_rule_fails_on_a_lone_signature() -> None:
    def line(page: int, text: str, top: float) -> rendered.Line:
        chars = [{"text": ch} for ch in text]
        return rendered.Line(page, top, top + 16, rendered.LEFT, rendered.RIGHT, 16.0, False, chars)

    alone = [rendered.Page(0, [line(0, "正文", 100)], []),
             rendered.Page(1, [line(1, "某某局", 100), line(1, "2026年12月3日", 130)], [])]
    split = [rendered.Page(0, [line(0, "正文", 100), line(0, "某某局", 130)], []),
             rendered.Page(1, [line(1, "2026年12月3日", 100)], [])]
    kept = [rendered.Page(0, [line(0, "正文", 100), line(0, "某某局", 130), line(0, "2026年12月3日", 160)], [])]
    assert rendered.signature_with_body(alone).passed is False
    assert rendered.signature_with_body(split).passed is False
    assert rendered.signature_with_body(kept).passed is True
    assert rendered.signature_with_body([rendered.Page(0, [line(0, "正文", 100)], [])]).passed is None
