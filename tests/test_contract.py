"""The parse contract end to end: `lianfang parse FILE --json` on every sample form.

Output must validate against the packaged parsers/parse-output.schema.json and equal the
sample's expected.json (fields the expectation leaves out are null; warnings are the
parser's call). A file that is not a form: exit 2, one Chinese line on stderr, no traceback.

The repository keeps its own copies of the samples and contracts; where ../shared sits beside
the checkout, the drift check compares them with it (the parse schema may only add properties).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import parsers
from service.store.campaigns import SCHEMA_PATH as CAMPAIGN_SCHEMA
from tests.paths import SAMPLES as SAMPLES_DIR
from tests.paths import SHARED

PARSE_SCHEMA = Path(parsers.__file__).resolve().parent / "parse-output.schema.json"
SAMPLES = sorted(p for p in SAMPLES_DIR.glob("p*.*") if not p.name.endswith(".json"))
_no_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside the checkout: no drift to check")


def needs_shared(test):  # noqa: ANN001, ANN201
    """The drift check: marked `shared` (CI runs it where ../shared is), skipped elsewhere."""
    return pytest.mark.shared(_no_shared(test))


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def _shown(value):  # what a form shows: everything but nulls and the parser's own warnings
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items() if v is not None and k not in ("warnings", "expect_error")}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


FORMS = [p for p in SAMPLES if "expect_error" not in _expected(p)]
NOT_FORMS = [p for p in SAMPLES if "expect_error" in _expected(p)]


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_parse_prints_the_contract_object(cli, path: Path):
    result = cli("parse", path, "--json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)
    schema = _json(PARSE_SCHEMA)
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(got)
    assert _shown(got) == _shown(_expected(path))


@pytest.mark.parametrize("path", NOT_FORMS, ids=lambda p: p.name)
def test_not_a_form_exits_2_with_one_line(path: Path):
    """Through the real console entry point, as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "service", "parse", str(path), "--json"],
                          capture_output=True, text=True, timeout=120)
    want = _expected(path)["expect_error"]
    assert proc.returncode == want["exit"] == 2
    assert proc.stderr.count("\n") == 1 and want["stderr_contains"] in proc.stderr
    assert proc.stderr.rstrip().endswith("[not_a_form]") and "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("content, code", [(b"", "empty_file"), (b"\x00garbage" * 100, "unsupported_format"),
                                           (b"PK\x03\x04broken zip", "corrupt_file")])
def test_bad_bytes_exit_2_with_one_line(cli, tmp_path: Path, content: bytes, code: str):
    bad = tmp_path / "表格.docx"
    bad.write_bytes(content)
    result = cli("parse", bad, "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.rstrip().endswith(f"[{code}]")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)


def test_missing_file_exits_2_with_one_line(cli, tmp_path: Path):
    result = cli("parse", tmp_path / "没有这个文件.docx", "--json")
    assert result.exit_code == 2 and result.stderr.strip() == f"无法读取文件:{tmp_path / '没有这个文件.docx'} [file_not_found]"


def test_samples_are_complete():
    assert len(SAMPLES) == 10 and all(p.with_name(p.stem + ".expected.json").is_file() for p in SAMPLES)


def _additions(ours, theirs, where: str = "$", in_properties: bool = False) -> list[str]:
    """Where `ours` differs from `theirs` other than by new properties: [] when it only adds."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        drift = [f"{where}.{k}: missing" for k in theirs if k not in ours]
        if not in_properties:
            drift += [f"{where}.{k}: added outside properties" for k in ours if k not in theirs]
        for k in theirs.keys() & ours.keys():
            drift += _additions(ours[k], theirs[k], f"{where}.{k}", in_properties=(k == "properties"))
        return drift
    return [] if ours == theirs else [f"{where}: changed"]


@needs_shared
def test_samples_are_the_shared_ones():
    shared = sorted(p.name for p in (SHARED / "samples").iterdir())
    ours = SAMPLES_DIR
    drift = [n for n in shared if not (ours / n).is_file() or (ours / n).read_bytes() != (SHARED / "samples" / n).read_bytes()]
    assert drift == []


@needs_shared
def test_packaged_parse_schema_only_adds_to_the_shared_one():
    assert _additions(_json(PARSE_SCHEMA), _json(SHARED / "contract" / "parse-output.schema.json")) == []


@needs_shared
def test_packaged_campaign_schema_only_adds_to_the_shared_one():
    """The same contract plus optional keys of the repository's own (`documents`: 主送/抄送); its
    `audit` section documents each rule's settings (the repository's own too)."""
    shared, packaged = _json(SHARED / "contract" / "campaign.schema.json"), _json(CAMPAIGN_SCHEMA)
    for schema in (shared, packaged):
        schema["properties"].pop("audit")
    assert _additions(packaged, shared) == []


def test_drift_check_refuses_a_changed_or_removed_property():
    theirs = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    assert _additions({**theirs, "properties": {**theirs["properties"], "b": {}}}, theirs) == []
    assert _additions({**theirs, "properties": {"a": {"type": "integer"}}}, theirs) == ["$.properties.a.type: changed"]
    assert _additions({**theirs, "properties": {}}, theirs) == ["$.properties.a: missing"]
    assert _additions({**theirs, "required": ["a", "b"]}, theirs) == ["$.required: changed"]
