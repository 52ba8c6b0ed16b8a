"""Bulk import of units and users from the template (check first, then import), bulk roles, the activity log."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import select

from service.store.db import read_session
from service.store.models import Unit, User


def filled(units: list[list[str]], users: list[list[str]], template: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for row in units:
        wb["单位"].append(row)
    for row in users:
        wb["用户"].append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, csrf_of, data: bytes, name: str = "导入.xlsx") -> str:  # noqa: ANN001
    token = csrf_of(client, "/admin/people")
    return client.post("/admin/people/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def test_check_lists_row_errors_and_writes_nothing_then_imports(client_for, world, csrf_of) -> None:
    admin = client_for("admin")
    template = admin.get("/admin/people/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    bad = filled([["安澜县水利局", ""], ["防汛科", "安澜县不存在局"]],
                 [["shuili", "安澜县水利局", "", "科室负责人", "shuili-pass-1", ""],
                  ["shuili2", "安澜县水利局", "财务科", "部长", "123", "not-an-email"],
                  ["alice", "安澜县财政局", "", "单位填报人", "alice-pass-12", ""]], template.data)
    page = upload(admin, csrf_of, bad)
    assert "2 行有问题" in page
    assert "上级单位“安澜县不存在局”不存在" in page and "“安澜县水利局”没有科室“财务科”" in page
    assert "角色“部长”无法识别" in page and "初始密码不符合要求" in page and "邮箱格式不正确" in page
    assert "用户名已存在,跳过" in page and ">确认导入</button>" not in page
    with read_session() as s:
        assert s.scalar(select(Unit).where(Unit.name == "安澜县水利局")) is None  # the check wrote nothing

    good = filled([["安澜县水利局", ""], ["防汛科", "安澜县水利局"]],
                  [["shuili", "安澜县水利局", "", "单位填报人", "shuili-pass-1", "sl@example.cn"],
                   ["fangxun", "安澜县水利局", "防汛科", "科室负责人", "fangxun-pass-1", ""]], template.data)
    page = upload(admin, csrf_of, good)
    assert "全部 4 行检查通过" in page and "新增科室(属安澜县水利局)" in page
    token = csrf_of(admin, "/admin/people")
    done = admin.post("/admin/people/import", data={"csrf_token": token, "apply": "1"}, follow_redirects=True)
    assert "导入完成:新增单位和科室2个,新增用户2个" in done.get_data(as_text=True)
    with read_session() as s:
        fangxun = s.scalar(select(User).where(User.username == "fangxun"))
        dept = s.get(Unit, fangxun.unit_id)
        assert dept.name == "防汛科" and fangxun.role == "department_head"
        assert s.scalar(select(User.email).where(User.username == "shuili")) == "sl@example.cn"
    assert "请上传由模板填写的 .xlsx 文件" in upload(admin, csrf_of, b"%PDF-1.4 not a workbook", "x.pdf")


def test_bulk_roles_and_the_activity_log(client_for, world, csrf_of) -> None:
    admin = client_for("admin")
    with read_session() as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
    listing = admin.get(f"/admin/people?unit={world.unit_a}").get_data(as_text=True)
    assert "alice" in listing and "bob" not in listing
    token = csrf_of(admin, "/admin/people")
    done = admin.post("/admin/people/roles", data={"csrf_token": token, "role": "leader",
                                                   "user": [str(ids["alice"]), str(ids["bob"])]},
                      follow_redirects=True).get_data(as_text=True)
    assert "已将2个用户设为“分管领导”" in done
    with read_session() as s:
        assert set(s.scalars(select(User.role).where(User.username.in_(["alice", "bob"])))) == {"leader"}

    log = admin.get("/admin/log?action=user.role").get_data(as_text=True)
    rows = re.findall(r'data-code="([a-z_.]+)"', log)
    assert rows == ["user.role", "user.role"]
    assert "登录" in admin.get("/admin/log?actor=admin").get_data(as_text=True)
    assert client_for("alice").get("/admin/log").status_code == 403


def test_the_log_speaks_chinese_about_review_steps(client_for, world, seed) -> None:
    from service.review import decide
    from service.store.scope import Viewer

    sub = seed(world.unit_a, 1)
    decide(sub, "return", viewer=Viewer.system(), comment="请补充措施")
    log = client_for("admin").get("/admin/log?action=review.return").get_data(as_text=True)
    assert "审核状态至:退回修改" in log and "returned" not in log.split("<tbody>")[1].replace('data-code="review.return"', "")
    assert f'href="/review/{sub}"' in log
