"""实施方案 for a campaign and unit: the stages and their dates come from the campaign, the
领导小组 from the roster (Person.is_leader); the blank forms of the 附件 are written beside it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from service.document_kinds import stem
from service.documents import forms, gbt9704, numbering, queries, render
from service.documents.base import Draft, Output, common, setting, without_region
from service.documents.errors import DocumentError
from service.store.scope import Viewer

REQUIRED = frozenset({"number_text", "unit", "stages", "leaders", "attachments", "date"})
# What each stage does, by a word its name contains (names vary between bodies); from ../shared/seeds.
STAGE_TASKS = (
    ("动员", "召开动员大会,传达上级部署,成立领导小组,组织学习培训,营造人人参与的氛围。"),
    ("部署", "召开动员大会,传达上级部署,成立领导小组,组织学习培训,营造人人参与的氛围。"),
    ("查找", "按照个人查、科室议、领导审、群众评的方法,对照职责逐岗查找廉政风险点,评定风险等级,填写排查登记表。"),
    ("排查", "按照个人查、科室议、领导审、群众评的方法,对照职责逐岗查找廉政风险点,评定风险等级,填写排查登记表。"),
    ("措施", "针对查找出的风险点,逐项制定前期预防、中期监控、后期处置的防控措施,明确责任人和完成时限,经审核后公示。"),
    ("监控", "落实防控措施,开展日常监督和预警处置,对苗头性问题及时谈话提醒、责令整改。"),
    ("执行", "落实防控措施,开展日常监督和预警处置,对苗头性问题及时谈话提醒、责令整改。"),
    ("检查", "对工作开展情况进行检查考核,总结经验,修正完善风险点和防控措施,形成长效机制。"),
    ("总结", "对工作开展情况进行检查考核,总结经验,修正完善风险点和防控措施,形成长效机制。"),
)
DEFAULT_TASK = "按照本阶段工作安排,扎实推进各项工作任务。"


def _task(name: str) -> str:
    return next((text for word, text in STAGE_TASKS if word in name), DEFAULT_TASK)


def _day(value: str | None) -> str:
    return gbt9704.date_text(date.fromisoformat(value)) if value else ""


def stages(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "heading": numbering.heading2(i),
        "name": s["name"],
        "period": f"{_day(s.get('start'))}至{_day(s.get('end'))}",
        "deadline": _day(s.get("deadline") or (s.get("end") if s.get("submissions") else None)),
        "task": _task(s["name"]),
    } for i, s in enumerate(raw, 1)]


def leaders(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first leader of the roster chairs the group; deputies (副…) are deputy chairs."""
    return [{"role": "组长" if i == 0 else ("副组长" if "副" in (p["position"] or "") else "成员"),
             "name": p["name"], "position": p["position"] or ""} for i, p in enumerate(people)]


def build(session: Session, params: dict[str, Any], viewer: Viewer) -> Draft:
    sc = queries.scope(session, viewer, params)
    if sc.unit is None:
        raise DocumentError("unit_required", "实施方案须指定单位(--unit)")
    if sc.campaign is None or not sc.campaign.stages:
        raise DocumentError("campaign_required", "实施方案须有含工作阶段的工作任务,请先用 lianfang campaign add 创建")
    raw = sc.campaign.stages
    ctx = common(sc, params)
    ctx.update(
        title=f"{sc.unit_name}{without_region(sc.campaign.name, sc.unit_name)}实施方案",
        main_to=ctx["main_to"] or "各科室(部门)",
        issuer=(issuer := setting(sc, params, "issuer") or f"{sc.unit_name}廉政风险防控工作领导小组"),
        printed_by=setting(sc, params, "printed_by") or issuer,
        stages=stages(raw),
        start=_day(raw[0].get("start")),
        end=_day(raw[-1].get("end")),
        leaders=leaders(queries.leaders(session, sc)),
        departments=queries.departments(session, sc),
        attachments=[f"{forms.TITLE}(Word、Excel 两种格式,任选其一填报)"],
        number_text="",
    )
    return Draft(ctx, stem=stem("plan", sc.unit_name), scope=sc, number_prefix=setting(sc, params, "issuer_code") or "廉防")


def produce(template: render.Template, draft: Draft) -> Output:
    unit = draft.context["unit"]
    return Output(render.render(template, draft.context), ".docx", attachments=[
        (f"附件1_{forms.TITLE}.docx", forms.blank_docx(unit)),
        (f"附件1_{forms.TITLE}.xlsx", forms.blank_xlsx(unit)),
    ])
