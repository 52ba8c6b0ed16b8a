"""`lianfang` commands: audit, status (deadline board), review steps and 整改情况."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli import cli

if TYPE_CHECKING:
    from service.store.scope import Viewer

SEVERITY = {"high": "高", "medium": "中", "low": "低"}


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


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


@cli.command("audit", help="审核已报送的表格,列出问题 (Audit submitted forms and list the findings)")
@click.option("--unit", help="单位名称或编号 (Unit name or id)")
@click.option("--campaign", help="工作名称或编号,默认全部 (Campaign name or id; default all)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (Print JSON)")
@click.option("--rules", "list_rules", is_flag=True, help="列出审核规则及默认设置 (List the rules and their settings)")
def audit_cmd(unit: str | None, campaign: str | None, as_json: bool, list_rules: bool) -> None:
    from service.audit import RULES, run_audit
    from service.audit.findings import where_found

    if list_rules:
        for r in RULES.values():
            settings = json.dumps(r.defaults, ensure_ascii=False) if r.defaults else ""
            click.echo(f"{r.name} [{SEVERITY[r.severity]}] {r.title} {settings}".rstrip())
        return
    findings = run_audit(unit=unit, campaign=campaign)
    if as_json:
        _dump(findings)
        return
    for f in findings:
        where = where_found(f["file"], f["source"])
        click.echo(f"[{SEVERITY.get(f['severity'], f['severity'])}] {f['unit']} {f['rule']}: {f['message']}"
                   + (f"  ({where})" if where else ""))
    click.echo(f"共{len(findings)}个问题")


@cli.command("status", help="各单位进度与期限预警(蓝/黄/红) (Per-unit progress and deadline warnings)")
@click.option("--campaign", help="工作名称或编号,默认最近一次 (Campaign; default the latest)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (Print JSON)")
def status_cmd(campaign: str | None, as_json: bool) -> None:
    from service.deadlines import board
    from service.store.scope import Viewer

    data = board(viewer=Viewer.system(), campaign=campaign)
    if as_json:
        _dump(data)
        return
    click.echo(f"{data['campaign'] or '(无工作)'}  {data['today']}")
    for row in data["units"]:
        flags = " ".join(f"[{w['label']}] {w['message']}" for w in row["warnings"]) or "无预警"
        click.echo(f"{row['unit']}: 表格{row['forms']}份 风险点{row['entries']}个 未关闭问题{row['open_findings']}个  {flags}")


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
    from service.documents.base import safe_name
    from service.review import export_publicity
    from service.store.scope import Viewer

    out = export_publicity(unit, viewer=Viewer.system(), campaign=campaign)
    out_dir.mkdir(parents=True, exist_ok=True)
    for ext, data in ((".docx", out.docx), (".xlsx", out.xlsx)):
        path = out_dir / f"{safe_name(out.stem)}{ext}"
        path.write_bytes(data)
        click.echo(str(path))


@cli.command("rectification",
             help="整改情况:已整改与未整改问题,不写编号则列出全部整改通知书 (Rectification progress; all notices without an id)")
@click.argument("notice_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (Print JSON)")
def rectification_cmd(notice_id: int | None, as_json: bool) -> None:
    from service.audit.rectification import rectification_report, rectification_reports, report_text
    from service.store.scope import Viewer

    if notice_id is None:
        reports = rectification_reports(viewer=Viewer.system())
    else:
        reports = [rectification_report(notice_id, viewer=Viewer.system())]
    if as_json:
        _dump(reports if notice_id is None else reports[0])
        return
    click.echo("\n\n".join(report_text(r) for r in reports) or "尚未发出整改通知书")
