"""`lianfang review …`: tiered review (分级审核) and 公示 — the queue, a step, the 公示 export.

The command names are those users type since the beginning (`lianfang review queue|decide|export`);
they lived in cli/audit.py beside the rules engine until the review got its own module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from service.cli import cli
from service.cli.audit import _dump

if TYPE_CHECKING:
    from service.store.scope import Viewer


def _viewer(username: str | None) -> Viewer:
    """The user acting; the CLI without --user acts as the office (admin)."""
    from service.store.scope import Viewer

    if not username:
        return Viewer.system()
    from sqlalchemy import select

    from service.audit import AuditError
    from service.store.db import read_session
    from service.store.models import User

    with read_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise AuditError(f"用户不存在:{username}")
        return Viewer(user.id, user.username, user.is_admin, user.unit_id, user.role)


@cli.group("review", help="分级审核与公示 (Tiered review and publication)")
def review_group() -> None:
    pass


@review_group.command("queue", help="待我审核的表格 (Forms awaiting my step)")
@click.option("--user", "username", help="以该用户身份 (Act as this user)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (Print JSON)")
def review_queue_cmd(username: str | None, as_json: bool) -> None:
    from service.review import queue

    items = queue(viewer=_viewer(username))
    if as_json:
        _dump(items)
        return
    for q in items:
        click.echo(f"#{q['id']} {q['unit']} {q['file']} [{q['state_label']}] 问题{q['findings']}个"
                   + (f" 含高风险点{q['high']}个" if q["high"] else ""))
    click.echo(f"共{len(items)}份待办")


@review_group.command("decide", help="办理审核步骤:approve/publish/effective/return (Take a review step)")
@click.argument("submission_id", type=int)
@click.argument("action", type=click.Choice(["approve", "publish", "effective", "return"]))
@click.option("--comment", required=True, help="审核意见 (Comment)")
@click.option("--user", "username", help="以该用户身份 (Act as this user)")
@click.option("--days", default=5, show_default=True, help="公示天数 (Publicity days, for publish)")
def review_decide_cmd(submission_id: int, action: str, comment: str, username: str | None, days: int) -> None:
    from service.review import decide

    d = decide(submission_id, action, viewer=_viewer(username), comment=comment, days=days)
    extra = f",公示至{d.publicity_until}" if d.publicity_until else ""
    extra += f",附问题{len(d.finding_ids)}个" if d.finding_ids else ""
    click.echo(f"#{d.submission_id}:{d.label}{extra}")


@review_group.command("export", help="导出单位公示(.docx 与 .xlsx) (Export a unit's publication)")
@click.option("--unit", required=True, help="单位名称或编号 (Unit)")
@click.option("--campaign", help="工作名称 (Campaign name)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="输出目录 (Output folder)")
def review_export_cmd(unit: str, campaign: str | None, out_dir: Path) -> None:
    from service.review import export_publicity
    from service.store.scope import Viewer

    out = export_publicity(unit, viewer=Viewer.system(), campaign=campaign)
    out_dir.mkdir(parents=True, exist_ok=True)
    for ext, data in ((".docx", out.docx), (".xlsx", out.xlsx)):
        path = out_dir / out.filename(ext)
        path.write_bytes(data)
        click.echo(str(path))
