"""Upload, submission list and detail, original download: through the real ingest and parser."""

from __future__ import annotations

import io
from urllib.parse import quote

from service.web.auth import create_token

RISKS = [["出纳", "现金管理不规范,坐支挪用公款", "岗位职责", "高", "每日盘点库存现金;科长每月抽查"],
         ["会计", "审核报销单据不严", "业务流程", "中", "执行报销审批制度"]]


def _upload(post_form, client, *files, **data):
    payload = {"files": [(io.BytesIO(content), name) for name, content in files], **data}
    return post_form(client, "/upload", payload, content_type="multipart/form-data")


def test_upload_shows_each_files_outcome_at_once(client_for, post_form, samples_dir):
    client = client_for("alice")
    good = (samples_dir / "p01_keshi_standard.docx").read_bytes()
    bad = (samples_dir / "p09_not_a_form.docx").read_bytes()
    response = _upload(post_form, client, ("科室排查表.docx", good), ("情况汇报.docx", bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "科室排查表.docx" in html and "已解析" in html
    assert '<td class="num">6</td>' in html
    assert "情况汇报.docx" in html and "未找到风险点表格" in html and "not_a_form" in html

    listing = client.get("/submissions").get_data(as_text=True)
    assert "科室排查表.docx" in listing and "情况汇报.docx" in listing
    assert client.get("/submissions?status=failed").get_data(as_text=True).count("情况汇报.docx") == 1
    assert "科室排查表.docx" not in client.get("/submissions?status=failed").get_data(as_text=True)
    assert "暂无提交记录" in client.get("/submissions?from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert "科室排查表.docx" in client.get("/submissions?from=2001-01-01").get_data(as_text=True)


def test_detail_shows_entries_measures_and_source(client_for, post_form, samples_dir):
    client = client_for("alice")
    _upload(post_form, client, ("p01.docx", (samples_dir / "p01_keshi_standard.docx").read_bytes()))
    sub_id = client.get("/api/v1/submissions")  # the API needs a token: the page must do without
    assert sub_id.status_code == 401
    html = client.get("/submissions").get_data(as_text=True)
    detail_link = html.split('href="/submissions/')[1].split('"')[0]
    detail = client.get(f"/submissions/{detail_link}").get_data(as_text=True)
    assert "名称预先核准中违规核准与他人近似的企业名称" in detail
    assert "严格执行企业名称登记管理规定" in detail and "名称核准实行系统比对和人工复核" in detail
    assert "登记注册科" in detail and "表1 第2行" in detail
    assert "下载原件" in detail


def test_unit_user_cannot_reach_another_units_submission(client_for, post_form, samples_dir):
    bob = client_for("bob")
    _upload(post_form, bob, ("交通局.docx", (samples_dir / "p01_keshi_standard.docx").read_bytes()))
    bob_list = bob.get("/submissions").get_data(as_text=True)
    sub_id = int(bob_list.split('href="/submissions/')[1].split('"')[0])
    alice = client_for("alice")
    assert alice.get(f"/submissions/{sub_id}").status_code == 404
    assert alice.get(f"/submissions/{sub_id}/original").status_code == 404
    assert "交通局.docx" not in alice.get("/submissions").get_data(as_text=True)
    assert bob.get(f"/submissions/{sub_id}").status_code == 200
    assert client_for("admin").get(f"/submissions/{sub_id}").status_code == 200


def test_admin_must_choose_the_unit(client_for, post_form, samples_dir, world):
    admin = client_for("admin")
    data = (samples_dir / "p01_keshi_standard.docx").read_bytes()
    response = _upload(post_form, admin, ("a.docx", data))
    assert response.status_code == 400 and "请选择上传文件所属的单位" in response.get_data(as_text=True)
    response = _upload(post_form, admin, ("a.docx", data), unit=str(world.unit_b))
    assert "已解析" in response.get_data(as_text=True)
    assert "a.docx" in client_for("bob").get("/submissions").get_data(as_text=True)


def test_chinese_and_path_like_names_are_kept_but_never_paths(client_for, post_form, form_docx, store):
    client = client_for("alice")
    data = form_docx(RISKS)
    name = "../../etc/财务科 风险清单.docx"
    _upload(post_form, client, (name, data))
    listing = client.get("/submissions").get_data(as_text=True)
    assert "../../etc/财务科 风险清单.docx" in listing
    sub_id = int(listing.split('href="/submissions/')[1].split('"')[0])
    response = client.get(f"/submissions/{sub_id}/original")
    assert response.status_code == 200 and response.data == data
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("财务科 风险清单.docx") in disposition
    assert "etc" not in disposition and ".." not in disposition
    # nothing was written outside the store's content-addressed folder
    assert not (store.home.parent / "etc").exists()


def test_extracted_text_is_escaped(client_for, post_form, form_docx):
    client = client_for("alice")
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = _upload(post_form, client, ("xss.docx", form_docx([["出纳", payload, "岗位职责", "高", "措施<b>一</b>"]])))
    assert "已解析" in response.get_data(as_text=True)
    sub_id = int(client.get("/submissions").get_data(as_text=True).split('href="/submissions/')[1].split('"')[0])
    html = client.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert" not in html
    assert "<img src=x" not in html and "<b>一</b>" not in html
    assert "<script>alert" not in client.get("/entries").get_data(as_text=True)


def test_the_file_picker_offers_scans_and_photos_as_well_as_office_files(client_for):
    """A phone's picker shows only what `accept` names: a photographed form must be choosable."""
    html = client_for("alice").get("/upload").get_data(as_text=True)
    accept = html.split('id="files" multiple accept="', 1)[1].split('"', 1)[0].split(",")
    assert {".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".pdf"} <= set(accept)
    assert {".jpg", ".jpeg", ".png", ".tif", ".webp", ".gif"} <= set(accept)
    assert "扫描件或手机照片" in html


def test_oversized_upload_gets_a_clear_chinese_413(app, client_for, csrf_of):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client = client_for("alice")
    token = csrf_of(client, "/upload")
    response = client.post("/upload", data={"csrf_token": token, "files": [(io.BytesIO(b"x" * 100_000), "大.docx")]},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('alice')}"
    response = api.post("/api/v1/submissions", data={"file": (io.BytesIO(b"x" * 100_000), "大.docx")},
                        content_type="multipart/form-data")
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    assert "上传的文件过大" in response.json["error"]["message"]


def test_too_many_files_are_refused(app, client_for, post_form, form_docx):
    app.config["MAX_FILES_PER_UPLOAD"] = 2
    client = client_for("alice")
    files = [(f"{i}.docx", form_docx(RISKS)) for i in range(3)]
    response = _upload(post_form, client, *files)
    assert response.status_code == 400 and "一次最多上传 2 个文件" in response.get_data(as_text=True)
    assert "暂无提交记录" in client.get("/submissions").get_data(as_text=True)


def test_warnings_sit_beside_the_rows_they_concern(client_for, post_form, form_docx):
    client = client_for("alice")
    rows = [["出纳", "未填等级的风险点", "岗位职责", "", "每日盘点"], ["会计", "填了等级的风险点", "岗位职责", "高", "每月核对"]]
    _upload(post_form, client, ("缺等级.docx", form_docx(rows)))
    sub_id = int(client.get("/submissions").get_data(as_text=True).split('href="/submissions/')[1].split('"')[0])
    html = client.get(f"/submissions/{sub_id}").get_data(as_text=True)
    flagged = html.split('<tr class="has-warning">')
    assert len(flagged) == 2, "exactly one row carries a warning"
    row = flagged[1].split("</tr>")[0]
    assert "未填等级的风险点" in row and "未填写风险等级" in row and "填了等级的风险点" not in row


def test_upload_page_answers_json_for_its_script(client_for, csrf_of, samples_dir):
    client = client_for("alice")
    token = csrf_of(client, "/upload")
    data = (samples_dir / "p01_keshi_standard.docx").read_bytes()
    response = client.post("/upload", data={"csrf_token": token, "files": [(io.BytesIO(data), "一.docx")]},
                           content_type="multipart/form-data", headers={"Accept": "application/json"})
    outcome = response.json["outcomes"][0]
    assert outcome["status"] == "parsed" and outcome["entry_count"] == 6 and outcome["filename"] == "一.docx"
    refused = client.post("/upload", data={"files": [(io.BytesIO(data), "二.docx")]},
                          content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert refused.status_code == 400 and "页面已过期" in refused.json["error"]["message"]


def test_missing_original_is_a_chinese_404(client_for, seed, world, store):
    sub_id = seed(world.unit_a, 1)
    for path in store.files_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    response = client_for("alice").get(f"/submissions/{sub_id}/original")
    assert response.status_code == 404 and "原件文件已不在存储中" in response.get_data(as_text=True)


def test_overlong_and_control_character_names_are_tidied(client_for, post_form, form_docx):
    client = client_for("alice")
    name = "风险" * 300 + "\x07\t清单.docx"
    response = _upload(post_form, client, (name, form_docx(RISKS)))
    assert "已解析" in response.get_data(as_text=True)
    listing = client.get("/submissions").get_data(as_text=True)
    shown = listing.split('href="/submissions/')[1].split(">", 1)[1].split("<", 1)[0]
    assert len(shown) == 200 and shown.startswith("…") and shown.endswith("风险清单.docx")


def test_submission_list_pages_and_unit_filter(client_for, seed, world):
    for i in range(23):
        seed(world.unit_a if i % 2 else world.dept_a, 1, name=f"表{i:02d}.docx")
    seed(world.unit_b, 1, name="交通局表.docx")
    alice = client_for("alice")
    first = alice.get("/submissions").get_data(as_text=True)
    assert "共 23 条,第 1 / 2 页" in first and "表22.docx" in first and "表02.docx" not in first
    second = alice.get("/submissions?page=2").get_data(as_text=True)
    assert "表02.docx" in second and "表03.docx" not in second and "交通局表.docx" not in second
    only_dept = alice.get(f"/submissions?unit={world.dept_a}").get_data(as_text=True)
    assert "共 12 条" in only_dept and "表01.docx" not in only_dept
    assert "共 0 条" in alice.get(f"/submissions?unit={world.unit_b}").get_data(as_text=True)
