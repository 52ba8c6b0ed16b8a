"""Rules that compare a unit's risk points with each other, with last year and with the campaign."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from service.audit.context import EntryData, UnitContext
from service.audit.registry import Draft, entry_draft, rule, where
from service.audit.similarity import grams, normalize, similar_pairs

LEADER_POSITION = re.compile(r"局长|书记|厅长|县长|区长|市长|镇长|乡长|院长|行长|主席|党组|班子|纪检组长|主要领导|分管领导")
HEAD_POSITION = re.compile(r"科长|主任|处长|队长|所长|站长|股长|经理|负责人")
SENSITIVE = re.compile(r"审批|财务|采购|资金|资产|招标|工程|执法|收费")
SENSITIVE_DOMAINS = {"行政审批", "财务资产", "行政执法"}


def _rank(e: EntryData, leader_names: set[str]) -> str:
    if (e.person and e.person in leader_names) or LEADER_POSITION.search(e.position or ""):
        return "leader"
    if HEAD_POSITION.search(e.position or ""):
        return "head"
    return "staff"


@rule("level_by_rank", "风险等级按职务高低划定(领导一律最高、一般人员一律最低),未按发生概率和危害程度评定",
      min_entries=3, share=0.9)
def level_by_rank(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    names = {leader.name for leader in ctx.leaders}
    leaders = [e for e in ctx.entries if e.level and _rank(e, names) == "leader"]
    staff = [e for e in ctx.entries if e.level and _rank(e, names) == "staff"]
    if min(len(leaders), len(staff)) < cfg["min_entries"]:
        return
    top = sum(e.level == "high" for e in leaders) / len(leaders)
    bottom = sum(e.level == "low" for e in staff) / len(staff)
    if top >= cfg["share"] and bottom >= cfg["share"]:
        yield Draft(
            rule="level_by_rank",
            message=(
                f"{ctx.unit_name}领导岗位{len(leaders)}个风险点{top:.0%}定为高风险,一般岗位{len(staff)}个风险点"
                f"{bottom:.0%}定为低风险,风险等级疑按职务划定,请按发生概率和危害程度重新评定"
            ),
            subject="level_by_rank",
            unit_id=ctx.unit_id,
            details={"leader_entries": len(leaders), "staff_entries": len(staff)},
        )


@rule("level_distribution", "单位风险等级分布明显偏离全活动水平(如承担审批、财务职能却无高风险点)",
      min_entries=10, max_gap=0.4)
def level_distribution(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    own = ctx.campaign_levels.get(ctx.unit_id, {})
    graded = sum(n for level, n in own.items() if level != "none")
    if graded < cfg["min_entries"]:
        return
    share = own.get("high", 0) / graded
    others = [c for uid, c in ctx.campaign_levels.items() if uid != ctx.unit_id]
    others_graded = sum(n for c in others for level, n in c.items() if level != "none")
    baseline = sum(c.get("high", 0) for c in others) / others_graded if others_graded else None
    sensitive = any(
        e.domain in SENSITIVE_DOMAINS or SENSITIVE.search(f"{e.department or ''}{e.duty or ''}{e.risk}")
        for e in ctx.entries
    )
    problems = []
    if share == 0 and sensitive:
        problems.append("承担行政审批、财务等职能,却未确定任何高风险点")
    if baseline is not None and abs(share - baseline) >= cfg["max_gap"]:
        problems.append(f"高风险点占比{share:.0%},全活动其他单位平均{baseline:.0%}")
    if problems:
        yield Draft(
            rule="level_distribution",
            message=f"{ctx.unit_name}风险等级分布异常:{';'.join(problems)}",
            subject="level_distribution",
            unit_id=ctx.unit_id,
            details={"high_share": round(share, 3), "campaign_share": baseline and round(baseline, 3)},
        )


def _holder(e: EntryData) -> tuple[str, str, str]:
    return (e.department or "", e.position or "", e.person or "")


@rule("copied_text", "不同岗位或人员的风险点表述相同或几乎相同(照抄照搬)", threshold=0.9)
def copied_text(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    entries = ctx.entries
    copies: dict[int, list[EntryData]] = {}
    for i, j, _sim in similar_pairs([grams(e.risk) for e in entries], float(cfg["threshold"])):
        a, b = entries[i], entries[j]
        if _holder(a) != _holder(b):
            copies.setdefault(i, []).append(b)
            copies.setdefault(j, []).append(a)
    for i, others in sorted(copies.items()):
        e = entries[i]
        names = "、".join(sorted({"/".join(x for x in _holder(o) if x) or "未注明岗位" for o in others}))
        yield entry_draft("copied_text", e, f"风险点{where(e)}与{names}的风险点表述相同或几乎相同,疑为照抄",
                          copies=[o.id for o in others])


def _content(e: EntryData) -> tuple[str, tuple[str, ...]]:
    return normalize(e.risk), tuple(sorted(normalize(m.text) for m in e.measures))


@rule("copied_from_last_year", "风险点及防控措施与上一年度完全相同,未结合实际更新", severity="low")
def copied_from_last_year(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[Draft]:
    if not ctx.previous_entries:
        return
    last = Counter(_content(e) for e in ctx.previous_entries)
    for e in ctx.entries:
        if last[_content(e)]:
            yield entry_draft("copied_from_last_year", e, f"风险点{where(e)}及其防控措施与上一年度完全相同,未更新")
