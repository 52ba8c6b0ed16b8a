"""check-format on documents that break the rules, and on ours (which must pass)."""

from __future__ import annotations

import io
import json

import docx
import pytest
from docx.shared import Mm, Pt

from service.documents import gbt9704
from service.documents.checker import check
from service.documents.errors import DocumentError
from tests.service.documents.conftest import UNIT, Filled


def _save(doc: docx.document.Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _by_rule(data: bytes) -> dict[str, bool | None]:
    return {r.rule: r.passed for r in check(data)}


def test_a_plain_word_document_fails_the_page_and_font_rules() -> None:
    doc = docx.Document()
    doc.add_paragraph("一份普通的文档,没有任何公文格式。")
    rules = _by_rule(_save(doc))
    for rule in ("page_size", "margins", "line_grid", "body_font", "title", "first_line_indent", "page_numbers"):
        assert rules[rule] is False, rule
    assert rules["doc_number"] is None and rules["record"] is None  # parts it does not have


def test_a_correct_document_passes_and_a_wrong_margin_is_found() -> None:
    doc = docx.Document()
    gbt9704.apply_base_styles(doc)
    doc.add_paragraph("关于开展廉政风险防控工作的通知", style=gbt9704.STYLE_TITLE)
    doc.add_paragraph("一、工作目标", style=gbt9704.STYLE_H1)
    doc.add_paragraph("(一)查找风险", style=gbt9704.STYLE_H2)
    doc.add_paragraph("正文段落首行缩进两个字符。")
    doc.add_paragraph("2026年11月22日", style=gbt9704.STYLE_SIGNATURE)
    assert not [r for r in check(_save(doc)) if r.passed is False]
    doc.sections[0].left_margin = Mm(20)
    doc.sections[0].footer_distance = Mm(5)
    found = {r.rule: r for r in check(_save(doc))}
    assert found["margins"].passed is False and "左20.0" in found["margins"].found
    assert found["page_numbers"].passed is False and "页码距版心下边缘" in found["page_numbers"].found


def test_headings_in_the_wrong_font_and_bad_dates_and_numbers_fail() -> None:
    doc = docx.Document()
    gbt9704.apply_base_styles(doc)
    doc.add_paragraph("廉政风险防控工作领导小组文件", style=gbt9704.STYLE_ISSUER)
    doc.add_paragraph("廉防〔2026〕第03号", style=gbt9704.STYLE_NUMBER)
    doc.add_paragraph("标题", style=gbt9704.STYLE_TITLE)
    doc.add_paragraph("一、用了仿宋的一级标题")
    doc.add_paragraph("1.用了黑体的三级标题", style=gbt9704.STYLE_H1)
    doc.add_paragraph("二〇二六年十一月二十二日", style=gbt9704.STYLE_SIGNATURE)
    rules = _by_rule(_save(doc))
    assert rules["heading1_font"] is False
    assert rules["heading3_font"] is False
    assert rules["doc_number"] is False
    assert rules["letterhead"] is False  # red issuer, but no red line under the number
    assert rules["issue_date"] is False


def test_title_size_is_checked() -> None:
    doc = docx.Document()
    gbt9704.apply_base_styles(doc)
    title = doc.add_paragraph("标题", style=gbt9704.STYLE_TITLE)
    title.runs[0].font.size = Pt(26)
    assert _by_rule(_save(doc))["title"] is False


def test_not_a_docx_is_refused() -> None:
    with pytest.raises(DocumentError) as err:
        check(b"plain text")
    assert err.value.code == "not_docx"


def test_cli_generate_and_check_format(filled: Filled, cli, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = cli("generate", "rectification", "--unit", UNIT, "--item", "措施过于笼统", "--deadline", "2026-12-31",
                 "--out", out)
    assert result.exit_code == 0 and "廉防办〔2026〕1号" in result.output
    [made] = list(out.glob("整改通知书*.docx"))
    assert {p.name for p in out.glob("附件_*")} == {"附件_廉政风险点排查登记表（修订）.docx", "附件_廉政风险点排查登记表（修订）.xlsx"}
    checked = cli("check-format", made, "--json")
    report = json.loads(checked.output)
    assert checked.exit_code == 0 and report["passed"] is True
    assert {r["rule"] for r in report["rules"]} >= {"margins", "title", "page_numbers", "doc_number", "record"}
    letter = cli("generate", "commitment", "--unit", UNIT, "--position", "会计", "--out", tmp_path / "承诺书.zip")
    assert letter.exit_code == 0 and (tmp_path / "承诺书.docx").is_file()  # one letter: a .docx, not a .zip
    plan = cli("generate", "plan", "--unit", UNIT, "--out", tmp_path / "方案.docx")
    assert plan.exit_code == 0 and (tmp_path / "方案.docx").is_file()
    assert (tmp_path / "附件1_廉政风险点排查登记表.xlsx").is_file()


def test_cli_reports_errors_in_chinese_without_traceback(filled: Filled, cli, tmp_path) -> None:
    result = cli("generate", "summary", "--campaign", "不存在", "--out", tmp_path / "x.docx")
    assert result.exit_code == 3 and "未找到工作任务" in result.output and "Traceback" not in result.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a docx")
    result = cli("check-format", bad)
    assert result.exit_code == 3 and "不是有效的 Word" in result.output
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    result = cli("check-format", plain)
    assert result.exit_code == 1 and "[不符] 页边距" in result.output
