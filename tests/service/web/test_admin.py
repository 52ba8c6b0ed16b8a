"""管理 page: units and departments, users, campaigns; admin only."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.store.db import read_session
from service.store.models import User


def test_admin_creates_unit_department_user_campaign(app, client_for, post_form, login):
    admin = client_for("admin")
    post_form(admin, "/admin/units", {"name": "安澜县水利局"})
    html = admin.get("/admin").get_data(as_text=True)
    assert "已添加:安澜县水利局" in html
    unit_id = re.search(r'value="(\d+)"[^>]*>安澜县水利局<', html).group(1)
    post_form(admin, "/admin/units", {"name": "工程科", "parent": unit_id})
    assert "安澜县水利局 / 工程科" in admin.get("/admin").get_data(as_text=True)

    post_form(admin, "/admin/users", {"username": "carol", "password": "short", "unit": unit_id})
    assert "密码至少需要 10 个字符" in admin.get("/admin").get_data(as_text=True)
    post_form(admin, "/admin/users", {"username": "carol", "password": "carol-pass-1", "unit": unit_id, "role": "unit"})
    assert "已创建用户:carol" in admin.get("/admin").get_data(as_text=True)
    carol = app.test_client()
    login(carol, "carol", "carol-pass-1")
    # the admin chose that password: carol sets her own before anything else
    assert carol.get("/upload").headers["Location"] == "/account"
    post_form(carol, "/account/password", {"current_password": "carol-pass-1", "new_password": "卡罗尔的新密码-2026",
                                           "confirm_password": "卡罗尔的新密码-2026"})
    assert carol.get("/upload").status_code == 200

    post_form(admin, "/admin/campaigns", {"name": "2026年度酒泉式工作", "year": "2026", "highest": "三级",
                                          "stages": "动员部署,2026-03-01,2026-03-31\n查找风险,2026-04-01,2026-06-30,2026-06-20"})
    html = admin.get("/admin").get_data(as_text=True)
    assert "已创建工作:2026年度酒泉式工作" in html and "报送截止 2026-06-20" in html
    post_form(admin, "/admin/campaigns", {"name": "坏工作", "year": "2026", "stages": "阶段,2026-05-01,2026-04-01"})
    assert "开始日期晚于结束日期" in admin.get("/admin").get_data(as_text=True)


def test_unit_users_cannot_post_admin_forms(client_for, post_form):
    alice = client_for("alice")
    assert post_form(alice, "/admin/users", {"username": "x", "password": "xxxxxxxxxx", "is_admin": "1"}).status_code == 403
    with read_session() as s:
        assert s.scalar(select(User).where(User.username == "x")) is None
