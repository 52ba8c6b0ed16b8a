"""Campaigns (年度廉政风险防控工作): load and validate campaign files, defaults, lookups.

A campaign file follows campaign.schema.json (a copy of ../shared/contract/campaign.schema.json
kept in the package), written as JSON or YAML. Every key but name and year may be left out.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import ServiceError
from service.store.activity import SYSTEM, Actor, record
from service.store.errors import NotFound
from service.store.ids import looks_like_id, parse_id
from service.store.models import Campaign

SCHEMA_PATH = Path(__file__).resolve().parent / "campaign.schema.json"

# Most bodies (浔阳, 徐州) rank 一级 highest; a campaign file can say otherwise (酒泉: 三级).
DEFAULT_LEVEL_STANDARD: dict[str, Any] = {
    "highest": "一级",
    "high": ["一级", "高", "A", "红", "★★★"],
    "medium": ["二级", "中", "B", "橙", "★★"],
    "low": ["三级", "低", "C", "黄", "★"],
}


class CampaignError(ServiceError):
    """A campaign file or value that cannot be used."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("invalid_campaign", message)


def default_stages(year: int) -> list[dict[str, Any]]:
    """The four stages of a typical plan; forms are collected in the second."""
    return [
        {"name": "动员部署", "start": f"{year}-03-01", "end": f"{year}-03-31", "submissions": False},
        {"name": "查找风险、制定措施", "start": f"{year}-04-01", "end": f"{year}-06-30", "submissions": True,
         "deadline": f"{year}-06-30", "forms": ["risk_register", "power_list"]},
        {"name": "监控执行", "start": f"{year}-07-01", "end": f"{year}-10-31", "submissions": False},
        {"name": "检查考核", "start": f"{year}-11-01", "end": f"{year}-12-31", "submissions": False},
    ]


def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def read_campaign_file(path: Path) -> dict[str, Any]:
    """The raw mapping in a JSON or YAML campaign file (not yet validated)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError(f"无法读取工作方案文件 {path.name}:{exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CampaignError(f"工作方案文件 {path.name} 格式有误(应为 JSON 或 YAML):{exc}") from exc
    if not isinstance(data, dict):
        raise CampaignError(f"工作方案文件 {path.name} 的内容应为键值对象")
    # YAML reads 2025-03-01 as a date; the schema (like JSON) wants the ISO string.
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def normalize_campaign(data: dict[str, Any]) -> dict[str, Any]:
    """Validate against the schema, check the dates, fill the defaults; raises CampaignError."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(根)"
        raise CampaignError(f"工作方案不符合格式要求:{where}:{err.message}")
    year = data["year"]
    stages = [dict(s) for s in data.get("stages") or default_stages(year)]
    for stage in stages:
        if stage["start"] > stage["end"]:
            raise CampaignError(f"阶段“{stage['name']}”的开始日期晚于结束日期")
        if stage.get("submissions") and not stage.get("deadline"):
            stage["deadline"] = stage["end"]
    return {
        "name": data["name"].strip(),
        "year": year,
        "stages": stages,
        "level_standard": data.get("level_standard") or dict(DEFAULT_LEVEL_STANDARD),
        "owner_required": bool(data.get("owner_required", False)),
        "audit": _with_documents(data.get("audit") or {}, data.get("documents")),
    }


def _with_documents(audit: dict[str, Any], documents: dict[str, Any] | None) -> dict[str, Any]:
    """The campaign file's 主送/抄送 kept under "documents" in the settings JSON, where the
    documents read them (service/documents/base.campaign_settings)."""
    lists = {k: [str(v).strip() for v in documents[k] if str(v).strip()]
             for k in ("main_to", "copy_to") if documents and documents.get(k)}
    if not lists:
        return audit
    kept = audit.get("documents")
    return {**audit, "documents": {**(kept if isinstance(kept, dict) else {}), **lists}}


def add_campaign(session: Session, spec: dict[str, Any], *, actor: Actor = SYSTEM) -> Campaign:
    """Store a campaign from `spec` (validated here); names are unique."""
    values = normalize_campaign(spec)
    if session.scalar(select(Campaign.id).where(Campaign.name == values["name"])) is not None:
        raise CampaignError(f"工作名称已存在:{values['name']}")
    campaign = Campaign(**values)
    session.add(campaign)
    session.flush()
    record(session, actor, "campaign.create", "campaign", campaign.id, name=campaign.name)
    return campaign


def find_campaign(session: Session, campaign: str | int | None) -> Campaign | None:
    """The campaign by name, id or year (its latest); with None, the latest one, or None when there is none."""
    latest = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if campaign is None:
        return session.scalars(latest).first()
    if looks_like_id(campaign):
        campaign = parse_id(campaign) or 0  # 0: no campaign has it, no year is it
    if isinstance(campaign, int):
        found = session.get(Campaign, campaign) or session.scalars(latest.where(Campaign.year == campaign)).first()
    else:
        found = session.scalars(select(Campaign).where(Campaign.name == str(campaign).strip())).first()
    if found is None:
        raise NotFound("unknown_campaign", f"工作不存在:{campaign},请管理员先在“管理”中创建该年度工作")
    return found


def campaign_as_dict(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "year": campaign.year,
        "stages": campaign.stages,
        "level_standard": campaign.level_standard,
        "owner_required": campaign.owner_required,
        "audit": campaign.audit,
    }
