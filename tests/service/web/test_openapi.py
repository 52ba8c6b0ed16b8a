"""The OpenAPI description matches the routes the app really serves under /api/v1, both ways."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator


def _served(app) -> set[tuple[str, str]]:  # noqa: ANN001
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            path = path.replace("{submission_id}", "{id}").replace("{document_id}", "{id}")
            out |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_every_route_is_described_and_every_description_is_served(app, client_for):
    spec = client_for("alice").get("/api/v1/openapi.json").json
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert _served(app) == described


def test_responses_match_the_described_schemas(app, seed, world, client_for):
    from service.web.auth import create_token

    seed(world.unit_a, 2)
    spec = app.test_client().get("/api/v1/openapi.json").json
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('alice')}"

    def check(path: str, url: str, status: str) -> None:
        response = client.get(url)
        assert str(response.status_code) == status
        schema = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
        Draft202012Validator({**schema, "components": spec["components"]}).validate(response.json)

    check("/api/v1/entries", "/api/v1/entries", "200")
    check("/api/v1/submissions", "/api/v1/submissions", "200")
    sub_id = client.get("/api/v1/submissions").json["items"][0]["id"]
    check("/api/v1/submissions/{id}", f"/api/v1/submissions/{sub_id}", "200")
    check("/api/v1/submissions/{id}", "/api/v1/submissions/999999", "404")
