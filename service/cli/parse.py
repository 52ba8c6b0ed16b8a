"""`lianfang` commands: parse — one file to the contract JSON, with strict error discipline.

Exit 0 and the contract object on stdout; or exit 2 and exactly one line on stderr, the
Chinese message with the English code in brackets (the group's one handler prints the
ParseError; README "Exit codes"). Never a traceback, whatever the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from service.cli import cli


@cli.command("parse", help="解析一个风险点表格文件,不写入数据存储 (Parse one form; the store is not touched)")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出契约 JSON 对象 (Print the contract JSON object)")
def parse_cmd(file: Path, as_json: bool) -> None:
    from parsers.errors import ParseError
    from parsers.pool import MemoryPool
    from parsers.sandbox import parse_isolated
    from service import labels
    from service.config import settings

    try:
        data = file.read_bytes()
    except OSError:
        raise ParseError("file_not_found", f"无法读取文件:{file}") from None
    config = settings()
    parsed = parse_isolated(data, file.name, timeout=config.parse_timeout,
                            pool=MemoryPool.machine(config.parse_memory_total_mb))
    if as_json:
        click.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=1))
        return
    form = parsed.form
    click.echo(f"{parsed.file}:{form.title or '(无标题)'} —— {form.unit or ''} {form.department or ''}".rstrip())
    for i, e in enumerate(parsed.entries, start=1):
        where = " ".join(x for x in (e.department, e.position, e.person) if x)
        click.echo(f"{i:>3}. [{labels.level_name(e.level, missing=labels.NO_LEVEL)}] {where}:{e.risk}(措施 {len(e.measures)} 条)")
    for w in parsed.warnings:
        click.echo(f"  ! {w.message} [{w.code}]")
    click.echo(f"共 {len(parsed.entries)} 个风险点 (entries)")
