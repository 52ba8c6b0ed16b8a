"""Real LibreOffice: each .docx kind converts to PDF and the figures are in its text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from service.documents import generate
from service.documents.pdf import missing_fonts
from service.store.scope import Viewer
from tests.service.documents.conftest import UNIT, Filled

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

CASES = {
    "summary": ({"unit": UNIT}, ["共查找风险点5个", "制定防控措施10条", "高风险"]),
    "plan": ({"unit": UNIT}, ["廉防〔2026〕1号", "查找风险", "李局长"]),
    "rectification": ({"unit": UNIT, "items": ["风险等级标识不完整"], "deadline": "2026-12-05"},
                      ["廉防办〔2026〕1号", "风险等级标识不完整", "2026年12月5日"]),
    "warning": ({"unit": UNIT, "department": "采购科", "items": ["信访举报"]}, ["廉防办〔2026〕1号", "红色预警", "化整为零"]),
    "commitment": ({"unit": UNIT, "person": "张伟"}, ["廉政承诺书", "化整为零"]),
    "manual": ({"unit": UNIT}, ["廉政风险防控手册", "财务科", "白条"]),
}


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())  # justified Chinese text comes out with spaces between characters


@pytest.mark.parametrize("kind", list(CASES))
def test_docx_kinds_convert_to_pdf_with_their_figures(filled: Filled, kind: str) -> None:
    params, expected = CASES[kind]
    result = generate(kind, params, viewer=Viewer.system(), pdf=True)
    assert result.pdf_path is not None and result.pdf_path.read_bytes().startswith(b"%PDF")
    text = _pdf_text(result.pdf_path)
    for figure in expected:
        assert figure in text
    missing = missing_fonts(result.path)
    if missing:  # e.g. 仿宋_GB2312 on a machine with only Noto CJK: said, not fatal
        assert any(name in " ".join(result.warnings) for name in missing)
    else:
        assert result.warnings == []
