"""Review from the first login: the office acts at every step, the page shows what is approved, returns carry row comments."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.store.db import read_session, write_session
from service.store.models import Notification, Submission, User
from service.store.users import hash_password
from tests.service.audit.conftest import entry, form, ingest, make_campaign, make_unit  # noqa: F401 (fixture)

PASSWORD = "review-pass-1"


@pytest.fixture
def client_as(store):  # noqa: ANN001, ANN201
    from service.web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})

    def login(username: str, password: str = PASSWORD) -> FlaskClient:
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 302
        return client

    return login


def users(*specs: tuple[str, str, int | None]) -> None:
    with write_session() as s:
        for name, role, unit_id in specs:
            s.add(User(username=name, password_hash=hash_password(PASSWORD), role=role, unit_id=unit_id))


def post(client: FlaskClient, path: str, data: dict) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review/").get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True).get_data(as_text=True)


def state(submission_id: int) -> str:
    with read_session() as s:
        return s.get(Submission, submission_id).review_state


def test_the_office_reviews_every_unit_out_of_the_box(ingest, client_as) -> None:  # noqa: F811
    make_unit()
    make_unit("安澜县教育局")
    make_campaign()
    first = ingest(form(entry("票据领用核销不及时", level="high"))).submission_id
    second = ingest(form(entry("招生录取暗箱操作"), unit="安澜县教育局"), unit="安澜县教育局",
                    filename="教育局排查表.docx").submission_id
    admin = client_as("admin", "admin-pass")
    queue = admin.get("/review/").get_data(as_text=True)
    assert "没有待您办理的表格" not in queue
    assert "财务科排查表.docx" in queue and "教育局排查表.docx" in queue and queue.count("办公室") >= 2
    filtered = admin.get(f"/review/?unit={make_unit('安澜县教育局')}").get_data(as_text=True)
    assert "教育局排查表.docx" in filtered and "财务科排查表.docx" not in filtered

    # every step, one after the other, by the office alone; the next form opens after each decision
    page = post(admin, f"/review/{first}/decide", {"action": "approve", "comment": "科室环节由办公室代审同意"})
    assert "已打开下一份待审表格" in page and "教育局排查表.docx" in page
    for action in ("approve", "approve", "publish"):
        post(admin, f"/review/{first}/decide", {"action": action, "comment": "同意"})
    assert state(first) == "publicity"
    history = admin.get(f"/review/{first}").get_data(as_text=True)
    assert "admin(领导小组办公室)" in history and "科室环节由办公室代审同意" in history
    assert state(second) == "submitted"


def test_unit_roles_refine_the_chain_and_an_office_user_sees_all(ingest, client_as) -> None:  # noqa: F811
    unit = make_unit()
    make_campaign()
    users(("kezhang", "department_head", unit), ("bangongshi", "office", None))
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    assert "科室负责人 kezhang" in client_as("admin", "admin-pass").get("/review/").get_data(as_text=True)
    assert "财务科排查表.docx" in client_as("kezhang").get("/review/").get_data(as_text=True)
    office = client_as("bangongshi")
    assert "财务科排查表.docx" in office.get("/review/").get_data(as_text=True)
    post(office, f"/review/{sub}/decide", {"action": "approve", "comment": "同意"})
    assert state(sub) == "dept_review"


def test_review_page_shows_rows_findings_original_and_returns_with_row_comments(ingest, client_as) -> None:  # noqa: F811
    unit = make_unit()
    make_campaign()
    users(("caiwu", "unit", unit))
    sub = ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[]))).submission_id
    with read_session() as s:
        ids = [e.id for e in s.get(Submission, sub).entries]
    admin = client_as("admin", "admin-pass")
    page = admin.get(f"/review/{sub}").get_data(as_text=True)
    assert "票据领用核销不及时" in page and "第3行" in page  # entries as read, with their source rows
    row = re.search(rf'<tr id="row-{ids[1]}".*?</tr>', page, re.S).group(0)
    assert "未制定防控措施" in row  # the finding sits beside the row it concerns
    assert "审核通过" in page and "退回修改" in page and f'name="row-{ids[1]}"' in page
    assert f"/submissions/{sub}/original" in page

    done = post(admin, f"/review/{sub}/decide", {"action": "return", "comment": "",
                                                 f"row-{ids[1]}": "请补充三道防线的防控措施"})
    assert "附逐行意见1条" in done and state(sub) == "returned"
    unit_user = client_as("caiwu")
    fix = unit_user.get("/review/fix").get_data(as_text=True)
    assert "请补充三道防线的防控措施" in fix and "原表第3行" in fix and "admin" in fix
    with read_session() as s:
        notes = s.scalars(select(Notification).where(Notification.kind == "returned")).all()
    assert [n.title for n in notes] == ["表格被退回:财务科排查表.docx"]
    refused = post(admin, f"/review/{sub}/decide", {"action": "return", "comment": "x", "row-999999": "别的表"})
    assert "当前状态为“退回修改”,不能退回" in refused


SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "samples"


def _upload(client: FlaskClient, path, unit: int) -> int:  # noqa: ANN001
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/upload").get_data(as_text=True)).group(1)
    response = client.post("/upload", data={"csrf_token": token, "unit": str(unit), "files": (path.open("rb"), path.name)},
                           headers={"Accept": "application/json"}, content_type="multipart/form-data")
    return response.json["outcomes"][0]["submission_id"]


def test_the_original_pdf_is_shown_beside_the_entries(client_for_admin) -> None:
    admin, unit = client_for_admin
    sub = _upload(admin, SAMPLES / "p05_text_pdf.pdf", unit)
    page = admin.get(f"/review/{sub}").get_data(as_text=True)
    assert f'<iframe class="original" loading="lazy" src="/review/{sub}/preview"' in page
    preview = admin.get(f"/review/{sub}/preview")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf" and preview.data[:5] == b"%PDF-"
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.libreoffice
def test_a_word_original_is_converted_once_for_its_preview(client_for_admin) -> None:
    admin, unit = client_for_admin
    sub = _upload(admin, SAMPLES / "p01_keshi_standard.docx", unit)
    first = admin.get(f"/review/{sub}/preview")
    assert first.status_code == 200 and first.data[:5] == b"%PDF-"
    assert admin.get(f"/review/{sub}/preview").data == first.data  # the cached conversion


@pytest.fixture
def client_for_admin(client_as):  # noqa: ANN001, ANN201
    make_campaign()
    return client_as("admin", "admin-pass"), make_unit()


def test_findings_of_a_form_as_json_for_the_upload_results(ingest, client_as) -> None:  # noqa: F811
    unit = make_unit()
    make_unit("安澜县教育局")
    make_campaign()
    users(("caiwu", "unit", unit))
    sub = ingest(form(entry("票据领用核销不及时"), entry("专项资金挤占挪用", measures=[]))).submission_id
    with read_session() as s:
        second = s.get(Submission, sub).entries[1].id
    found = client_as("caiwu").get(f"/review/{sub}/findings").json["findings"]
    assert any(f["link"] == f"/review/{sub}#row-{second}" and "未制定防控措施" in f["message"] for f in found)
    users(("jiaoyu", "unit", make_unit("安澜县教育局")))
    assert client_as("jiaoyu").get(f"/review/{sub}/findings").status_code == 404


def test_the_unit_hears_when_its_form_is_published(ingest, client_as) -> None:  # noqa: F811
    unit = make_unit()
    make_campaign()
    users(("caiwu", "unit", unit))
    sub = ingest(form(entry("票据领用核销不及时"))).submission_id
    admin = client_as("admin", "admin-pass")
    for action in ("approve", "approve", "approve", "publish"):
        post(admin, f"/review/{sub}/decide", {"action": action, "comment": "同意"})
    todo = client_as("caiwu").get("/todo").get_data(as_text=True)
    assert "表格已公示,公示期至" in todo and "财务科排查表.docx" in todo


def test_an_original_lost_from_the_file_store_is_said_so(client_for_admin) -> None:
    """Download and preview share one lookup: a stored file gone missing reads as such, not as a bare 404."""
    from service.store import files

    admin, unit = client_for_admin
    sub = _upload(admin, SAMPLES / "p05_text_pdf.pdf", unit)
    with read_session() as s:
        sha256 = s.get(Submission, sub).sha256
    files.path_for(sha256).unlink()
    for url in (f"/submissions/{sub}/original", f"/review/{sub}/preview"):
        response = admin.get(url)
        assert response.status_code == 404
        assert "原件文件已不在存储中" in response.get_data(as_text=True)
    assert admin.get(f"/submissions/{sub + 100}/original").status_code == 404
