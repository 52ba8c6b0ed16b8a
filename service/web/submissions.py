"""Pages: 上传 (upload), 提交记录 (submission list), 提交详情 (one submission) and the original file."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from parsers.api import FORM_SUFFIXES
from service import labels
from service.store.models import SubmissionStatus
from service.web import queries, uploads
from service.web.auth import current_viewer, login_required
from service.web.errors import wants_json
from service.web.security import uploaded_files

bp = Blueprint("submissions", __name__)


def download_name(original: str) -> str:
    """The last path part of a stored name: kept for display, never used as a path."""
    return original.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload() -> Any:
    viewer = current_viewer()
    outcomes = []
    if request.method == "POST":
        chosen = uploaded_files("files")
        if not chosen:
            abort(400, "请选择要上传的文件")
        unit_id = uploads.target_unit(viewer, request.form.get("unit"))
        outcomes = [uploads.receive(viewer, f, unit_id=unit_id, campaign=request.form.get("campaign"))
                    for f in chosen]
        if wants_json():
            return jsonify(outcomes=outcomes)
    return render_template("submissions/upload.html", outcomes=outcomes, accept=",".join(FORM_SUFFIXES),
                           units=queries.units(viewer), campaigns=queries.campaigns(),
                           selected_unit=request.form.get("unit", ""))


@bp.get("/submissions")
@login_required
def listing() -> Any:
    viewer = current_viewer()
    args = request.args
    page = queries.submissions(viewer, unit=args.get("unit"), status=args.get("status"),
                               date_from=args.get("from"), date_to=args.get("to"),
                               page=queries.page_number(args.get("page")))
    return render_template("submissions/list.html", page=page, units=queries.units(viewer),
                           statuses=labels.SUBMISSION_STATUS_NAMES, args=args)


@bp.get("/submissions/<int:submission_id>")
@login_required
def detail(submission_id: int) -> Any:
    sub = queries.submission(current_viewer(), submission_id)
    if sub is None:
        abort(404)
    return render_template("submissions/detail.html", sub=sub, versions=uploads.versions(submission_id))


@bp.post("/submissions/<int:submission_id>/decision")
@login_required
def decision(submission_id: int) -> Any:
    """The office confirms (入库) or rejects a form held as 待确认."""
    viewer = current_viewer()
    if queries.submission(viewer, submission_id) is None:
        abort(404)
    outcome = uploads.decide(viewer, submission_id, request.form.get("decision", ""))
    if wants_json():
        return jsonify(outcome)
    if outcome["status"] == SubmissionStatus.PARSED:
        replaced = f",取代了 {outcome['superseded_name']}" if outcome["superseded_name"] else ""
        later = f";已有较新版本 {outcome['superseded_by_name']},本表不作为当前版本" if outcome["superseded_by_name"] else ""
        flash(f"已确认入库{replaced}{later}", "ok")
    else:
        flash("已拒绝,该表格不入库(原件保留)", "ok")
    return redirect(url_for("submissions.detail", submission_id=submission_id))


@bp.get("/submissions/<int:submission_id>/original")
@login_required
def original(submission_id: int) -> Any:
    """The uploaded bytes; werkzeug writes filename*=UTF-8''… so the Chinese name survives."""
    data, name = queries.original_bytes(current_viewer(), submission_id)
    return send_file(BytesIO(data), mimetype="application/octet-stream", as_attachment=True,
                     download_name=download_name(name))
