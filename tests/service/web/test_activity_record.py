"""The same change made from the CLI and from the admin page is logged the same way:
one action name, the same details; only who acted differs."""

from __future__ import annotations

from sqlalchemy import select

from service.store.db import read_session
from service.store.models import ActivityLog, Campaign, Unit, User


def _rows_after(last_id: int) -> list[dict]:
    with read_session() as s:
        return [{"action": r.action, "object_type": r.object_type, "details": r.details, "actor": r.actor,
                 "user_id": r.user_id}
                for r in s.scalars(select(ActivityLog).where(ActivityLog.id > last_id).order_by(ActivityLog.id))]


def _last_id() -> int:
    with read_session() as s:
        return s.scalar(select(ActivityLog.id).order_by(ActivityLog.id.desc()).limit(1)) or 0


def _id(model, name: str) -> int:  # noqa: ANN001
    with read_session() as s:
        column = User.username if model is User else model.name
        return s.scalar(select(model.id).where(column == name))


def _without_actor(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("actor", "user_id")} for r in rows]


def test_cli_and_web_log_the_same_actions_alike(cli, client_for, post_form, world):
    admin = client_for("admin")
    admin_id = _id(User, "admin")

    def by_cli(*args: str) -> list[dict]:
        start = _last_id()
        assert cli(*args).exit_code == 0
        return _rows_after(start)

    def by_web(path: str, data: dict) -> list[dict]:
        start = _last_id()
        assert post_form(admin, path, data).status_code == 302
        return _rows_after(start)

    cli_unit = by_cli("unit", "add", "水利局")
    web_unit = by_web("/admin/units", {"name": "林业局"})
    assert _without_actor(cli_unit) == [{"action": "unit.create", "object_type": "unit",
                                         "details": {"name": "水利局", "parent_id": None}}]
    assert _without_actor(web_unit) == [{"action": "unit.create", "object_type": "unit",
                                         "details": {"name": "林业局", "parent_id": None}}]
    assert (cli_unit[0]["actor"], cli_unit[0]["user_id"]) == ("cli", None)
    assert (web_unit[0]["actor"], web_unit[0]["user_id"]) == ("admin", admin_id)

    water, forest = _id(Unit, "水利局"), _id(Unit, "林业局")
    assert _without_actor(by_cli("unit", "add", "工程科", "--parent", "水利局")) == [
        {"action": "unit.create", "object_type": "unit", "details": {"name": "工程科", "parent_id": water}}]
    assert _without_actor(by_web("/admin/units", {"name": "工程科", "parent": str(forest)})) == [
        {"action": "unit.create", "object_type": "unit", "details": {"name": "工程科", "parent_id": forest}}]

    user = {"action": "user.create", "object_type": "user"}
    assert _without_actor(by_cli("user", "add", "carol", "--unit", "水利局", "--password", "卡罗尔的密码-2026")) == [
        {**user, "details": {"username": "carol", "admin": False, "unit_id": water}}]
    assert _without_actor(by_web("/admin/users", {"username": "dave", "password": "戴夫的密码-2026",
                                                  "unit": str(forest), "role": "unit"})) == [
        {**user, "details": {"username": "dave", "admin": False, "unit_id": forest}}]

    reset = {"action": "user.password_reset", "object_type": "user"}
    assert _without_actor(by_cli("user", "password", "carol", "--password", "卡罗尔的新密码-2027")) == [
        {**reset, "details": {"username": "carol"}}]
    assert _without_actor(by_web(f"/admin/users/{_id(User, 'dave')}/password", {"password": "戴夫的新密码-2027"})) == [
        {**reset, "details": {"username": "dave"}}]

    campaign = {"action": "campaign.create", "object_type": "campaign"}
    assert _without_actor(by_cli("campaign", "add", "--year", "2026", "--name", "命令行工作")) == [
        {**campaign, "details": {"name": "命令行工作"}}]
    assert _without_actor(by_web("/admin/campaigns", {"name": "网页工作", "year": "2026", "highest": "一级"})) == [
        {**campaign, "details": {"name": "网页工作"}}]
    assert _id(Campaign, "网页工作") and _id(Campaign, "命令行工作")
