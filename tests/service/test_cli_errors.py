"""The `lianfang` group's one error handler: one Chinese line on stderr and the README's exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr.strip()


def test_a_refused_request_is_exit_3_with_message_and_code(store, cli):  # noqa: ANN001
    assert cli("unit", "add", "安澜县财政局").exit_code == 0
    weak = cli("user", "add", "czj", "--unit", "安澜县财政局", "--password", "12345678")
    assert weak.exit_code == 3 and weak.stdout == ""
    line = _one_line(weak.stderr)
    assert "密码" in line and line.endswith("]")


def test_something_missing_is_exit_4(store, cli):  # noqa: ANN001
    missing = cli("batch-status", "424242")
    assert missing.exit_code == 4
    assert _one_line(missing.stderr) == "批次不存在:424242 [unknown_batch]"
    assert cli("held", "424242", "--confirm").exit_code == 4


def test_a_batch_run_by_another_process_is_exit_5(store, cli, tmp_path, monkeypatch):  # noqa: ANN001
    from service.batch import run as batch_run
    from service.batch.inprocess import BatchBusy

    def busy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise BatchBusy(7)

    monkeypatch.setattr(batch_run, "_open", busy)
    folder = tmp_path / "forms"
    folder.mkdir()
    result = cli("batch", folder)
    assert result.exit_code == 5 and _one_line(result.stderr).endswith("[batch_busy]")


def test_a_bug_is_exit_70_with_one_line_and_no_traceback(store, cli, monkeypatch):  # noqa: ANN001
    from service.batch import report

    def broken(batch_id: int) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(report, "status", broken)
    result = cli("batch-status", "1")
    assert result.exit_code == 70
    line = _one_line(result.stderr)
    assert "内部错误" in line and line.endswith("[internal_error]") and "secret internals" not in line
    # A ValueError is a bug too, not a message for the user.
    monkeypatch.setattr(report, "status", lambda batch_id: int("x"))
    assert cli("batch-status", "1").exit_code == 70
    # The traceback on request.
    monkeypatch.setattr(report, "status", broken)
    debug = cli("--debug", "batch-status", "1")
    assert debug.exit_code == 70 and "Traceback" in debug.stderr and "secret internals" in debug.stderr


@pytest.mark.parametrize("args, code", [(["parse"], 2), (["no-such-command"], 2), (["--version-typo"], 2)])
def test_usage_errors_stay_clicks_exit_2(cli, args, code):  # noqa: ANN001
    assert cli(*args).exit_code == code


def test_the_console_entry_point_uses_the_same_codes(tmp_path):  # noqa: ANN001
    """As a user runs it: `python -m service`, a file that is not there (parse's contract: exit 2)."""
    proc = subprocess.run([sys.executable, "-m", "service", "parse", str(tmp_path / "无.docx")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and _one_line(proc.stderr).endswith("[file_not_found]")
