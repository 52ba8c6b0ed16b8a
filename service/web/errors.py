"""Every failure a user can meet, as a Chinese page (or JSON under /api/), never a traceback.

One handler per kind of failure, registered here and nowhere else: werkzeug's HTTP errors
(`abort`), the service's own (`ServiceError`, and parsers' `ParseError` of the same shape),
and anything unexpected (500, logged). Views let a ServiceError propagate; they do not catch
it to flash or abort. What the user sees of one (`_service_error`):
- /api/ and page scripts asking for JSON: `{"error": {"code", "message"}}` with its status;
- a page: the message flashed and the browser sent back to the page it came from (the form's
  `next`, else the Referer on this site, else the nearest page above the address), where the
  user can correct the form; a missing record (404) is the error page instead.
The English code never shows on a page: it is in the JSON only.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from parsers.errors import ParseError
from service.errors import ServiceError
from service.web.auth import safe_path
from service.web.security import upload_limit_text

# status -> (English code, default Chinese message)
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "请先登录,或提供有效的访问令牌"),
    403: ("forbidden", "无权访问此页面"),
    404: ("not_found", "未找到该页面或记录"),
    405: ("method_not_allowed", "不支持该请求方式"),
    413: ("too_large", ""),
    429: ("too_many_requests", "请求过于频繁,请稍后再试"),
    500: ("internal_error", "系统内部错误,请稍后重试或联系管理员"),
}


def wants_json() -> bool:
    """The API, and page scripts that ask for JSON (the upload page sends one file at a time)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str | None = None, code: str | None = None) -> Any:
    default_code, default_message = ERRORS.get(status, ("error", "请求失败"))
    if status == 413:
        default_message = f"上传的文件过大,单次上传总大小不得超过 {upload_limit_text()}"
    message = message or default_message
    code = code or default_code
    if wants_json():
        return jsonify(error={"code": code, "message": message}), status
    return render_template("error.html", status=status, message=message), status


# Plain Chinese for the page, by error code, where the service speaks to the command line.
WEB_MESSAGES = {
    "unknown_kind": "未知的文书类型",
    "unit_required": "请选择单位",
    "campaign_required": "请管理员先在“管理”中创建含工作阶段的年度工作",
    "campaign_not_found": "未找到所选的年度工作,请刷新页面后重试",
    "no_problems": "该单位没有未关闭的审核问题,请在“整改事项”中逐行填写要整改的问题",
    "no_level": "该单位没有已定级的风险点,请选择预警等级",
}


def plain_message(code: str, message: str) -> str:
    """The web's wording of a service message: no option names or commands of the CLI."""
    if code in WEB_MESSAGES:
        return WEB_MESSAGES[code]
    message = re.sub(r"[((]\s*-{0,2}[A-Za-z_][A-Za-z_ -]*[))]", "", message)
    return re.sub(r"[,,;;]?\s*请先用 lianfang [^,,。;;]*", "", message)


def _service_error(exc: ServiceError | ParseError) -> Any:
    status = exc.status if isinstance(exc, ServiceError) else 422
    message = plain_message(exc.code, exc.message)
    back = None if wants_json() or status == 404 else _back()
    if back is None:
        return error_response(status, message, exc.code)
    flash(message, "error")
    return redirect(back)


def _back() -> str | None:
    """The page a refused request returns to: the form's `next`, the Referer on this site, else
    the nearest page above the address; never the page that failed (that gets the error page)."""
    came_from = urlsplit(request.referrer or "")
    referrer = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    for candidate in (request.form.get("next"), referrer if came_from.netloc == request.host else None,
                      _page_above(request.path)):
        target = safe_path(candidate)
        if target and not (request.method == "GET" and urlsplit(target).path == request.path):
            return target
    return None


def _page_above(path: str) -> str | None:
    """`path` itself when a form was posted to a page, else the closest parent path that is a page."""
    adapter = current_app.create_url_adapter(request)
    parts = path.rstrip("/").split("/")
    candidates = [path] if request.method != "GET" else []
    while len(parts) > 1:
        parts.pop()
        candidates.append("/".join(parts) or "/")
    for candidate in candidates:
        try:
            adapter.match(candidate, method="GET")
        except RequestRedirect as moved:  # /batches → /batches/
            return urlsplit(moved.new_url).path
        except HTTPException:
            continue
        return candidate
    return None


def _http_error(exc: HTTPException) -> Any:
    # Our own abort(status, "中文说明") carries a Chinese description; werkzeug's defaults are English.
    own = exc.description if exc.description and exc.description != type(exc).description else None
    return error_response(exc.code or 500, own)


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    from flask import current_app

    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(ParseError, _service_error)
    app.register_error_handler(Exception, _unexpected)
