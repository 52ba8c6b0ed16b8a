"""Page: 待办 (notifications) — what was sent back, notices, deadlines, 催报; the menu's counter."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for

from service import notify
from service.web.auth import current_viewer, login_required

bp = Blueprint("todo", __name__, url_prefix="/todo")


@bp.get("")
@login_required
def index() -> Any:
    viewer = current_viewer()
    items = notify.listing(viewer.user_id) if viewer.user_id else []
    return render_template("todo/index.html", items=items)


@bp.post("/read")
@login_required
def read() -> Any:
    viewer = current_viewer()
    raw = request.form.get("id", "")
    if viewer.user_id:
        notify.mark_read(viewer.user_id, [int(raw)] if raw.isdigit() else None)
    target = request.form.get("go", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("todo.index"))


def _counter() -> dict[str, Any]:
    viewer = g.get("viewer")
    if viewer is None or viewer.user_id is None:
        return {"todo_count": 0}
    return {"todo_count": notify.unread_count(viewer.user_id)}


def init_app(app: Flask) -> None:
    app.context_processor(_counter)
