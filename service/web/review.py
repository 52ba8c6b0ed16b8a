"""Pages: the reviewer's queue, a unit's "what to fix" list, the progress board, 公示 and its feedback."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from service import review as review_service
from service.audit.findings import open_for_units
from service.audit.rectification import rectification_reports
from service.deadlines import board as progress_board
from service.store.db import read_session
from service.store.models import Submission, Unit
from service.store.scope import visible_unit_ids
from service.web.auth import current_viewer, login_required, safe_redirect

bp = Blueprint("review", __name__, url_prefix="/review")
EXPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/")
@login_required
def index() -> Any:
    viewer = current_viewer()
    return render_template("review/queue.html", items=review_service.queue(viewer=viewer),
                           role=review_service.ROLES.get(review_service.role_of(viewer), viewer.role),
                           actions=review_service.ACTIONS)


@bp.post("/<int:submission_id>/decide")
@login_required
def decide(submission_id: int) -> Any:
    try:
        d = review_service.decide(submission_id, request.form.get("action", ""), viewer=current_viewer(),
                                  comment=request.form.get("comment", ""))
    except review_service.ReviewError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已办理:{review_service.ACTIONS[d.action]},当前状态“{d.label}”", "ok")
    return safe_redirect(request.form.get("next"), "review.index")


@bp.get("/fix")
@login_required
def fix() -> Any:
    viewer = current_viewer()
    with read_session() as s:
        findings = open_for_units(s, visible_unit_ids(s, viewer))
    return render_template("review/fix.html", findings=findings, returned=review_service.returned(viewer=viewer),
                           notices=rectification_reports(viewer=viewer))


@bp.get("/board")
@login_required
def board() -> Any:
    data = progress_board(viewer=current_viewer(), campaign=request.args.get("campaign") or None)
    return render_template("review/board.html", data=data, states=review_service.STATES)


@bp.get("/<int:submission_id>")
@login_required
def detail(submission_id: int) -> Any:
    viewer = current_viewer()
    try:
        steps = review_service.history(submission_id, viewer=viewer)
    except review_service.ReviewError:
        abort(404)
    with read_session() as s:
        sub = s.get(Submission, submission_id)
        until = review_service.publicity_until(s, submission_id)
        unit = s.get(Unit, sub.unit_id)
    return render_template("review/detail.html", sub=sub, unit=unit, steps=steps, until=until,
                           state=review_service.STATES[sub.review_state],
                           feedback=review_service.feedback(submission_id))


@bp.post("/<int:submission_id>/feedback")
@login_required
def feedback(submission_id: int) -> Any:
    try:
        review_service.add_feedback(submission_id, request.form.get("text", ""), viewer=current_viewer(),
                                    contact=request.form.get("contact"))
    except review_service.ReviewError as exc:
        if exc.code == "not_found":  # not yours and does not exist read the same
            abort(404)
        flash(exc.message, "error")
    else:
        flash("反馈意见已提交,感谢监督", "ok")
    return redirect(url_for("review.detail", submission_id=submission_id))


@bp.get("/export/<fmt>")
@login_required
def export(fmt: str) -> Any:
    if fmt not in EXPORT_TYPES:
        abort(404)
    viewer = current_viewer()
    unit = request.args.get("unit") or viewer.unit_id
    try:
        out = review_service.export_publicity(unit, viewer=viewer, campaign=request.args.get("campaign") or None)
    except review_service.ReviewError as exc:
        flash(exc.message, "error")
        return redirect(url_for("review.board"))
    data = out.docx if fmt == "docx" else out.xlsx
    return send_file(io.BytesIO(data), mimetype=EXPORT_TYPES[fmt], as_attachment=True,
                     download_name=f"{out.stem}.{fmt}")
