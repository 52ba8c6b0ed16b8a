"""The Flask app factory: pages in Chinese, the JSON API beside them.

Blueprints of other areas (review, batches) are registered when their modules exist,
so the web layer never needs a stub of someone else's part.
"""

from __future__ import annotations

import importlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from service import labels
from service.config import settings
from service.store.ids import MAX_ID
from service.web import (
    activity,
    admin,
    api,
    auth,
    dashboard,
    documents,
    entries,
    errors,
    openapi,
    people,
    security,
    submissions,
    todo,
)

# module -> the nav label its pages get when it exists (its blueprint's `index` endpoint)
OPTIONAL_BLUEPRINTS = {"service.web.review": "审核", "service.web.batches": "批量导入"}


def _secret_key(home: Path) -> str:
    """The configured key, else one kept in LIANFANG_HOME so all workers and restarts share it."""
    configured = settings().secret_key
    if configured:
        return configured
    path = home / "secret_key"
    if not path.exists():
        # Written aside, then linked into place: concurrent workers agree on one key, never a torn file.
        home.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".secret-")
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id past what the database holds is no route (404), not an error."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter
    app.config.update(
        SECRET_KEY=(test_config or {}).get("SECRET_KEY") or _secret_key(settings().home),
        MAX_FILES_PER_UPLOAD=settings().max_files_per_upload,
    )
    security.init_app(app)
    if test_config:
        app.config.update(test_config)
    auth.init_app(app)
    errors.init_app(app)
    todo.init_app(app)
    for module in (auth, dashboard, todo, submissions, entries, documents, admin, people, activity, api, openapi):
        app.register_blueprint(module.bp)
    extra_nav = []
    for name, label in OPTIONAL_BLUEPRINTS.items():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.register_blueprint(module.bp)
        if f"{module.bp.name}.index" in app.view_functions:
            extra_nav.append((label, f"{module.bp.name}.index"))
    app.jinja_env.globals["extra_nav"] = extra_nav
    app.jinja_env.globals["labels"] = labels  # display names: one source (service/labels.py)
    return app
