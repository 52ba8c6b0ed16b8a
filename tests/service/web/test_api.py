"""/api/v1 with bearer tokens: the same role rules as the pages, errors as {error: {code, message}}."""

from __future__ import annotations

import io
import shutil

import pytest

from service.web.auth import create_token


@pytest.fixture
def api(app, world):  # noqa: ANN001, ANN201
    """A client for `username` carrying that user's bearer token."""

    def make(username: str):  # noqa: ANN202
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(username)}"
        return client

    return make


def _post_file(client, name: str, data: bytes, **fields):  # noqa: ANN001, ANN003, ANN202
    return client.post("/api/v1/submissions", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def test_requests_without_a_valid_token_are_401(app, world):
    client = app.test_client()
    response = client.get("/api/v1/entries")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    assert client.get("/api/v1/submissions").status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client_for):
    """The API takes bearer tokens only, so a cross-site page cannot ride a user's session."""
    assert client_for("alice").get("/api/v1/submissions").status_code == 401


def test_upload_returns_201_with_entries(api, samples_dir):
    client = api("alice")
    response = _post_file(client, "科室排查表.docx", (samples_dir / "p01_keshi_standard.docx").read_bytes())
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "parsed" and body["original_name"] == "科室排查表.docx"
    assert len(body["entries"]) == 6
    assert body["entries"][0]["risk"] == "名称预先核准中违规核准与他人近似的企业名称"
    assert body["entries"][0]["measures"][0]["text"] == "严格执行企业名称登记管理规定"

    again = client.get(f"/api/v1/submissions/{body['id']}")
    assert again.status_code == 200 and again.json["entry_count"] == 6
    listing = client.get("/api/v1/submissions").json
    assert listing["total"] == 1 and listing["items"][0]["id"] == body["id"]

    same = _post_file(client, "再次上传.docx", (samples_dir / "p01_keshi_standard.docx").read_bytes())
    assert same.status_code == 200 and same.json["id"] == body["id"]  # a duplicate adds nothing


def test_unreadable_file_is_422_with_code_and_chinese_message(api, samples_dir):
    response = _post_file(api("alice"), "汇报.docx", (samples_dir / "p09_not_a_form.docx").read_bytes())
    assert response.status_code == 422
    assert response.json["error"]["code"] == "not_a_form"
    assert "未找到风险点表格" in response.json["error"]["message"]
    garbage = _post_file(api("alice"), "坏.xlsx", b"PK\x03\x04 not really a zip")
    assert garbage.status_code == 422 and garbage.json["error"]["message"]


def test_missing_file_field_is_400(api):
    response = api("alice").post("/api/v1/submissions", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and response.json["error"]["code"] == "file_required"


def test_admin_uploads_for_a_chosen_unit(api, world, samples_dir):
    data = (samples_dir / "p07_gaozhongdi.xlsx").read_bytes()
    assert _post_file(api("admin"), "a.xlsx", data).status_code == 400
    response = _post_file(api("admin"), "a.xlsx", data, unit=str(world.unit_b))
    assert response.status_code == 201 and response.json["unit_id"] == world.unit_b
    # a unit user naming another unit still files under their own
    response = _post_file(api("alice"), "a.xlsx", data, unit=str(world.unit_b))
    assert response.status_code == 201 and response.json["unit_id"] == world.unit_a


def test_other_units_data_is_404_and_invisible(api, seed, world):
    theirs = seed(world.unit_b, 3, risk="交通局的风险")
    seed(world.unit_a, 2)
    alice = api("alice")
    assert alice.get(f"/api/v1/submissions/{theirs}").status_code == 404
    assert alice.get(f"/api/v1/submissions/{theirs}").json["error"]["code"] == "not_found"
    entries = alice.get("/api/v1/entries").json
    assert entries["total"] == 2 and {e["unit_id"] for e in entries["items"]} == {world.unit_a}
    assert alice.get(f"/api/v1/entries?unit={world.unit_b}").json["total"] == 0
    assert api("bob").get(f"/api/v1/submissions/{theirs}").status_code == 200


def test_entries_filters_and_pages(api, seed, world):
    seed(world.unit_a, 60, level="low")
    seed(world.unit_a, 5, level="high", department="财务科", risk="大额资金支付审批把关不严")
    client = api("admin")
    page1 = client.get("/api/v1/entries").json
    assert page1["total"] == 65 and len(page1["items"]) == 50 and page1["pages"] == 2
    page2 = client.get("/api/v1/entries?page=2").json
    assert len(page2["items"]) == 15
    assert not {e["id"] for e in page1["items"]} & {e["id"] for e in page2["items"]}
    assert client.get("/api/v1/entries?level=high").json["total"] == 5
    assert client.get("/api/v1/entries?department=财务科&level=low").json["total"] == 0
    assert client.get("/api/v1/entries?q=资金支付").json["total"] == 5
    assert client.get("/api/v1/entries?q=100%").json["total"] == 0  # LIKE wildcards are literal
    assert client.get("/api/v1/entries?unit=安澜县财政局&category=岗位职责").json["total"] == 65
    assert client.get("/api/v1/entries?page=abc").json["page"] == 1


def test_documents_generate_and_download(api, seed, world):
    seed(world.unit_a, 4, person="张三", position="出纳")
    alice = api("alice")
    response = alice.post("/api/v1/documents", json={"kind": "commitment", "params": {"person": "张三"}})
    assert response.status_code == 201, response.json
    doc_id = response.json["id"]
    download = alice.get(f"/api/v1/documents/{doc_id}/download")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert api("bob").get(f"/api/v1/documents/{doc_id}/download").status_code == 404
    assert alice.get("/api/v1/documents").json["items"][0]["id"] == doc_id


def test_document_errors_are_422_in_chinese(api):
    client = api("alice")
    response = client.post("/api/v1/documents", json={"kind": "nonsense"})
    assert response.status_code == 422 and response.json["error"]["message"] == "未知的文书类型"
    response = client.post("/api/v1/documents", json={"kind": "summary", "params": {"unit": "外单位"}})
    assert response.status_code == 422 and "未找到单位" in response.json["error"]["message"]
    assert client.post("/api/v1/documents", data="[1]", content_type="application/json").status_code == 400


@pytest.mark.libreoffice
def test_document_with_its_pdf_twin(api, seed, world):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    seed(world.unit_a, 2, person="李四", position="会计")
    alice = api("alice")
    response = alice.post("/api/v1/documents", json={"kind": "commitment", "params": {"person": "李四"}, "pdf": True})
    assert response.status_code == 201, response.json
    doc_id = response.json["id"]
    assert alice.get("/api/v1/documents").json["items"][0]["has_pdf"] is True
    pdf = alice.get(f"/api/v1/documents/{doc_id}/download?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert ".pdf" in pdf.headers["Content-Disposition"]


def test_cli_json_and_api_json_of_an_entry_are_the_same(api, seed, world, cli):
    """One entry_as_dict: `lianfang entries --json` prints what /api/v1/entries returns."""
    import json

    seed(world.unit_a, 1, level="high", department="财务科", risk="大额资金支付审批把关不严")
    from_api = api("admin").get("/api/v1/entries").json["items"][0]
    from_cli = json.loads(cli("entries", "--unit", "安澜县财政局", "--json").stdout)[0]
    assert from_cli == from_api
    assert {"category_label", "source", "level_name", "source_text"} <= from_cli.keys()
    assert from_cli["level_name"] == "高"


def test_entry_filter_takes_any_way_of_naming_a_unit(api, seed, world):
    seed(world.unit_a, 3)
    client = api("admin")
    for unit in ("安澜县财政局", "财政局", str(world.unit_a)):
        assert client.get(f"/api/v1/entries?unit={unit}").json["total"] == 3, unit
    assert client.get("/api/v1/entries?unit=不存在的局").json["total"] == 0


def test_an_ambiguous_unit_filter_is_a_400_naming_the_candidates(api, world, cli):
    assert cli("unit", "add", "会计核算科", "--parent", "安澜县交通局").exit_code == 0
    response = api("admin").get("/api/v1/entries?unit=会计核算科")
    assert response.status_code == 400 and response.json["error"]["code"] == "ambiguous_unit"
    assert "安澜县财政局/会计核算科、安澜县交通局/会计核算科" in response.json["error"]["message"]
    assert api("alice").get("/api/v1/entries?unit=会计核算科").status_code == 200  # alice sees only her own
