"""The batches pages: an admin uploads a .zip that becomes a batch, follows it, downloads the report."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.demo import make_form_docx, make_form_xlsx
from service.store.db import read_session, write_session
from service.store.models import Batch, Unit, User
from tests.service.batch.batch_helpers import form_spec, wait_until


def _csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _client(username: str, password: str) -> FlaskClient:
    from service.web import create_app

    client = create_app({"TESTING": True, "SECRET_KEY": "test-secret"}).test_client()
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": _csrf(client, "/login")})
    assert response.status_code == 302
    return client


@pytest.fixture
def admin(units) -> Iterator[FlaskClient]:  # noqa: ANN001
    yield _client("admin", "admin-pass")
    for thread in threading.enumerate():  # the upload's background run must end with its store
        if thread.name.startswith("batch-"):
            thread.join(120)


def _archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("财务局/一科.docx", make_form_docx(form_spec("财务局", 1)))
        z.writestr("教育局/二科.xlsx", make_form_xlsx(form_spec("教育局", 2)))
        z.writestr("教育局/坏表.docx", b"PK\x03\x04 broken")
        z.writestr("../逃逸.docx", b"x")
    return buf.getvalue()


def _upload(client: FlaskClient, data: bytes, name: str = "上报.zip"):  # noqa: ANN202
    return client.post(
        "/batches/upload",
        data={"archive": (io.BytesIO(data), name), "unit_from": "folder", "csrf_token": _csrf(client, "/batches/")},
        content_type="multipart/form-data",
    )


def test_an_uploaded_zip_becomes_a_batch_with_progress_and_report(admin: FlaskClient) -> None:
    response = _upload(admin, _archive())
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    wait_until(lambda: admin.get(f"/batches/{batch_id}/status.json").get_json()["finished"], 120, "the batch")

    status = admin.get(f"/batches/{batch_id}/status.json").get_json()
    assert status["counts"] == {"queued": 0, "running": 0, "done": 2, "failed": 2, "total": 4, "duplicate": 0,
                                "held": 0}
    page = admin.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert "已完成" in page and "上报.zip!/财务局/一科.docx" in page and "不安全" in page
    assert "batches/progress.js" in page

    xlsx = admin.get(f"/batches/{batch_id}/report.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(min_row=4, values_only=True))
    assert sorted(r[2] for r in rows) == ["失败", "失败", "已入库", "已入库"]
    files = admin.get(f"/batches/{batch_id}/report.json").get_json()["files"]
    assert {f["unit"] for f in files if f["outcome"] == "done"} == {"财务局", "教育局"}
    assert "上报.zip" in admin.get("/batches/").get_data(as_text=True)


def test_a_file_that_is_not_a_zip_is_refused_with_a_message(admin: FlaskClient) -> None:
    response = _upload(admin, b"just text", "forms.zip")
    assert response.status_code == 302
    assert "不是有效的 .zip" in admin.get("/batches/").get_data(as_text=True)
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0


def test_unit_users_cannot_see_or_upload_batches(admin: FlaskClient) -> None:
    _upload(admin, _archive())
    wait_until(lambda: admin.get("/batches/1/status.json").get_json()["finished"], 120, "the batch")
    with write_session() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "财务局"))
        from werkzeug.security import generate_password_hash

        s.add(User(username="clerk", password_hash=generate_password_hash("clerk-pass-1"), unit_id=unit_id))
    clerk = _client("clerk", "clerk-pass-1")
    assert "由管理员办理" in clerk.get("/batches/").get_data(as_text=True)
    assert clerk.get("/batches/1").status_code == 403
    assert clerk.get("/batches/1/report.xlsx").status_code == 403
    response = clerk.post("/batches/upload", data={"csrf_token": _csrf(clerk, "/batches/")})
    assert response.status_code == 403
    assert admin.get("/batches/999").status_code == 404
