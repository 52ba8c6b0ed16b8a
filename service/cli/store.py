"""`lianfang` commands: the store — init, units, users, people, campaigns, ingest, entries, demo.

The store (SQLAlchemy, Alembic, the models) is imported when a command runs, so that
`lianfang --help` stays quick to start.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from service.cli import cli
from service.config import settings

ROLES = ("unit", "department_head", "leader", "group", "admin")


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))




@cli.command("init", help="初始化数据存储并创建管理员,重复运行无害 (Create or migrate the store and the admin; safe to repeat)")
@click.option("--admin-user", default="admin", show_default=True, help="管理员用户名 (Admin user name)")
@click.option("--admin-password", envvar="LIANFANG_ADMIN_PASSWORD",
              help="管理员密码,也可用环境变量 LIANFANG_ADMIN_PASSWORD (Admin password)")
def init_cmd(admin_user: str, admin_password: str | None) -> None:
    from service.store.activity import CLI
    from service.store.bootstrap import init_store

    result = init_store(admin_user=admin_user, admin_password=admin_password, change_at_first_login=True, actor=CLI)
    click.echo(f"数据存储已就绪 (store ready): {settings().home}")
    if not result.admin_created:
        click.echo(f"管理员 {admin_user} 已存在,未作改动 (admin exists, unchanged)")
    elif result.generated_password:
        click.echo(f"已创建管理员 {admin_user},初始密码 (generated password): {result.generated_password}")
    else:
        click.echo(f"已创建管理员 {admin_user} (admin created)")
    if result.admin_created:
        click.echo("首次登录时须修改该初始密码 (the initial password must be changed at first login)")


@cli.group("unit", help="单位与科室 (Units and departments)")
def unit_group() -> None:
    pass


@unit_group.command("add", help="添加单位;指定 --parent 时为该单位下的科室 (Add a unit, or a department with --parent)")
@click.argument("name")
@click.option("--parent", help="上级单位名称 (Parent unit name)")
def unit_add(name: str, parent: str | None) -> None:
    from service.store.activity import CLI
    from service.store.db import write_session
    from service.store.units import add_unit

    with write_session() as s:
        unit, created = add_unit(s, name, parent, actor=CLI)
    click.echo(f"{'已添加' if created else '已存在'}:{name}(编号 {unit.id})")


@unit_group.command("list", help="列出单位和科室 (List units and departments)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
def unit_list(as_json: bool) -> None:
    from sqlalchemy import select

    from service.store.db import read_session
    from service.store.models import Unit

    with read_session() as s:
        units = s.scalars(select(Unit).order_by(Unit.id)).all()
        names = {u.id: u.name for u in units}
        rows = [{"id": u.id, "name": u.name, "parent": names.get(u.parent_id)} for u in units]
    if as_json:
        _dump(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['name']}" + (f"(隶属 {r['parent']})" if r["parent"] else ""))


@cli.group("user", help="用户账号 (User accounts)")
def user_group() -> None:
    pass


@user_group.command("add", help="添加用户:单位用户或管理员 (Add a unit user or an admin)")
@click.argument("name")
@click.option("--unit", help="所属单位 (The user's unit)")
@click.option("--admin", "is_admin", is_flag=True, help="管理员,可查看全部单位 (Admin: sees every unit)")
@click.option("--password", required=True, help="登录密码 (Password)")
@click.option("--role", type=click.Choice(ROLES), help="审核角色,默认 unit 或 admin (Review role)")
def user_add(name: str, unit: str | None, is_admin: bool, password: str, role: str | None) -> None:
    from service.errors import ServiceError
    from service.store.activity import CLI
    from service.store.db import write_session
    from service.store.units import find_unit
    from service.store.users import add_user

    if bool(unit) == is_admin:
        raise click.UsageError("请指定 --unit 单位 或 --admin 之一 (give exactly one of --unit or --admin)")
    with write_session() as s:
        unit_id = find_unit(s, unit).id if unit else None
        _, created = add_user(s, name, password, is_admin=is_admin, role=role, unit_id=unit_id, actor=CLI)
        if not created:
            raise ServiceError("user_exists", f"用户名已存在:{name}")
    click.echo(f"已添加用户:{name}" + ("(管理员)" if is_admin else f"({unit})"))


@user_group.command("password", help="重置用户密码,下次登录须修改;其登录全部退出 (Reset a password; must be changed at next login)")
@click.argument("name")
@click.option("--password", required=True, help="新的初始密码,至少 10 位 (New initial password, at least 10 characters)")
def user_password(name: str, password: str) -> None:
    from sqlalchemy import select

    from service.store.activity import CLI
    from service.store.db import write_session
    from service.store.errors import NotFound
    from service.store.models import User
    from service.store.users import set_password

    with write_session() as s:
        user = s.scalar(select(User).where(User.username == name))
        if user is None:
            raise NotFound("unknown_user", f"用户不存在:{name}")
        set_password(s, user, password, must_change=True, actor=CLI)
    click.echo(f"已重置 {name} 的密码,其登录已全部退出;下次登录时须修改密码")


@cli.group("person", help="人员名册 (The roster of people)")
def person_group() -> None:
    pass


@person_group.command("add", help="添加人员(领导或工作人员) (Add a person: leader or staff)")
@click.argument("name")
@click.option("--unit", required=True, help="所属单位 (Unit)")
@click.option("--department", help="科室 (Department)")
@click.option("--position", required=True, help="职务或岗位 (Position)")
@click.option("--leader", is_flag=True, help="领导班子成员 (A member of the leadership)")
def person_add(name: str, unit: str, department: str | None, position: str, leader: bool) -> None:
    from service.store.activity import CLI
    from service.store.db import write_session
    from service.store.roster import RosterPerson, add_person
    from service.store.units import find_unit

    with write_session() as s:
        unit_row = find_unit(s, unit)
        _, created = add_person(s, unit_row.id, RosterPerson(name, department, position, leader), actor=CLI)
    click.echo(f"{'已添加' if created else '已更新'}人员:{name}({unit} {department or ''} {position})")


@cli.group("campaign", help="年度廉政风险防控工作 (Yearly campaigns)")
def campaign_group() -> None:
    pass


@campaign_group.command("add", help="添加年度工作,阶段等可由文件给出 (Add a campaign; stages etc. from a JSON/YAML file)")
@click.option("--year", type=int, help="年度 (Year)")
@click.option("--name", help="工作名称 (Name)")
@click.option("--stages-file", type=click.Path(dir_okay=False, path_type=Path),
              help="符合 campaign.schema.json 的 JSON 或 YAML 文件 (JSON/YAML file per campaign.schema.json)")
def campaign_add(year: int | None, name: str | None, stages_file: Path | None) -> None:
    from service.store.activity import CLI
    from service.store.campaigns import add_campaign, read_campaign_file
    from service.store.db import write_session

    spec = read_campaign_file(stages_file) if stages_file else {}
    spec.update({k: v for k, v in (("year", year), ("name", name)) if v is not None})
    if "year" not in spec or "name" not in spec:
        raise click.UsageError("请给出 --year 和 --name(或在文件中写明) (give --year and --name)")
    with write_session() as s:
        campaign = add_campaign(s, spec, actor=CLI)
        stages = "、".join(st["name"] for st in campaign.stages)
    click.echo(f"已添加:{campaign.name}(编号 {campaign.id};阶段:{stages})")


@campaign_group.command("list", help="列出年度工作 (List campaigns)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
def campaign_list(as_json: bool) -> None:
    from sqlalchemy import select

    from service.store.campaigns import campaign_as_dict
    from service.store.db import read_session
    from service.store.models import Campaign

    with read_session() as s:
        rows = [campaign_as_dict(c) for c in s.scalars(select(Campaign).order_by(Campaign.year, Campaign.id))]
    if as_json:
        _dump(rows)
        return
    if not rows:
        click.echo("尚无年度工作 (no campaigns);用 lianfang campaign add 添加")
    for c in rows:
        stages = ";".join(f"{st['name']} {st['start']}~{st['end']}" for st in c["stages"])
        click.echo(f"{c['id']:>4}  {c['year']}  {c['name']}  [{stages}]")


def _log_problems_to_file() -> None:
    """Unexpected errors go to LIANFANG_HOME/lianfang.log, not as tracebacks onto the terminal."""
    logger = logging.getLogger("service")
    if not logger.handlers:
        settings().home.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings().home / "lianfang.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def _outcome_line(name: str, r: Any, dry_run: bool) -> str:
    from service.ingest import DUPLICATE
    from service.store.models import SubmissionStatus

    if r.status == SubmissionStatus.FAILED:
        return f"✗ {name}:{r.error_message} [{r.error_code}]"
    if r.status == DUPLICATE:
        return f"= {name}:与已提交的文件相同,未重复保存(提交 {r.submission_id}) [duplicate]"
    if r.status in (SubmissionStatus.HELD, SubmissionStatus.REJECTED):
        label = "待确认" if r.status == SubmissionStatus.HELD else "已拒绝"
        where = f"(提交 {r.submission_id})" if r.submission_id else ""
        return f"? {name}:{label}{where}:{r.error_message} [{r.error_code}]"
    verb = "将保存" if dry_run else "已保存"
    line = f"✓ {name}:{verb} {r.entry_count} 个风险点"
    if r.submission_id:
        line += f"(提交 {r.submission_id})"
    if r.superseded_id:
        line += f",取代了 {r.superseded_name or '旧版本'}(提交 {r.superseded_id})"
    if r.superseded_by_id:
        line += f";较旧版本,已被 {r.superseded_by_name}(提交 {r.superseded_by_id})取代,不作为当前版本"
    return line


@cli.command("ingest", help="导入风险点表格文件 (Store and parse risk forms)")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", required=True, help="提交单位 (The submitting unit)")
@click.option("--campaign", help="年度工作名称,默认最新一期 (Campaign; the latest by default)")
@click.option("--dry-run", is_flag=True, help="只解析校验,不写入 (Parse and validate only, write nothing)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
def ingest_cmd(paths: tuple[Path, ...], unit: str, campaign: str | None, dry_run: bool, as_json: bool) -> None:
    from service.ingest import file_time, ingest_file, preview_file
    from service.store.models import SubmissionStatus

    _log_problems_to_file()
    outcomes = []
    for path in paths:
        take = preview_file if dry_run else ingest_file
        r = take(path.read_bytes(), path.name, unit=unit, campaign=campaign, modified=file_time(path))
        outcomes.append({
            "file": str(path), "status": r.status, "submission_id": r.submission_id, "entry_count": r.entry_count,
            "superseded_id": r.superseded_id, "superseded_by_id": r.superseded_by_id, "warnings": r.warnings, "error_code": r.error_code,
            "error_message": r.error_message, **({"parsed": r.parsed.to_json()} if dry_run and r.parsed else {}),
        })
        if not as_json:
            click.echo(_outcome_line(path.name, r, dry_run))
            for w in r.warnings:
                click.echo(f"    ! {w['message']} [{w['code']}]")
    if as_json:
        _dump(outcomes)
    if any(o["status"] == SubmissionStatus.FAILED for o in outcomes):
        sys.exit(1)


@cli.command("held", help="确认或拒绝待确认的提交(表内单位与所属单位不符) (Confirm or reject a held submission)")
@click.argument("submission_id", type=int)
@click.option("--confirm/--reject", "confirm", required=True, help="确认入库或拒绝 (Confirm into the store, or reject)")
def held_cmd(submission_id: int, confirm: bool) -> None:
    from sqlalchemy import select

    from service.ingest import decide_held
    from service.store.db import read_session
    from service.store.models import Submission

    r = decide_held(submission_id, confirm=confirm)
    with read_session() as s:
        name = s.scalar(select(Submission.original_name).where(Submission.id == submission_id))
    click.echo(_outcome_line(name, r, dry_run=False))


@cli.command("entries", help="列出当前有效的风险点 (List current risk entries)")
@click.option("--unit", help="只看该单位及其科室 (Only this unit and its departments)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
def entries_cmd(unit: str | None, as_json: bool) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from service import labels
    from service.store.db import read_session
    from service.store.entries import entry_as_dict, unit_names
    from service.store.models import Entry
    from service.store.scope import Viewer, scoped
    from service.store.units import find_unit

    with read_session() as s:
        stmt = (select(Entry).where(Entry.is_current.is_(True)).options(selectinload(Entry.measures))
                .order_by(Entry.unit_id, Entry.submission_id, Entry.ordinal))
        if unit:
            viewer = Viewer(user_id=None, username="cli", is_admin=False, unit_id=find_unit(s, unit).id)
            stmt = scoped(stmt, Entry.unit_id, s, viewer)
        found = s.scalars(stmt).all()
        names = unit_names(s, {e.unit_id for e in found})
        rows = [entry_as_dict(e, names) for e in found]
    if as_json:
        _dump(rows)
        return
    for r in rows:
        where = " ".join(x for x in (r["unit"], r["department"], r["position"]) if x)
        click.echo(f"{r['id']:>5}  [{labels.level_name(r['level'], missing=labels.NO_LEVEL)}] {where}:{r['risk']}"
                   f"(措施 {len(r['measures'])} 条)")
    click.echo(f"共 {len(rows)} 个风险点 (entries)")


@cli.command("demo", help="生成演示数据:单位、用户、人员、年度工作和表格 (Fill the store with generated demo data)")
def demo_cmd() -> None:
    from service.demo import load_demo

    summary = load_demo()
    for line in summary.lines():
        click.echo(line)
