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
    assert result.exit_code == 4 and "用户不存在" in result.output


def test_serve_answers_on_the_given_port(store):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)],
                              env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200 and "用户登录" in response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("lianfang serve did not answer")
    finally:
        server.terminate()
        server.wait(10)
