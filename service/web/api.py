"""The JSON API under /api/v1: bearer tokens, the same role rules and queries as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from service.documents import KINDS, OFFICE_ONLY_MESSAGE, may_issue
from service.store.models import SubmissionStatus
from service.web import queries, uploads
from service.web.auth import current_viewer, login_required
from service.web.documents import download as download_document
from service.web.documents import generate_from
from service.web.errors import error_response
from service.web.security import uploaded_files

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/submissions")
@login_required
def create_submission() -> Any:
    viewer = current_viewer()
    chosen = uploaded_files("file")
    if len(chosen) != 1:
        return error_response(400, "请在字段 file 中上传一个文件", "file_required")
    outcome = uploads.receive(viewer, chosen[0], unit_id=uploads.target_unit(viewer, request.form.get("unit")),
                              campaign=request.form.get("campaign"))
    if outcome["status"] == SubmissionStatus.FAILED:
        return error_response(422, outcome["error"]["message"], outcome["error"]["code"])
    detail = queries.submission(viewer, outcome["submission_id"])
    return jsonify(detail), 201 if outcome["status"] == SubmissionStatus.PARSED else 200


@bp.get("/submissions")
@login_required
def list_submissions() -> Any:
    args = request.args
    page = queries.submissions(current_viewer(), unit=args.get("unit"), status=args.get("status"),
                               date_from=args.get("from"), date_to=args.get("to"),
                               page=queries.page_number(args.get("page")))
    return jsonify(page.to_json())


@bp.get("/submissions/<int:submission_id>")
@login_required
def get_submission(submission_id: int) -> Any:
    detail = queries.submission(current_viewer(), submission_id)
    if detail is None:
        abort(404)
    return jsonify(detail)


@bp.get("/entries")
@login_required
def list_entries() -> Any:
    args = request.args
    page = queries.entries(current_viewer(), unit=args.get("unit"), department=args.get("department"),
                           level=args.get("level"), category=args.get("category"), q=args.get("q"),
                           page=queries.page_number(args.get("page")))
    return jsonify(page.to_json())


@bp.post("/documents")
@login_required
def create_document() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("params", {}), dict):
        return error_response(400, "请求体应为 JSON 对象:{\"kind\": …, \"params\": {…}}", "bad_json")
    viewer, kind = current_viewer(), str(body.get("kind", ""))
    if kind in KINDS and not may_issue(viewer, kind):
        return error_response(403, OFFICE_ONLY_MESSAGE, "office_only")
    doc = generate_from(viewer, kind, body.get("params") or {}, pdf=bool(body.get("pdf")))
    return jsonify(id=doc.id, kind=doc.kind, filename=doc.filename, number_text=doc.number_text), 201


@bp.get("/documents")
@login_required
def list_documents() -> Any:
    return jsonify(queries.documents(current_viewer(), page=queries.page_number(request.args.get("page"))).to_json())


@bp.get("/documents/<int:document_id>/download")
@login_required
def get_document_file(document_id: int) -> Any:
    return download_document(document_id)
