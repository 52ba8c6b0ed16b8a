"""Browser-facing hardening: response headers, cookie flags, the proxy in front and upload caps.

The CSP allows only this site's own scripts and styles, so text extracted from an
uploaded form can never run even if a template forgot to escape it. Nothing but the
static files may be kept by a browser or a proxy cache (`no-store`, downloads of originals
and documents included). Behind HTTPS (LIANFANG_SECURE_COOKIES=1) the cookie is Secure and
HSTS is sent; X-Forwarded-For/-Proto/-Host are believed only from LIANFANG_TRUSTED_PROXIES hops.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, abort, current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"  # send_file's "no-cache" still lets a disk cache keep it
        response.headers.pop("Pragma", None)
    hsts = current_app.config["HSTS_SECONDS"]
    if current_app.config["SESSION_COOKIE_SECURE"] and hsts:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
    return response


def uploaded_files(field: str) -> list[FileStorage]:
    """The non-empty files of `field`, refusing more than the configured number."""
    files = [f for f in request.files.getlist(field) if f and f.filename]
    limit = current_app.config["MAX_FILES_PER_UPLOAD"]
    if len(files) > limit:
        abort(400, f"一次最多上传 {limit} 个文件,请分批上传")
    return files


def upload_limit_text() -> str:
    return f"{current_app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB"


def init_app(app: Flask) -> None:
    config = settings()
    app.config.update(
        MAX_CONTENT_LENGTH=config.max_upload_bytes,
        SESSION_COOKIE_SECURE=config.secure_cookies,
        HSTS_SECONDS=config.hsts_seconds,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="lianfang_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    hops = config.trusted_proxies
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.after_request(_headers)
    app.jinja_env.globals["upload_limit_text"] = upload_limit_text
