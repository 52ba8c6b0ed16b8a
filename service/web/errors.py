"""Every failure a user can meet, as a Chinese page (or JSON under /api/), never a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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
    app.register_error_handler(Exception, _unexpected)
