"""Page: 管理 (admin only) — units and departments, user accounts, campaigns."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.store.activity import Actor
from service.store.campaigns import DEFAULT_LEVEL_STANDARD, CampaignError, add_campaign
from service.store.db import read_session, write_session
from service.store.ids import parse_id
from service.store.models import Unit, User
from service.store.units import add_unit
from service.store.users import add_user, set_disabled, set_password, sign_out_everywhere
from service.web import queries
from service.web.auth import admin_required, current_viewer

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLES = {"unit": "单位填报人", "department_head": "科室负责人", "leader": "分管领导", "group": "领导小组", "office": "办公室"}


def _back() -> Any:
    return redirect(url_for("admin.index"))


@bp.get("")
@admin_required
def index() -> Any:
    with read_session() as s:
        users = [{"id": u.id, "username": u.username, "is_admin": u.is_admin, "role": u.role, "unit_id": u.unit_id,
                  "disabled": u.disabled} for u in s.scalars(select(User).order_by(User.id))]
    units = queries.units(current_viewer())
    names = {u["id"]: u["name"] for u in units}
    for u in users:
        u["unit"] = names.get(u["unit_id"])
    with read_session() as s:
        top = [{"id": i, "name": n} for i, n in s.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))
                                                           .order_by(Unit.name))]
    return render_template("admin/index.html", units=units, top_units=top, users=users, roles=ROLES,
                           campaigns=queries.campaigns())


@bp.post("/units")
@admin_required
def create_unit() -> Any:
    name = request.form.get("name", "").strip()
    parent = request.form.get("parent", "")
    if not name:
        flash("请填写单位或科室名称", "error")
        return _back()
    with write_session() as s:
        unit, created = add_unit(s, name, parse_id(parent), actor=Actor.of(current_viewer()))
    flash(f"已添加:{name}" if created else f"已存在:{name}", "ok")
    return _back()


@bp.post("/users")
@admin_required
def create_user() -> Any:
    form = request.form
    username = form.get("username", "").strip()
    password = form.get("password", "")
    is_admin = form.get("is_admin") == "1"
    unit = form.get("unit", "")
    role = "admin" if is_admin else form.get("role", "unit")
    problem = (
        "请填写用户名" if not username or len(username) > 100
        else "请为单位用户选择所属单位" if not is_admin and parse_id(unit) is None
        else "未知的角色" if not is_admin and role not in ROLES
        else None
    )
    if problem:
        flash(problem, "error")
        return _back()
    viewer = current_viewer()
    with write_session() as s:
        unit_id = parse_id(unit) if parse_id(unit) and s.get(Unit, parse_id(unit)) else None
        # The admin knows this password: the user replaces it at first login.
        _, created = add_user(s, username, password, is_admin=is_admin, role=role, unit_id=unit_id,
                              actor=Actor.of(viewer), must_change=True)
    if not created:
        flash(f"用户名已存在:{username}", "error")
        return _back()
    flash(f"已创建用户:{username}", "ok")
    return _back()


def _account(s: Any, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
@admin_required
def user_detail(user_id: int) -> Any:
    with read_session() as s:
        user = _account(s, user_id)
        info = {"id": user.id, "username": user.username, "is_admin": user.is_admin, "disabled": user.disabled,
                "must_change": user.must_change_password, "role": "管理员" if user.is_admin else ROLES.get(user.role),
                "unit": s.get(Unit, user.unit_id).name if user.unit_id else None}
    return render_template("admin/user.html", user=info, is_self=user_id == current_viewer().user_id)


def _back_to(user_id: int) -> Any:
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int) -> Any:
    """A new password the user must replace at the next login; their sign-ins end now."""
    with write_session() as s:
        user = _account(s, user_id)
        set_password(s, user, request.form.get("password", ""), must_change=True, actor=Actor.of(current_viewer()))
        name = user.username
    flash(f"已重置 {name} 的密码,其登录已全部退出;下次登录时须修改密码", "ok")
    return _back_to(user_id)


@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable_user(user_id: int) -> Any:
    """Disable (disabled=1) or enable (disabled=0) an account; disabling ends its sign-ins and tokens' use."""
    disable = request.form.get("disabled", "1") == "1"
    if disable and user_id == current_viewer().user_id:
        flash("不能停用自己的账号", "error")
        return _back_to(user_id)
    with write_session() as s:
        user = _account(s, user_id)
        set_disabled(s, user, disable, actor=Actor.of(current_viewer()))
        name = user.username
    flash(f"已停用账号 {name},其登录已全部退出" if disable else f"已启用账号 {name}", "ok")
    return _back_to(user_id)


@bp.post("/users/<int:user_id>/signout")
@admin_required
def sign_out_user(user_id: int) -> Any:
    with write_session() as s:
        user = _account(s, user_id)
        count = sign_out_everywhere(s, user, actor=Actor.of(current_viewer()))
        name = user.username
    flash(f"已退出 {name} 在所有设备上的 {count} 处登录", "ok")
    return _back_to(user_id)


def _stages(text: str) -> list[dict[str, Any]]:
    """Lines of '名称,开始,结束[,截止]' (comma or full-width comma); a deadline marks a collecting stage."""
    stages = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        if not any(parts):
            continue
        if len(parts) not in (3, 4):
            raise CampaignError(f"阶段格式应为“名称,开始日期,结束日期[,报送截止日期]”:{line.strip()}")
        stage: dict[str, Any] = {"name": parts[0], "start": parts[1], "end": parts[2]}
        if len(parts) == 4 and parts[3]:
            stage.update(deadline=parts[3], submissions=True)
        stages.append(stage)
    return stages


def _level_standard(highest: str) -> dict[str, Any]:
    """一级 highest is the default; with 三级 highest the 一级 and 三级 labels trade places."""
    standard = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULT_LEVEL_STANDARD.items()}
    if highest == "三级":
        swap = {"一级": "三级", "三级": "一级"}
        standard = {k: [swap.get(x, x) for x in v] if isinstance(v, list) else "三级" for k, v in standard.items()}
    return standard


@bp.post("/campaigns")
@admin_required
def create_campaign() -> Any:
    form = request.form
    year = parse_id(form.get("year", ""))
    if year is None or not 1000 <= year <= 9999:
        raise CampaignError("请填写年度(四位数字)")
    spec: dict[str, Any] = {"name": form.get("name", "").strip(), "year": year,
                            "level_standard": _level_standard(form.get("highest", "一级")),
                            "owner_required": form.get("owner_required") == "1"}
    if not spec["name"]:
        raise CampaignError("请填写工作名称")
    stages = _stages(form.get("stages", ""))
    if stages:
        spec["stages"] = stages
    with write_session() as s:
        add_campaign(s, spec, actor=Actor.of(current_viewer()))
    flash(f"已创建工作:{spec['name']}", "ok")
    return _back()
