"""Each document kind is declared once (service.document_kinds); the 文书 page, the OpenAPI
description and `lianfang generate --help` all show what the registry says."""

from __future__ import annotations

import re

import pytest

from service.document_kinds import KINDS, PARAM_NAMES, PUBLICITY, templates


@pytest.mark.parametrize("name", list(KINDS))
def test_the_page_offers_each_kind_with_its_declared_fields(client_for, world, cli, name):
    assert cli("campaign", "add", "--year", "2026", "--name", "2026年度廉政风险防控工作").exit_code == 0
    kind = KINDS[name]
    html = client_for("admin").get(f"/documents?kind={name}").get_data(as_text=True)
    assert f"?kind={name}" in html and f"生成{kind.tab_label}" in html and kind.hint in html
    form = html.split('id="generate-form"')[1].split("</form>")[0]
    asked = set(re.findall(r'name="(\w+)"', form)) - {"csrf_token", "kind", "draft", "pdf"}
    assert asked == {p.name for p in kind.params if p.on_form}
    for p in kind.params:
        if p.on_form:
            assert p.label in form, (name, p.name)
    assert ('name="draft"' in form) == kind.numbered


def test_openapi_lists_the_registry(client_for):
    spec = client_for("alice").get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["kind"]["enum"] == list(KINDS)
    assert set(body["properties"]["params"]["properties"]) == {*PARAM_NAMES, "draft"}
    for kind in KINDS.values():
        assert f"{kind.name}:{kind.label}" in body["properties"]["kind"]["description"]
        for p in kind.params:
            assert kind.name in body["properties"]["params"]["properties"][p.name]["description"]


def test_cli_help_lists_the_registry(cli):
    text = cli("generate", "--help").output
    for kind in KINDS.values():
        assert kind.name in text and kind.label in text
        for p in kind.params:
            if p.on_form:
                assert f"--{p.name.removesuffix('s') if p.many else p.name}" in text, p.name
    assert cli("generate", "publicity", "--out", "x").exit_code == 2  # 公示 comes from the review


def test_every_declared_template_is_bundled():
    from templates_docx import build

    for kind, filename in templates().items():
        assert callable(getattr(build, kind)) and (build.HERE / filename).is_file()
    assert templates()[PUBLICITY.name] == "publicity.docx" and "ledger" not in templates()
