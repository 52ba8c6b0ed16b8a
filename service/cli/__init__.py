"""The `lianfang` command: thin — parse arguments, call service functions, print.

Commands live in one module per area and attach themselves to `cli` on import.
The group imports an area's module only when one of its commands runs, so
`lianfang parse` does not pay for SQLAlchemy, openpyxl or matplotlib. `lianfang --help`
imports every area's module for the one-line helps: those modules import only click at
the top and the service itself inside each command (`bench/startup_bench.py`).
Help texts are Chinese with English beside them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import cached_property

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# command name -> the module under service.cli that defines it
COMMANDS: dict[str, str] = {
    "init": "store", "unit": "store", "user": "store", "person": "store", "campaign": "store",
    "ingest": "store", "held": "store", "entries": "store", "demo": "store",
    "parse": "parse",
    "generate": "documents", "check-format": "documents",
    "audit": "audit", "status": "audit", "review": "audit", "rectification": "audit",
    "batch": "batch", "batch-status": "batch", "batch-report": "batch", "worker": "batch",
    "reconcile": "batch",
    "serve": "web", "token": "web",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"service.cli.{COMMANDS[name]}")
        return super().get_command(ctx, name)


class LazyChoice(click.Choice):
    """A choice among a registry's names, read when the command parses or shows its help, not on import."""

    def __init__(self, names: Callable[[], Iterable[str]], case_sensitive: bool = True) -> None:
        self._names = names
        self.case_sensitive = case_sensitive

    @cached_property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self._names())


@click.group(
    cls=LazyGroup,
    context_settings=CONTEXT,
    help="廉防 —— 廉政风险防控管理 (lianfang: integrity-risk prevention management)",
)
def cli() -> None:
    pass


def main() -> None:
    cli(prog_name="lianfang")
