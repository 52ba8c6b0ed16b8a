"""`lianfang` commands: web — serve the pages and API, issue API tokens."""

from __future__ import annotations

import click

from service.cli import cli


@cli.command("serve", help="启动网页与接口服务 (Serve the web pages and API: gunicorn, a process per core; jobs in-process)")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 (Address to listen on)")
@click.option("--port", default=5000, show_default=True, type=int, help="端口 (Port)")
@click.option("--workers", type=click.IntRange(min=1), help="进程数,默认每个 CPU 核一个 (Processes; default one per core)")
def serve(host: str, port: int, workers: int | None) -> None:
    from service.web import server

    click.echo(f"廉防网页服务:http://{host}:{port}/ (Ctrl+C 退出)")
    server.serve(host, port, workers)


@cli.group("token", help="接口访问令牌 (API bearer tokens)")
def token() -> None:
    pass


@token.command("create", help="为用户创建访问令牌,只显示一次 (Create a token for USER; shown once)")
@click.argument("user")
def create(user: str) -> None:
    from service.web.auth import create_token

    click.echo(create_token(user))
