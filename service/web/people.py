"""Page: 批量导入单位与用户 and 批量设置审核角色 (admin only).

The import reads the downloadable .xlsx template (sheets 单位 and 用户). A check (dry run)
lists every row with what would happen or why it cannot, and writes nothing; only a file
whose every row passes is imported, in one transaction. Between the check and the import the
file is kept in the content-addressed store and named in the session, so the import is
exactly the file that was checked.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from flask import Blueprint, flash, redirect, render_template, request, send_file, session, url_for
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from parsers.errors import ParseError
from parsers.sniff import sniff
from service.store import files
from service.store.activity import Actor
from service.store.db import read_session, write_session
from service.store.models import Unit, User
from service.store.units import add_unit, find_unit
from service.store.users import add_user, password_problem, set_role
from service.web import queries
from service.web.admin import ROLES as ASSIGNABLE
from service.web.auth import admin_required, current_viewer

bp = Blueprint("people", __name__, url_prefix="/admin/people")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_HEADERS = ["单位名称", "上级单位(科室填写所属单位,单位留空)"]
USER_HEADERS = ["用户名", "所属单位", "所属科室(可不填)", "角色", "初始密码", "邮箱(可不填)"]
# Role names as written in the template -> the stored role.
ROLE_NAMES = {"单位填报人": "unit", "填报人": "unit", "科室负责人": "department_head", "分管领导": "leader",
              "领导小组": "group", "办公室": "office"}
MAX_ROWS = 2000
SESSION_KEY = "people_import"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class RowResult:
    sheet: str
    row: int
    name: str
    action: str = ""  # 新增 / 已存在,跳过
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    rows: list[RowResult] = field(default_factory=list)
    units: list[tuple[str, str | None]] = field(default_factory=list)  # (name, parent name) to create
    users: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # the whole file could not be read

    @property
    def ok(self) -> bool:
        return self.problem is None and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def template() -> bytes:
    """The import template: 单位 and 用户 sheets with headers, and a sheet of instructions."""
    wb = openpyxl.Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F0EBE3")
    for i, (title, headers, widths) in enumerate((("单位", UNIT_HEADERS, [30, 36]),
                                                 ("用户", USER_HEADERS, [16, 24, 18, 14, 16, 26]))):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(headers)
        for col, width in enumerate(widths, 1):
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill = bold, fill
            ws.column_dimensions[chr(64 + col)].width = width
        ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    for line in ("“单位”表:每行一个单位或科室。科室在“上级单位”中填写所属单位名称;所属单位可以是本表中前面的行。",
                 "“用户”表:每行一个账号。所属单位必须已存在或在“单位”表中;所属科室须是该单位的科室。",
                 f"角色填写:{'、'.join(ROLE_NAMES)}。初始密码至少10位,不能是常见密码;用户首次登录时须改为自己的密码。",
                 "导入前系统会先逐行检查并列出问题,检查全部通过后才会写入;已存在的单位和用户名会跳过。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cells(ws: Any) -> list[tuple[int, list[str]]]:
    rows = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        texts = ["" if v is None else str(v).strip() for v in values]
        if any(texts):
            rows.append((number, texts + [""] * 6))
        if len(rows) > MAX_ROWS:
            break
    return rows


@dataclass(slots=True)
class _Known:
    """Units and usernames that exist, plus those the file adds as it is read top to bottom."""
    tops: dict[str, int]
    depts: set[tuple[str, str]]  # (top unit name, department name)
    usernames: set[str]
    new_tops: set[str] = field(default_factory=set)
    new_depts: set[tuple[str, str]] = field(default_factory=set)
    seen_users: set[str] = field(default_factory=set)

    def has_top(self, name: str) -> bool:
        return name in self.tops or name in self.new_tops

    def has_dept(self, top: str, name: str) -> bool:
        return (top, name) in self.depts or (top, name) in self.new_depts


def _open_workbook(data: bytes, filename: str) -> tuple[Any, str | None]:
    """The workbook, or the one message telling the user why the file cannot be read."""
    try:
        if sniff(data, filename) != "xlsx":
            return None, "请上传由模板填写的 .xlsx 文件"
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True), None
    except ParseError as exc:
        return None, exc.message
    except Exception:  # noqa: BLE001 (any unreadable workbook is the same answer to the user)
        return None, "文件无法读取,请用下载的模板填写后另存为 .xlsx"


def _known() -> _Known:
    """What the database already holds, so rows naming it are skipped or may refer to it."""
    with read_session() as s:
        tops = {n: i for i, n in s.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None)))}
        depts = {(p, n) for p, n in s.execute(select(Unit.parent_id, Unit.name).where(Unit.parent_id.is_not(None)))}
        top_names = {i: n for n, i in tops.items()}
        known_depts = {(top_names[p], n) for p, n in depts if p in top_names}
        usernames = set(s.scalars(select(User.username)))
    return _Known(tops, known_depts, usernames)


def _unit_error(known: _Known, name: str, parent: str) -> str | None:
    if not name:
        return "单位名称为空"
    if len(name) > 200:
        return "单位名称超过200字"
    if parent and not known.has_top(parent):
        return f"上级单位“{parent}”不存在,请先在本表前面的行中添加"
    if parent == name:
        return "上级单位不能是自己"
    return None


def _check_unit(plan: Plan, known: _Known, number: int, name: str, parent: str) -> RowResult:
    """One 单位 row; a unit it adds becomes known to the rows after it."""
    r = RowResult("单位", number, name)
    if error := _unit_error(known, name, parent):
        r.errors.append(error)
    elif known.has_dept(parent, name) if parent else known.has_top(name):
        r.action = "已存在,跳过"
    else:
        r.action = f"新增科室(属{parent})" if parent else "新增单位"
        (known.new_depts.add((parent, name)) if parent else known.new_tops.add(name))
        plan.units.append((name, parent or None))
    return r


def _username_error(known: _Known, username: str) -> str | None:
    if not username:
        return "用户名为空"
    if len(username) > 100:
        return "用户名超过100字"
    if username in known.seen_users:
        return "用户名在本表中重复"
    return None


def _user_unit_error(known: _Known, unit: str, dept: str) -> str | None:
    if not unit:
        return "所属单位为空"
    if not known.has_top(unit):
        return f"所属单位“{unit}”不存在,请在“单位”表中添加"
    if dept and not known.has_dept(unit, dept):
        return f"“{unit}”没有科室“{dept}”,请在“单位”表中添加"
    return None


def _check_user(plan: Plan, known: _Known, number: int, cells: list[str]) -> RowResult:
    """One 用户 row: every problem with it is listed, not just the first."""
    username, unit, dept, role_name, password, email, *_ = cells
    r = RowResult("用户", number, username)
    role = ROLE_NAMES.get(role_name or "单位填报人")
    r.errors += filter(None, (_username_error(known, username), _user_unit_error(known, unit, dept)))
    if role is None:
        r.errors.append(f"角色“{role_name}”无法识别,应为{'、'.join(ROLE_NAMES)}之一")
    if username in known.usernames:
        r.action = "用户名已存在,跳过"
    elif problem := password_problem(password, username):
        r.errors.append(f"初始密码不符合要求:{problem}")
    if email and not EMAIL.match(email):
        r.errors.append(f"邮箱格式不正确:{email}")
    if not r.errors and not r.action:
        r.action = f"新增用户({ASSIGNABLE[role]})"
        plan.users.append({"username": username, "unit": unit, "dept": dept or None, "role": role,
                           "password": password, "email": email or None})
    known.seen_users.add(username)
    return r


def check(data: bytes, filename: str) -> Plan:
    """Every row of the file with what importing it would do or why it cannot; writes nothing."""
    plan = Plan()
    wb, plan.problem = _open_workbook(data, filename)
    if wb is None:
        return plan
    if "单位" not in wb.sheetnames and "用户" not in wb.sheetnames:
        plan.problem = "文件中没有“单位”或“用户”工作表,请使用下载的模板"
        return plan
    unit_rows = _cells(wb["单位"]) if "单位" in wb.sheetnames else []
    user_rows = _cells(wb["用户"]) if "用户" in wb.sheetnames else []
    if len(unit_rows) + len(user_rows) > MAX_ROWS:
        plan.problem = f"一次最多导入{MAX_ROWS}行,请分批导入"
        return plan
    known = _known()
    for number, (name, parent, *_) in unit_rows:
        plan.rows.append(_check_unit(plan, known, number, name, parent))
    for number, cells in user_rows:
        plan.rows.append(_check_user(plan, known, number, cells))
    if not plan.rows:
        plan.problem = "模板中没有填写任何单位或用户"
    return plan


def apply(plan: Plan) -> tuple[int, int]:
    """Write a checked plan in one transaction; returns (units created, users created)."""
    viewer = current_viewer()
    units = users = 0
    with write_session() as s:
        for name, parent in plan.units:
            parent_id = find_unit(s, parent).id if parent else None
            units += add_unit(s, name, parent_id, actor=Actor.of(viewer))[1]
        for u in plan.users:
            unit_id = find_unit(s, f"{u['unit']}/{u['dept']}" if u["dept"] else u["unit"]).id
            user, created = add_user(s, u["username"], u["password"], role=u["role"], unit_id=unit_id,
                                     actor=Actor.of(viewer), must_change=True)
            if created:
                user.email = u["email"]
                users += 1
    return units, users


def _users() -> list[dict[str, Any]]:
    with read_session() as s:
        return [{"id": i, "username": n, "role": r, "unit_id": u, "email": e} for i, n, r, u, e in s.execute(
            select(User.id, User.username, User.role, User.unit_id, User.email).where(User.is_admin.is_(False))
            .order_by(User.unit_id, User.username))]


@bp.get("")
@admin_required
def index() -> Any:
    units = queries.units(current_viewer())
    names = {u["id"]: u["name"] for u in units}
    unit = request.args.get("unit", "")
    people = [dict(u, unit=names.get(u["unit_id"], "—")) for u in _users()]
    if unit.isdigit():
        wanted = int(unit)
        with read_session() as s:
            ids = {wanted, *s.scalars(select(Unit.id).where(Unit.parent_id == wanted))}
        people = [p for p in people if p["unit_id"] in ids]
    if role := request.args.get("role"):
        people = [p for p in people if p["role"] == role]
    return render_template("admin/people.html", people=people, roles=ASSIGNABLE, args=request.args,
                           top_units=[u for u in units if " / " not in u["name"]], plan=None)


@bp.get("/template.xlsx")
@admin_required
def download_template() -> Any:
    return send_file(io.BytesIO(template()), mimetype=XLSX, as_attachment=True, download_name="单位与用户导入模板.xlsx")


@bp.post("/import")
@admin_required
def import_file() -> Any:
    upload = request.files.get("file")
    if request.form.get("apply") == "1":
        stashed = session.get(SESSION_KEY)
        if not stashed:
            flash("请先上传文件并检查", "error")
            return redirect(url_for("people.index"))
        try:
            data = files.get(stashed["sha256"])
        except FileNotFoundError:
            flash("检查过的文件已不在,请重新上传", "error")
            return redirect(url_for("people.index"))
        plan = check(data, stashed["name"])
        if not plan.ok:
            flash("文件中仍有问题,未导入任何内容", "error")
        else:
            units, users = apply(plan)
            session.pop(SESSION_KEY, None)
            flash(f"导入完成:新增单位和科室{units}个,新增用户{users}个", "ok")
            return redirect(url_for("people.index"))
    elif upload is None or not upload.filename:
        flash("请选择要导入的 .xlsx 文件", "error")
        return redirect(url_for("people.index"))
    else:
        data = upload.read()
        plan = check(data, upload.filename)
        if plan.ok:
            session[SESSION_KEY] = {"sha256": files.put(data), "name": upload.filename}
    return render_template("admin/people.html", plan=plan, people=[], roles=ASSIGNABLE, args={}, top_units=[])


@bp.post("/roles")
@admin_required
def assign_roles() -> Any:
    """Give the chosen users one review role (批量设置审核角色)."""
    role = request.form.get("role", "")
    ids = [int(x) for x in request.form.getlist("user") if x.isdigit()]
    if role not in ASSIGNABLE:
        flash("请选择要设置的角色", "error")
    elif not ids:
        flash("请勾选要设置角色的用户", "error")
    else:
        viewer = current_viewer()
        with write_session() as s:
            changed = s.scalars(select(User).where(User.id.in_(ids), User.is_admin.is_(False))).all()
            for user in changed:
                set_role(s, user, role, actor=Actor.of(viewer))
        flash(f"已将{len(changed)}个用户设为“{ASSIGNABLE[role]}”", "ok")
    return redirect(url_for("people.index", **{k: v for k, v in request.form.items() if k in ("unit",) and v}))
