"""The `lianfang` command: thin — parse arguments, call service functions, print.

Commands live in one module per area and attach themselves to `cli` on import;
`main()` imports them all. Help texts are Chinese with English beside them.
"""

from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT, help="廉防 —— 廉政风险防控管理 (lianfang: integrity-risk prevention management)")
def cli() -> None:
    pass


def main() -> None:
    from service.cli import audit, batch, documents, parse, store, web  # noqa: F401  (register commands)

    cli(prog_name="lianfang")
