"""What every kind module hands to `generate()`: a Draft (context + where it belongs) and an Output.

Each kind module (plan, summary, …) exposes TEMPLATE (None when it writes no .docx template),
REQUIRED (variables its template must use), NUMBERED (whether it takes a 文号),
OFFICE_ONLY (optional, default False: only the office may issue it, see `may_issue`),
build(session, params, viewer) -> Draft and produce(template, draft) -> Output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.documents import gbt9704
from service.documents.errors import DocumentError
from service.documents.queries import Scope

DEFAULT_ISSUER = "廉政风险防控工作领导小组办公室"
DEFAULT_ISSUER_CODE = "廉防办"


@dataclass(slots=True)
class Draft:
    context: dict[str, Any]
    stem: str  # file name without extension
    scope: Scope
    number_prefix: str | None = None  # 发文字号 before 〔YYYY〕, numbered kinds only
    deadline: date | None = None
    finding_ids: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific data produce() needs


@dataclass(slots=True)
class Output:
    data: bytes
    ext: str  # ".docx", ".xlsx" or ".zip"
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes)


def parse_date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DocumentError("bad_date", f"{what}日期格式不正确(应为 YYYY-MM-DD):{value}") from exc


def common(sc: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Variables every template may use: campaign, unit, year, 成文日期, issuer, 版记."""
    issued = parse_date(params.get("date"), "成文") or date.today()
    issuer = params.get("issuer") or DEFAULT_ISSUER
    return {
        "campaign": sc.campaign.name if sc.campaign else f"{sc.year}年度廉政风险防控工作",
        "unit": sc.unit_name,
        "year": sc.year,
        "date": gbt9704.date_text(issued),
        "issuer": issuer,
        "copy_to": params.get("copy_to") or "县纪委、县监察局",
        "printed_by": params.get("printed_by") or issuer,
        "printed_date": gbt9704.date_text(issued),
    }


def lines(value: Any) -> list[str]:
    """A list parameter given as a list or as text with one item a line, blanks dropped."""
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in value or [] if str(v).strip()]


def safe_name(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" ._") or "未命名"
