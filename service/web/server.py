"""`lianfang serve`: gunicorn run from the CLI, so the embedded default is the production server.

One process per core, each with a few threads: the Python work of a request (forms, JSON,
templates, the re-audit after an upload) holds its process's GIL, so a single threaded
process uses one core however many requests wait. Each worker builds its own app
(`create_app` after the fork), so no database connection or parse zygote is shared.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi

THREADS = 4
TIMEOUT_S = 300  # a worker silent this long is restarted; requests run in threads, so a long parse is not silence


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from service.web import create_app

        return create_app()


def _without_banner(default_headers: Any) -> Any:
    def headers(self: wsgi.Response) -> list[str]:
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    return headers


def serve(host: str, port: int, workers: int | None = None) -> None:
    """Serve the pages and API on host:port until stopped (SIGINT/SIGTERM stop it gracefully).

    Before the workers start: temporary files left in the file store by killed uploads are
    removed, and responses no longer name the server software (gunicorn has no setting for it).
    """
    from service.store.files import sweep_stale_temp

    sweep_stale_temp()
    if not getattr(wsgi.Response.default_headers, "without_banner", False):
        wsgi.Response.default_headers = _without_banner(wsgi.Response.default_headers)  # type: ignore[method-assign]
        wsgi.Response.default_headers.without_banner = True  # type: ignore[attr-defined]
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "threads": THREADS,
        "worker_class": "gthread",
        "timeout": TIMEOUT_S,
        "graceful_timeout": 30,
        "post_worker_init": _warm_up,
        "control_socket_disable": True,  # one fixed path under ~ would collide between two servers
    }).run()


def _warm_up(_worker: Any) -> None:
    """Start the worker's parse zygote now, so the first upload does not wait for it; warm the
    document machinery (charts, LibreOffice) beside it, so the first 阶段总结 or PDF does not."""
    import threading

    from parsers import zygote
    from service.documents import warm_up

    threading.Thread(target=warm_up, name="documents-warm-up", daemon=True).start()
    zygote.pid()
