"""Page: 文书 — choose a kind and its parameters, generate through `service.documents`, download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from service.document_kinds import GRADES, KINDS, PARAM_NAMES
from service.documents import GeneratedDocument, generate, may_issue
from service.store.scope import Viewer
from service.web import queries
from service.web.auth import current_viewer, login_required

bp = Blueprint("documents", __name__)
# What the pages and the API pass on (every parameter a kind declares, and 草稿);
# service.documents checks them (and the viewer's scope).
PARAM_KEYS = (*PARAM_NAMES, "draft")


def document_params(raw: dict[str, Any]) -> dict[str, Any]:
    """The known, non-empty parameters, strings trimmed; a value of the wrong type (from JSON) is a 400."""
    params = {}
    for key in PARAM_KEYS:
        value = raw.get(key)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            continue
        lines = key == "items" and isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not (lines or isinstance(value, str) or isinstance(value, int) and not isinstance(value, bool)):
            abort(400, f"参数 {key} 的类型不正确:应为文字或数字" + ("(或文字列表)" if key == "items" else ""))
        params[key] = value
    return params


def generate_from(viewer: Viewer, kind: str, raw: dict[str, Any], *, pdf: bool = False) -> GeneratedDocument:
    """Generate `kind` from a page's or the API's parameters; a DocumentError goes to the one handler."""
    return generate(kind, document_params(raw), viewer=viewer, pdf=pdf)


def kinds_for(viewer: Viewer) -> dict[str, str]:
    """The kinds this person may issue from the page, with their tab labels (service.documents.may_issue decides)."""
    return {k.name: k.tab_label for k in KINDS.values() if may_issue(viewer, k.name)}


def generate_and_send(kind: str, raw: dict[str, Any]) -> Any:
    """For pages: generate, then download at once (a failure returns to the page with the reason)."""
    return download(generate_from(current_viewer(), kind, raw).id)


@bp.route("/documents", methods=["GET", "POST"])
@login_required
def listing() -> Any:
    viewer = current_viewer()
    if request.method == "POST":
        kind = request.form.get("kind", "")
        if kind not in kinds_for(viewer):
            flash("您无权生成该类文书" if kind in KINDS else "未知的文书类型", "error")
            return redirect(url_for("documents.listing"))
        doc = generate_from(viewer, kind, request.form.to_dict(), pdf=request.form.get("pdf") == "1")
        flash(f"已生成{KINDS[kind].tab_label}:{doc.number_text or doc.filename}", "ok")
        return redirect(url_for("documents.listing", kind=kind))
    allowed = kinds_for(viewer)
    kind = request.args.get("kind") if request.args.get("kind") in allowed else next(iter(allowed))
    page = queries.documents(viewer, page=queries.page_number(request.args.get("page")))
    return render_template("documents/list.html", page=page, kinds=allowed, kind=KINDS[kind],
                           all_kinds={k.name: k.tab_label for k in KINDS.values()}, grades=[(g, g) for g in GRADES],
                           units=queries.units(viewer), campaigns=queries.campaign_names())


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id: int) -> Any:
    """The generated file (?format=pdf for its PDF twin, when one was made)."""
    path = queries.document_path(current_viewer(), document_id)
    if path is not None and request.args.get("format") == "pdf":
        path = path.with_suffix(".pdf")
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/octet-stream", as_attachment=True, download_name=path.name)
