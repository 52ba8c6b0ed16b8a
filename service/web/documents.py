"""Page: 文书 — choose a kind and its parameters, generate through `service.documents`, download."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from service.document_kinds import GRADES, KINDS, PARAM_NAMES
from service.documents import DocumentError, generate, may_issue
from service.store.errors import NotFound
from service.store.scope import Viewer
from service.web import queries
from service.web.auth import current_viewer, login_required

bp = Blueprint("documents", __name__)
# What the pages and the API pass on (every parameter a kind declares, and 草稿);
# service.documents checks them (and the viewer's scope).
PARAM_KEYS = (*PARAM_NAMES, "draft")

# Plain Chinese for the page, by error code, where service.documents speaks to the command line.
WEB_MESSAGES = {
    "unit_required": "请选择单位",
    "campaign_required": "请管理员先在“管理”中创建含工作阶段的年度工作",
    "campaign_not_found": "未找到所选的年度工作,请刷新页面后重试",
    "no_problems": "该单位没有未关闭的审核问题,请在“整改事项”中逐行填写要整改的问题",
    "no_level": "该单位没有已定级的风险点,请选择预警等级",
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


def try_generate(viewer: Viewer, kind: str, raw: dict[str, Any], *, pdf: bool = False) -> tuple[Any, str | None]:
    """(the GeneratedDocument, None), or (None, the Chinese reason it could not be made)."""
    if kind not in KINDS:
        return None, "未知的文书类型"
    try:
        return generate(kind, document_params(raw), viewer=viewer, pdf=pdf), None
    except (DocumentError, NotFound) as exc:
        return None, plain_message(exc.code, exc.message)


def plain_message(code: str, message: str) -> str:
    """The page's wording of a generation failure: no option names or commands of the CLI."""
    if code in WEB_MESSAGES:
        return WEB_MESSAGES[code]
    message = re.sub(r"[((]\s*-{0,2}[A-Za-z_][A-Za-z_ -]*[))]", "", message)
    return re.sub(r"[,,;;]?\s*请先用 lianfang [^,,。;;]*", "", message)


def kinds_for(viewer: Viewer) -> dict[str, str]:
    """The kinds this person may issue from the page, with their tab labels (service.documents.may_issue decides)."""
    return {k.name: k.tab_label for k in KINDS.values() if may_issue(viewer, k.name)}


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
        if kind not in kinds_for(viewer):
            flash("您无权生成该类文书" if kind in KINDS else "未知的文书类型", "error")
            return redirect(url_for("documents.listing"))
        doc, error = try_generate(viewer, kind, request.form.to_dict(), pdf=request.form.get("pdf") == "1")
        if error:
            flash(error, "error")
        else:
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
