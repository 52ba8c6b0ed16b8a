"""`lianfang` commands: audit, status (deadline board) and 整改情况. Review steps: service/cli/review.py."""

from __future__ import annotations

import json
from typing import Any

import click

from service.cli import cli


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@cli.command("audit", help="审核已报送的表格,列出问题 (Audit submitted forms and list the findings)")
@click.option("--unit", help="单位名称或编号 (Unit name or id)")
@click.option("--campaign", help="工作名称或编号,默认全部 (Campaign name or id; default all)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (Print JSON)")
@click.option("--rules", "list_rules", is_flag=True, help="列出审核规则及默认设置 (List the rules and their settings)")
def audit_cmd(unit: str | None, campaign: str | None, as_json: bool, list_rules: bool) -> None:
    from service import labels
    from service.audit import RULES, run_audit
    from service.audit.findings import where_found

    if list_rules:
        for r in RULES.values():
            settings = json.dumps(r.defaults, ensure_ascii=False) if r.defaults else ""
            click.echo(f"{r.name} [{labels.severity_name(r.severity, missing=r.severity)}] {r.title} {settings}".rstrip())
        return
    findings = run_audit(unit=unit, campaign=campaign)
    if as_json:
        _dump(findings)
        return
    for f in findings:
        where = where_found(f["file"], f["source"])
        click.echo(f"[{labels.severity_name(f['severity'], missing=f['severity'])}] {f['unit']} {f['rule']}: {f['message']}"
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
