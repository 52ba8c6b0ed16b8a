"""Page: 风险库 — the current risk points of the units a user may see, and the ledger export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from parsers.model import CATEGORIES
from service import labels
from service.web import queries
from service.web.auth import current_viewer, login_required
from service.web.documents import generate_and_send

bp = Blueprint("entries", __name__)
FILTERS = ("unit", "department", "level", "category", "q")


@bp.get("/entries")
@login_required
def listing() -> Any:
    viewer = current_viewer()
    filters = {k: request.args.get(k) or None for k in FILTERS}
    page = queries.entries(viewer, page=queries.page_number(request.args.get("page")), sort=request.args.get("sort"),
                           descending=request.args.get("desc") == "1", **filters)
    return render_template("entries/list.html", page=page, args=request.args, units=queries.units(viewer),
                           levels=labels.LEVEL_NAMES, categories=[(c, c) for c in CATEGORIES], campaigns=queries.campaign_names())


@bp.post("/entries/export")
@login_required
def export() -> Any:
    """The ledger (风险台账 .xlsx) of exactly the entries filtered on screen, for the chosen campaign."""
    return generate_and_send("ledger", request.form.to_dict())
