"""Page: 文书 — choose a kind and its parameters, generate through `service.documents`, download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from service.documents import DocumentError, generate, may_issue
from service.store.errors import NotFound
from service.store.scope import Viewer
from service.web import queries
from service.web.auth import current_viewer, login_required

bp = Blueprint("documents", __name__)
# The kinds service.documents makes, with the names users know them by.
KINDS = {
    "plan": "实施方案",
    "summary": "阶段总结",
    "commitment": "廉政承诺书",
    "rectification": "整改通知书",
    "warning": "预警通知书",
    "ledger": "风险台账(Excel)",
    "manual": "廉政风险防控手册",
}
# What the pages and the API pass on; service.documents checks them (and the viewer's scope).
PARAM_KEYS = ("campaign", "stage", "unit", "department", "person", "position", "level", "deadline", "items",
              "draft")


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


def try_generate(viewer: Viewer, kind: str, raw: dict[str, Any], *, pdf: bool = False) -> tuple[Any, str | None]:
    """(the GeneratedDocument, None), or (None, the Chinese reason it could not be made)."""
    if kind not in KINDS:
        return None, "未知的文书类型"
    try:
        return generate(kind, document_params(raw), viewer=viewer, pdf=pdf), None
    except (DocumentError, NotFound) as exc:
        return None, exc.message


def generate_and_send(kind: str, raw: dict[str, Any], *, failure_page: str) -> Any:
    """For pages: generate, then download at once; on failure return to `failure_page` with the reason."""
    viewer = current_viewer()
    doc, error = try_generate(viewer, kind, raw)
    if error:
        flash(error, "error")
        return redirect(url_for(failure_page))
    return download(doc.id)


@bp.route("/documents", methods=["GET", "POST"])
@login_required
def listing() -> Any:
    viewer = current_viewer()
    if request.method == "POST":
        kind = request.form.get("kind", "")
        doc, error = try_generate(viewer, kind, request.form.to_dict(), pdf=request.form.get("pdf") == "1")
        if error:
            flash(error, "error")
        else:
            flash(f"已生成{KINDS[kind]}:{doc.number_text or doc.filename}", "ok")
        return redirect(url_for("documents.listing"))
    page = queries.documents(viewer, page=queries.page_number(request.args.get("page")))
    issuable = {kind: name for kind, name in KINDS.items() if may_issue(viewer, kind)}
    return render_template("documents/list.html", page=page, kinds=KINDS, issuable=issuable, units=queries.units(viewer),
                           campaigns=queries.campaign_names())


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
