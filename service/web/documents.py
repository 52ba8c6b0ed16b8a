"""Page: 文书 — choose a kind and its parameters, generate through `service.documents`, download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from service.documents import KINDS as DOCUMENT_MODULES
from service.documents import GeneratedDocument, generate, may_issue
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
              "draft", "category", "q")
# The fields each kind's page asks for; a unit marked "unit!" must be chosen (no 全部单位).
KIND_FIELDS = {
    "plan": ("campaign", "unit!"),
    "summary": ("campaign", "stage", "unit"),
    "commitment": ("campaign", "unit", "department", "position", "person"),
    "rectification": ("campaign", "unit!", "deadline", "items"),
    "warning": ("campaign", "unit!", "level", "deadline", "items"),
    "ledger": ("campaign", "unit", "department"),
    "manual": ("campaign", "unit", "department"),
}
KIND_HINTS = {
    "plan": "按年度工作的阶段和日期生成本单位的实施方案。",
    "summary": "汇总所选阶段的风险点、措施和审核情况;不选阶段时汇总全部阶段。",
    "commitment": "按岗位或人员生成廉政承诺书;不填岗位和人员时,每个岗位一份。",
    "rectification": "列出该单位未关闭的审核问题;也可逐行填写整改事项。",
    "warning": "按风险等级或所选预警等级,列出该单位对应的风险点或所填预警事项。",
    "ledger": "导出风险台账(Excel),每个风险点一行。",
    "manual": "汇编风险点和防控措施,生成廉政风险防控手册。",
}


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
    """The kinds this person may issue from the page (service.documents.may_issue decides)."""
    return {k: v for k, v in KINDS.items() if may_issue(viewer, k)}


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
        flash(f"已生成{KINDS[kind]}:{doc.number_text or doc.filename}", "ok")
        return redirect(url_for("documents.listing", kind=kind))
    allowed = kinds_for(viewer)
    kind = request.args.get("kind") if request.args.get("kind") in allowed else next(iter(allowed))
    page = queries.documents(viewer, page=queries.page_number(request.args.get("page")))
    return render_template("documents/list.html", page=page, kinds=allowed, all_kinds=KINDS, kind=kind,
                           numbered=getattr(DOCUMENT_MODULES[kind], "NUMBERED", False),
                           fields=KIND_FIELDS[kind], hint=KIND_HINTS[kind], units=queries.units(viewer),
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
