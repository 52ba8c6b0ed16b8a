"""One handler for every ServiceError: JSON under /api/, back to the page with the reason for pages,
the error page for a missing record; the English code never shows on a page."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.errors import ServiceError


class _Refused(ServiceError):
    status = 409


def _refuse() -> Any:
    raise _Refused("test_refused", "该操作与当前状态冲突,请刷新页面后重试")


def _add_refusing_routes(app: Flask) -> None:
    app.add_url_rule("/api/v1/test-refusal", "api_test_refusal", _refuse)
    app.add_url_rule("/submissions/test-refusal", "page_test_refusal", _refuse)


def test_a_service_error_is_json_on_the_api_with_its_class_status(app, client_for):  # noqa: ANN001
    _add_refusing_routes(app)
    response = client_for("alice").get("/api/v1/test-refusal")
    assert response.status_code == 409
    assert response.json == {"error": {"code": "test_refused", "message": "该操作与当前状态冲突,请刷新页面后重试"}}


def test_a_service_error_on_a_page_goes_back_with_the_reason_and_no_code(app, client_for):  # noqa: ANN001
    _add_refusing_routes(app)
    alice = client_for("alice")
    back = alice.get("/submissions/test-refusal", headers={"Referer": "http://localhost/entries?q=x"})
    assert back.status_code == 302 and back.headers["Location"] == "/entries?q=x"
    page = alice.get("/entries?q=x").get_data(as_text=True)
    assert "该操作与当前状态冲突" in page and "test_refused" not in page
    # No page to go back to (a bookmark, a stripped Referer): the page above the address.
    assert alice.get("/submissions/test-refusal").headers["Location"] == "/submissions"
    # Never back to the failing page itself (no redirect loop), nor to a Referer from another site.
    assert alice.get("/submissions/test-refusal", headers={"Referer": "http://localhost/submissions/test-refusal"}
                     ).headers["Location"] == "/submissions"
    assert alice.get("/submissions/test-refusal", headers={"Referer": "https://evil.example/x"}
                     ).headers["Location"] == "/submissions"


def test_a_refused_form_returns_to_its_page_in_chinese(client_for, world, post_form):  # noqa: ANN001
    admin = client_for("admin")
    refused = post_form(admin, "/admin/campaigns", {"name": "2026年度工作", "year": "2026", "stages": "只有名称"},
                        headers={"Referer": "http://localhost/admin"})
    assert refused.status_code == 302 and refused.headers["Location"] == "/admin"
    page = admin.get("/admin").get_data(as_text=True)
    assert "阶段格式应为" in page and "invalid_campaign" not in page


def test_a_missing_record_is_the_error_page_in_chinese(client_for, world):  # noqa: ANN001
    response = client_for("alice").get("/review/999999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "未找到报送材料:编号 999999" in html and "not_found" not in html


def test_a_document_refused_on_the_api_keeps_its_code_and_plain_message(app, world):  # noqa: ANN001
    from service.web.auth import create_token

    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token('admin')}"
    response = api.post("/api/v1/documents", json={"kind": "rectification", "params": {}})
    assert response.status_code == 422
    assert response.json == {"error": {"code": "unit_required", "message": "请选择单位"}}
