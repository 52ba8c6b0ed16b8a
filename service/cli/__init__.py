"""The `lianfang` command: thin — parse arguments, call service functions, print.

Commands live in one module per area and attach themselves to `cli` on import.
The group imports an area's module only when one of its commands runs, so
`lianfang parse` does not pay for SQLAlchemy, openpyxl or matplotlib. `lianfang --help`
imports every area's module for the one-line helps: those modules import only click at
the top and the service itself inside each command (`bench/startup_bench.py`).
Help texts are Chinese with English beside them.

Errors are handled once, in `LazyGroup.invoke` (README "Exit codes"): a `ServiceError` or
a `ParseError` is one line on stderr, "<中文说明> [code]", and the exit code its class
declares; anything else is a bug: one short 内部错误 line and exit 70, the traceback only
with `--debug` or `LIANFANG_DEBUG=1`. Commands raise; they never print an error and exit.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from service.errors import EXIT_INTERNAL, EXIT_USAGE, ServiceError, Unavailable

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# command name -> the module under service.cli that defines it
COMMANDS: dict[str, str] = {
    "init": "store", "unit": "store", "user": "store", "person": "store", "campaign": "store",
    "ingest": "store", "held": "store", "entries": "store", "demo": "store",
    "parse": "parse",
    "generate": "documents", "check-format": "documents",
    "audit": "audit", "status": "audit", "rectification": "audit", "review": "review",
    "batch": "batch", "batch-status": "batch", "batch-report": "batch", "worker": "batch",
    "reconcile": "batch",
    "serve": "web", "token": "web",
}


INTERNAL_MESSAGE = "内部错误:命令未能完成,请联系管理员(加 --debug 或设置 LIANFANG_DEBUG=1 可显示详情) [internal_error]"
INTERRUPT_HINT = "interrupt_hint"  # ctx.meta key: what a command adds to "已中断" (e.g. how to resume)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"service.cli.{COMMANDS[name]}")
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; the one place where a failure becomes a line on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors (exit 2) and explicit exits: click's own handling
        except KeyboardInterrupt:
            click.echo(f"\n已中断{ctx.meta.get(INTERRUPT_HINT, '')}", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # noqa: BLE001  (the command line never shows a traceback by default)
            line, code = failure(exc)
            if code == EXIT_INTERNAL and ctx.params.get("debug"):
                traceback.print_exc(file=sys.stderr)
            click.echo(" ".join(line.split()), err=True)  # one line, whatever the message holds
            ctx.exit(code)


def failure(exc: Exception) -> tuple[str, int]:
    """The line to print for `exc` and the exit code: its own for a ServiceError (and the
    database or Redis being unusable, as `Unavailable`), 2 for a ParseError, 70 for a bug.

    Modules are looked up, not imported: a command that never loaded them cannot have raised theirs."""
    known = exc if isinstance(exc, ServiceError) else _unavailable(exc)
    if known is not None:
        return str(known), known.exit_code
    parse = sys.modules.get("parsers.errors")
    if parse is not None and isinstance(exc, parse.ParseError):
        return str(exc), EXIT_USAGE
    return INTERNAL_MESSAGE, EXIT_INTERNAL


def _unavailable(exc: Exception) -> Unavailable | None:
    """The database or Redis failing, as a ServiceError; None for anything else."""
    db = sys.modules.get("sqlalchemy.exc")
    if db is not None and isinstance(exc, db.DBAPIError):
        first = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        return Unavailable("database_error", f"数据库操作失败(是否已运行 lianfang init?):{first}")
    queue = sys.modules.get("redis.exceptions")
    if queue is not None and isinstance(exc, queue.RedisError):
        from service.config import settings

        url = settings().redis_url or "未设置 LIANFANG_REDIS_URL"
        return Unavailable("redis_error", f"无法连接 Redis 队列({url}):{exc}")
    return None


def on_interrupt(hint: str) -> None:
    """Words the running command adds to "已中断" when Ctrl-C stops it."""
    click.get_current_context().meta[INTERRUPT_HINT] = hint


@click.group(
    cls=LazyGroup,
    context_settings=CONTEXT,
    help="廉防 —— 廉政风险防控管理 (lianfang: integrity-risk prevention management)",
)
@click.option("--debug", is_flag=True, envvar="LIANFANG_DEBUG",
              help="出错时显示完整的错误追踪 (Print the traceback of an internal error)")
def cli(debug: bool) -> None:
    pass


def main() -> None:
    cli(prog_name="lianfang")
