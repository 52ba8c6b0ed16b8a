"""Pages: the reviewer's queue, the review page, a unit's "what to fix" list, the progress board, 公示."""

from __future__ import annotations

import io
import os
import secrets
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from service import labels
from service import review as review_service
from service.audit.findings import open_for_units
from service.audit.rectification import rectification_reports
from service.audit.registry import RULES
from service.config import settings
from service.deadlines import board as progress_board
from service.store.db import read_session
from service.store.models import Finding, FindingStatus
from service.store.scope import visible_unit_ids
from service.web import queries
from service.web.auth import current_viewer, login_required, safe_redirect

bp = Blueprint("review", __name__, url_prefix="/review")
EXPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ROW_FIELD = "row-"  # row-<entry id>: the reviewer's comment on that row


@bp.get("/")
@login_required
def index() -> Any:
    viewer = current_viewer()
    args = request.args
    unit = args.get("unit", "")
    sort = args.get("sort", "age")
    items = review_service.queue(viewer=viewer, unit=int(unit) if unit.isdigit() else None,
                                 state=args.get("state") or None, sort=sort, descending=args.get("desc") == "1")
    tops = [u for u in queries.units(viewer) if " / " not in u["name"]]
    return render_template("review/queue.html", items=items, units=tops, args=args, sort=sort,
                           role=review_service.ROLES.get(review_service.role_of(viewer), viewer.role),
                           states={k: review_service.STATES[k] for k in review_service.OPEN_STATES},
                           actions=review_service.ACTIONS)


@bp.post("/<int:submission_id>/decide")
@login_required
def decide(submission_id: int) -> Any:
    viewer = current_viewer()
    rows = {int(k[len(ROW_FIELD):]): v for k, v in request.form.items()
            if k.startswith(ROW_FIELD) and k[len(ROW_FIELD):].isdigit()}
    d = review_service.decide(submission_id, request.form.get("action", ""), viewer=viewer,
                              comment=request.form.get("comment", ""), row_comments=rows)
    done = f"已办理:{review_service.ACTIONS[d.action]},当前状态“{d.label}”"
    if d.rows:
        done += f",附逐行意见{len(d.rows)}条"
    if request.form.get("next"):
        flash(done, "ok")
        return safe_redirect(request.form["next"], "review.index")
    following = review_service.next_in_queue(submission_id, viewer=viewer)
    if following is None:
        flash(done + "。待办表格已全部办理完毕", "ok")
        return redirect(url_for("review.index"))
    flash(done + "。已打开下一份待审表格", "ok")
    return redirect(url_for("review.detail", submission_id=following))


@bp.get("/fix")
@login_required
def fix() -> Any:
    viewer = current_viewer()
    with read_session() as s:
        findings = open_for_units(s, visible_unit_ids(s, viewer))
    if rule := request.args.get("rule"):
        findings = [f for f in findings if f["rule"] == rule]
    return render_template("review/fix.html", findings=findings, returned=review_service.returned(viewer=viewer),
                           notices=rectification_reports(viewer=viewer), severities=labels.SEVERITY_NAMES)


@bp.get("/board")
@login_required
def board() -> Any:
    data = progress_board(viewer=current_viewer(), campaign=request.args.get("campaign") or None)
    return render_template("review/board.html", data=data, states=review_service.STATES)


def _findings_by_row(submission_id: int, entry_ids: list[int]) -> tuple[dict[int, list[dict]], list[dict]]:
    """Open findings of a form: those about one row keyed by entry id, and those about the whole form."""
    with read_session() as s:
        cond = Finding.submission_id == submission_id
        if entry_ids:
            cond = cond | Finding.entry_id.in_(entry_ids)
        rows = s.scalars(select(Finding).where(cond, Finding.status == FindingStatus.OPEN).order_by(Finding.id)).all()
        by_row: dict[int, list[dict]] = {}
        general: list[dict] = []
        for f in rows:
            item = {"id": f.id, "rule": f.rule, "title": RULES[f.rule].title if f.rule in RULES else "审核发现",
                    "severity": f.severity, "severity_name": labels.severity_name(f.severity, missing=""), "message": f.message}
            (by_row.setdefault(f.entry_id, []) if f.entry_id in entry_ids else general).append(item)
        return by_row, general


@bp.get("/<int:submission_id>")
@login_required
def detail(submission_id: int) -> Any:
    viewer = current_viewer()
    steps = review_service.history(submission_id, viewer=viewer)
    sub = queries.submission(viewer, submission_id)
    if sub is None:
        abort(404)
    by_row, general = _findings_by_row(submission_id, [e["id"] for e in sub["entries"]])
    last_rows = {r["entry_id"]: r["comment"] for st in steps[-1:] for r in st["rows"]}
    with read_session() as s:
        until = review_service.publicity_until(s, submission_id)
    actions = review_service.actions_for(submission_id, viewer=viewer)
    queue_ids = [q["id"] for q in review_service.queue(viewer=viewer)] if actions else []
    return render_template("review/detail.html", sub=sub, steps=steps, until=until,
                           state=review_service.STATES.get(sub["review_state"], sub["review_state"]),
                           feedback=review_service.feedback(submission_id), actions=actions,
                           action_names=review_service.ACTIONS, by_row=by_row, general_findings=general,
                           last_rows=last_rows, previewable=_previewable(sub), queue_ids=queue_ids)


@bp.get("/<int:submission_id>/findings")
@login_required
def findings(submission_id: int) -> Any:
    """The form's open findings so far, each with a link to its row on the review page (upload results poll it)."""
    queries.original_file(current_viewer(), submission_id)  # NotFound unless visible
    with read_session() as s:
        rows = s.execute(select(Finding.message, Finding.severity, Finding.entry_id).where(
            Finding.submission_id == submission_id, Finding.status == FindingStatus.OPEN).order_by(Finding.id)).all()
    page = url_for("review.detail", submission_id=submission_id)
    return jsonify(findings=[{"message": m, "severity": sev, "severity_name": labels.severity_name(sev, missing=""),
                              "link": f"{page}#row-{entry}" if entry else page} for m, sev, entry in rows])


def _previewable(sub: dict[str, Any]) -> bool:
    return (sub["format"] or "") in ("pdf", "docx", "xlsx")


@bp.get("/<int:submission_id>/preview")
@login_required
def preview(submission_id: int) -> Any:
    """The original as a PDF to show beside the entries: a PDF as it came, a .docx/.xlsx converted once."""
    viewer = current_viewer()
    sub = queries.submission(viewer, submission_id)
    if sub is None or not _previewable(sub):
        abort(404)
    data, _ = queries.original_bytes(viewer, submission_id)
    if sub["format"] != "pdf":
        data = _converted(sub["sha256"], sub["format"], data)
        if data is None:
            abort(404, "原件暂时无法转换为 PDF 预览,请下载原件查看")
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"{submission_id}.pdf")
    # Shown in a frame of the review page: this response alone may be framed by this site.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


def _converted(sha256: str, fmt: str, data: bytes) -> bytes | None:
    """A cached PDF of an original .docx/.xlsx (LibreOffice); None when it cannot be converted here."""
    from service.documents import pdf
    from service.documents.errors import DocumentError

    folder = settings().home / "previews"
    cached = folder / f"{sha256}.pdf"
    if cached.is_file():
        return cached.read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    # A name of its own for each conversion, renamed into place: two first views never share a file.
    source = folder / f".{sha256}.{secrets.token_hex(6)}.{fmt}"
    source.write_bytes(data)
    try:
        produced, _ = pdf.convert(source)
    except DocumentError:
        return None
    finally:
        source.unlink(missing_ok=True)
    os.replace(produced, cached)
    return cached.read_bytes()


@bp.post("/<int:submission_id>/feedback")
@login_required
def feedback(submission_id: int) -> Any:
    review_service.add_feedback(submission_id, request.form.get("text", ""), viewer=current_viewer(),
                                contact=request.form.get("contact"))
    flash("反馈意见已提交,感谢监督", "ok")
    return redirect(url_for("review.detail", submission_id=submission_id))


@bp.get("/export/<fmt>")
@login_required
def export(fmt: str) -> Any:
    if fmt not in EXPORT_TYPES:
        abort(404)
    viewer = current_viewer()
    unit = request.args.get("unit") or viewer.unit_id
    out = review_service.export_publicity(unit, viewer=viewer, campaign=request.args.get("campaign") or None)
    data = out.docx if fmt == "docx" else out.xlsx
    return send_file(io.BytesIO(data), mimetype=EXPORT_TYPES[fmt], as_attachment=True,
                     download_name=out.filename(f".{fmt}"))
