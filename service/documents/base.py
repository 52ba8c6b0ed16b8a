"""What every kind module hands to `generate()`: a Draft (context + where it belongs) and an Output.

A kind is declared in `service.document_kinds` (label, parameters, 文号, who may issue it,
its template); its module (plan, summary, …) exposes REQUIRED (variables its template must
use), build(session, params, viewer) -> Draft and produce(template, draft) -> Output.
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


def campaign_settings(sc: Scope) -> dict[str, Any]:
    """What the office set for the documents of a campaign (主送 main_to, 抄送 copy_to, issuer,
    issuer_code), kept under "documents" in the campaign's settings JSON beside "review"."""
    raw = (sc.campaign.audit or {}).get("documents") if sc.campaign else None
    keys = ("main_to", "copy_to", "issuer", "issuer_code", "printed_by", "feedback")
    joiners = {"main_to": "、", "copy_to": ","}  # lists from the campaign file (campaign.schema.json)
    return {k: joiners.get(k, "、").join(map(str, raw[k])) if isinstance(raw[k], list) else str(raw[k])
            for k in keys if isinstance(raw, dict) and raw.get(k)}


def setting(sc: Scope, params: dict[str, Any], key: str) -> str | None:
    """A document setting: the request's, else the campaign's (campaign_settings)."""
    return params.get(key) or campaign_settings(sc).get(key)


def common(sc: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Variables every template may use: campaign, unit, year, 成文日期, issuer, 版记."""
    issued = parse_date(params.get("date"), "成文") or date.today()
    params = {**campaign_settings(sc), **{k: v for k, v in params.items() if v not in (None, "")}}
    issuer = params.get("issuer") or DEFAULT_ISSUER
    return {
        "campaign": sc.campaign.name if sc.campaign else f"{sc.year}年度廉政风险防控工作",
        "unit": sc.unit_name,
        "year": sc.year,
        "date": gbt9704.date_text(issued),
        "issuer": issuer,
        "copy_to": params.get("copy_to") or "",  # the office names them; the 监察局 is no more (2018)
        "main_to": params.get("main_to") or "",
        "printed_by": params.get("printed_by") or issuer,
        "printed_date": gbt9704.date_text(issued),
    }


def region(sc: Scope) -> str:
    """The body a campaign belongs to, from its name: 2026年度安澜县廉政风险防控工作 → 安澜县."""
    name = sc.campaign.name if sc.campaign else ""
    m = re.match(r"^\d{4}年度?(.+?)(廉政|廉洁|风险|$)", name)
    return m.group(1) if m else ""


def issuer_for(sc: Scope, department: str | None = None) -> str:
    """The office that issues a notice, named with its body: the unit's own office for one of its
    departments, the campaign's (e.g. 安澜县) for a unit, else the unit's."""
    body = (sc.unit_name if department or not region(sc) else region(sc)) if sc.unit else region(sc)
    return f"{body}{DEFAULT_ISSUER}"


def without_region(campaign: str, unit: str) -> str:
    """The campaign name without the place the unit's name already says:
    (2026年度安澜县廉政风险防控工作, 安澜县财政局) → 2026年度廉政风险防控工作."""
    for m in re.finditer(r"[省市县区旗州盟镇乡]", campaign):
        place = campaign[:m.end()]
        place = re.sub(r"^\d{4}年度?", "", place)
        if place and unit.startswith(place):
            return campaign.replace(place, "", 1)
    return campaign


def lines(value: Any) -> list[str]:
    """A list parameter given as a list or as text with one item a line, blanks dropped."""
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in value or [] if str(v).strip()]


def file_name(stem: str, ext: str, *, draft: bool = False) -> str:
    """The one way a generated file is named: its stem (`document_kinds.stem`) made safe,
    a draft marked 草稿, then the extension."""
    return safe_name(stem) + ("_草稿" if draft else "") + ext


def safe_name(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" ._") or "未命名"
