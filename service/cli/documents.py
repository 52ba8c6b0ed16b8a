"""`lianfang` commands: documents (generate, check-format).

The documents package (the store, openpyxl, docxtpl) is imported when a command runs,
so that `lianfang --help` stays quick to start.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import click

from service.cli import cli
from service.document_kinds import KINDS, PARAM_NAMES, users_of


def _kind_options(command: Callable) -> Callable:
    """An option for every parameter a document kind declares (service.document_kinds), saying which kinds take it."""
    for name in reversed([n for n in PARAM_NAMES if users_of(n)]):
        declared = [p for k in KINDS.values() if (p := k.param(name)) is not None and p.on_form]
        text = f"{';'.join(dict.fromkeys(p.help for p in declared))} [{', '.join(users_of(name))}]"
        if declared[0].many:
            command = click.option(f"--{name.removesuffix('s')}", name, multiple=True, help=text)(command)
        else:
            command = click.option(f"--{name}", help=text)(command)
    return command


@cli.command("generate", help="生成公文:" + "、".join(f"{k.name} {k.label}" for k in KINDS.values())
             + " (Generate a document of one of these kinds)")
@click.argument("kind", type=click.Choice(list(KINDS)))
@_kind_options
@click.option("--number", type=int, help="指定文号序号 (Document number N of 〔YYYY〕N号)")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="输出文件或文件夹 (Output file or folder)")
@click.option("--pdf", is_flag=True, help="同时经 LibreOffice 转为 PDF (Also convert to PDF)")
@click.option("--draft", is_flag=True, help="草稿:不占用文号 (Draft: takes no document number)")
def generate_command(kind: str, out: Path, pdf: bool, draft: bool, **params: str | int | tuple[str, ...] | None) -> None:
    from service.documents import generate
    from service.store.scope import Viewer

    params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items() if v not in (None, ())}
    if draft:
        params["draft"] = True
    doc = generate(kind, params, viewer=Viewer.system(), pdf=pdf)
    # A unit's commitment letters are a .zip whatever --out says: keep the real extension.
    target = out / doc.filename if out.is_dir() else out.with_suffix(doc.path.suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(doc.path, target)
    for extra in doc.attachments:
        shutil.copyfile(extra, target.parent / extra.name)
    if doc.pdf_path:
        shutil.copyfile(doc.pdf_path, target.with_suffix(".pdf"))
    number = f"(文号 {doc.number_text})" if doc.number_text else ""
    click.echo(f"已生成:{target}{number}")
    for extra in doc.attachments:
        click.echo(f"附件:{target.parent / extra.name}")
    if doc.pdf_path:
        click.echo(f"PDF:{target.with_suffix('.pdf')}")
    for warning in doc.warnings:
        click.echo(f"警告:{warning}", err=True)


@cli.command("check-format", help="检查 .docx 是否符合 GB/T 9704-2012 (Check a .docx against GB/T 9704-2012)")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
@click.option("--no-render", is_flag=True, help="不经 LibreOffice 检查版面 (Skip the checks on the rendered pages)")
def check_format_command(file: Path, as_json: bool, no_render: bool) -> None:
    from service.documents import rendered
    from service.documents.checker import check

    data = file.read_bytes()
    results = check(data)
    if not no_render:  # the page as printed: only when this machine has LibreOffice to lay it out
        results += rendered.check_docx(data)
    failed = [r for r in results if r.passed is False]
    if as_json:
        click.echo(json.dumps({"file": str(file), "passed": not failed, "rules": [r.to_json() for r in results]},
                              ensure_ascii=False, indent=2))
    else:
        marks = {True: "通过", False: "不符", None: "不适用"}
        for r in results:
            click.echo(f"[{marks[r.passed]}] {r.title}:{r.found}")
        click.echo(f"共 {len(results)} 项,不符 {len(failed)} 项")
    sys.exit(1 if failed else 0)
