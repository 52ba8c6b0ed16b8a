"""The batch commands and the report a user downloads: every file, its unit and outcome."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook

from tests.service.batch.batch_helpers import write_forms


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "forms"
    write_forms(root, 3, rows=2)
    (root / "财务局" / "坏表.docx").write_bytes(b"PK\x03\x04 not a document")
    return root


def test_batch_command_prints_a_summary_and_status(units, cli, tmp_path: Path) -> None:  # noqa: ANN001
    result = cli("batch", _folder(tmp_path), "--workers", "1")
    assert result.exit_code == 0
    assert "共 4 个文件,入库 3,重复未入库 0,失败 1" in result.output
    assert "坏表.docx" in result.output

    status = json.loads(cli("batch-status", "1", "--json").output)
    assert status["finished"] and status["counts"]["done"] == 3 and status["counts"]["failed"] == 1
    assert "已完成" in cli("batch-status", "1").output


def test_report_lists_every_file_as_xlsx_and_json(units, cli, tmp_path: Path) -> None:  # noqa: ANN001
    cli("batch", _folder(tmp_path), "--workers", "1")
    cli("batch-report", "1", "--out", tmp_path / "r.xlsx")
    sheet = load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes())).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [c.value for c in sheet[3]][:4] == ["文件", "单位", "结果", "风险点数"]
    assert len(rows) == 4
    by_file = {r[0]: r for r in rows}
    assert by_file["财务局/坏表.docx"][2] == "失败" and by_file["财务局/坏表.docx"][6]
    assert sorted(r[2] for r in rows) == ["失败", "已入库", "已入库", "已入库"]
    assert all(r[3] == 2 for r in rows if r[2] == "已入库")

    cli("batch-report", "1", "--out", tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(data["files"]) == 4 and {f["unit"] for f in data["files"]} == {"财务局", "教育局", "卫生健康委"}


def test_unknown_batch_and_bad_report_name_are_plain_messages(store, cli, tmp_path: Path) -> None:  # noqa: ANN001
    import click.testing

    from service.cli import cli as group

    runner = click.testing.CliRunner()
    missing = runner.invoke(group, ["batch-status", "99"])
    assert missing.exit_code == 4 and "批次不存在" in missing.output and "Traceback" not in missing.output
    bad = runner.invoke(group, ["batch-report", "1", "--out", str(tmp_path / "r.csv")])
    assert bad.exit_code != 0 and ".xlsx" in bad.output
