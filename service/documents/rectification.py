"""整改通知书 to a unit or department, with a 文号 numbered per campaign.

The problems are exactly the open audit findings of the unit (of the department, when one is
named), grouped by rule, each with its source (file, table, row); when there are none, the items
the office passes in params["items"]. The findings listed are linked to the notice
(Finding.notice_id) in the same transaction that records it. The issuer is named with its body
(安澜县廉政风险防控工作领导小组办公室, not a bare 领导小组办公室), and the annex the notice
names, the blank 排查登记表 to fill in again, is written beside it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.document_kinds import stem
from service.documents import findings, forms, gbt9704, numbering, queries, render
from service.documents.base import (
    DEFAULT_ISSUER_CODE,
    Draft,
    Output,
    common,
    issuer_for,
    lines,
    parse_date,
    setting,
)
from service.documents.errors import DocumentError
from service.store.scope import Viewer

REQUIRED = frozenset({"number_text", "addressee", "groups", "deadline"})
DEFAULT_DAYS = 15
ANNEX = "廉政风险点排查登记表（修订）"


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    if sc.unit is None:
        raise DocumentError("unit_required", "整改通知书须指定单位(--unit)")
    department = params.get("department")
    found = findings.open_findings(session, sc.unit_ids or [sc.unit.id], department)
    groups = findings.grouped(found)
    if not groups and (items := lines(params.get("items"))):
        groups = [findings.RuleGroup(numbering.heading2(1), "审核发现的问题",
                                     [{"no": i, "text": t} for i, t in enumerate(items, 1)])]
    if not groups:
        raise DocumentError("no_problems", "没有需要整改的问题:该单位没有未关闭的审核问题,请列出整改事项(items)")
    deadline = parse_date(params.get("deadline"), "整改期限") or date.today() + timedelta(days=DEFAULT_DAYS)
    addressee = f"{sc.unit.name}{department}" if department else sc.unit.name
    ctx = common(sc, params)
    issuer = setting(sc, params, "issuer") or issuer_for(sc, department)
    ctx.update(
        title=f"关于{addressee}廉政风险防控工作限期整改的通知",
        addressee=addressee,
        addressee_kind="科室" if department else "单位",
        groups=[{"heading": g.heading, "title": g.title, "lines": g.items} for g in groups],
        count=sum(len(g.items) for g in groups),
        deadline=gbt9704.date_text(deadline),
        issuer=issuer,
        printed_by=setting(sc, params, "printed_by") or issuer,
        attachments=lines(params.get("attachments")) or [ANNEX],
        number_text="",
    )
    return Draft(ctx, stem=stem("rectification", addressee), scope=sc,
                 number_prefix=setting(sc, params, "issuer_code") or DEFAULT_ISSUER_CODE,
                 deadline=deadline, finding_ids=[f.id for f in found])


def produce(template: render.Template, draft: Draft) -> Output:
    """The notice, and the annex it names: the blank 排查登记表 to fill in again."""
    annexes = []
    if ANNEX in draft.context["attachments"]:
        unit = draft.scope.unit_name
        annexes = [(f"附件_{forms.TITLE}（修订）.docx", forms.blank_docx(unit, "附件")),
                   (f"附件_{forms.TITLE}（修订）.xlsx", forms.blank_xlsx(unit))]
    return Output(render.render(template, draft.context), ".docx", attachments=annexes)
