"""`lianfang token create USER`: prints a token the API accepts."""

from __future__ import annotations


def test_token_create_prints_a_working_token(cli, app, world):
    result = cli("token", "create", "alice")
    assert result.exit_code == 0
    token = result.output.strip()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert client.get("/api/v1/entries").status_code == 200


def test_token_for_unknown_user_is_a_chinese_error(cli, store):
    from click.testing import CliRunner

    from service.cli import cli as group

    result = CliRunner().invoke(group, ["token", "create", "nobody"])
    assert result.exit_code == 1 and "用户不存在" in result.output
