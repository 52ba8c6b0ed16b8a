"""公示: a unit's agreed risk points and measures, published for comment for a period.

What a 公示 must say besides the points: the 公示期 (from the day it is published to the last
day comments are taken), where to send comments (the feedback channel: the campaign's setting
"documents.feedback", else the system's 公示反馈 box and the issuing office), and who publishes
it and when (署名 and 成文日期). service.review decides what is agreed and when the period ends;
this module only writes the document.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from service.document_kinds import PUBLICITY
from service.documents import gbt9704, manual, render
from service.documents.base import DEFAULT_ISSUER, campaign_settings, common
from service.documents.queries import Scope

REQUIRED = frozenset({"title", "period", "feedback", "departments", "issuer", "date"})


def document(sc: Scope, entries: list[dict[str, Any]], *, start: date, until: date | None) -> bytes:
    """The 公示 .docx for `entries` of scope `sc`, published on `start` until `until`."""
    ctx = common(sc, {})
    issuer = campaign_settings(sc).get("issuer") or f"{sc.unit_name}{DEFAULT_ISSUER}"  # the unit publishes
    feedback = campaign_settings(sc).get("feedback") or (
        f"在公示期内通过廉政风险防控管理系统“公示反馈”栏目提出,或以书面形式向{issuer}反映")
    ctx.update(
        title=f"{sc.unit_name}廉政风险点及防控措施公示",
        period=(f"{gbt9704.date_text(start)}至{gbt9704.date_text(until)}" if until
                else f"自{gbt9704.date_text(start)}起"),
        feedback=feedback,
        issuer=issuer,
        count=len(entries),
        measures=sum(len(e["measures"]) for e in entries),
        departments=manual.grouped(entries),
        date=gbt9704.date_text(start),
    )
    return render.render(render.load(PUBLICITY.template, REQUIRED), ctx)
