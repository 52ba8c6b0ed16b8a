"""Rules that compare a unit's risk points with each other, with last year and with the campaign."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from os.path import commonprefix
from typing import Any

from service.audit.context import EntryData, UnitContext
from service.audit.names import department_key, is_leader_group, role_key
from service.audit.phases import unmarked
from service.audit.registry import FindingDraft, entry_draft, rule, where
from service.audit.similarity import normalize, similar_pairs

LEADER_POSITION = re.compile(r"局长|书记|厅长|县长|区长|市长|镇长|乡长|院长|行长|主席|党组|班子|纪检组长|主要领导|分管领导")
HEAD_POSITION = re.compile(r"科长|主任|处长|队长|所长|站长|股长|经理|负责人")
SENSITIVE = re.compile(r"审批|财务|采购|资金|资产|招标|工程|执法|收费")
_MATTER = re.compile(r"中|时")
SENSITIVE_DOMAINS = {"行政审批", "财务资产", "行政执法"}


def _leader_entry(e: EntryData, names: set[str], roles: set[str], leader_forms: set[int]) -> bool:
    """A leader's risk point: a roster leader by name or position, a leader's title, or a 领导班子 form."""
    if (e.person and e.person in names) or LEADER_POSITION.search(e.position or ""):
        return True
    if e.position and role_key(e.position) in roles:
        return True
    return e.submission_id in leader_forms or is_leader_group(e.department)


@rule("level_by_rank", "风险等级按职务高低划定(领导一律最高、一般人员一律最低),未按发生概率和危害程度评定",
      min_entries=3, tolerance=0.1)
def level_by_rank(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    """Leaders' points (all but `tolerance` of them) at the highest level and the staff's at the lowest;
    heads of departments count in neither group."""
    names = {leader.name for leader in ctx.leaders}
    roles = {role_key(leader.position) for leader in ctx.leaders if leader.position}
    leader_forms = {s.id for s in ctx.submissions
                    if is_leader_group((s.form or {}).get("department")) or is_leader_group((s.form or {}).get("title"))}
    leaders, staff = [], []
    for e in ctx.entries:
        if not e.level:
            continue
        if _leader_entry(e, names, roles, leader_forms):
            leaders.append(e)
        elif not HEAD_POSITION.search(e.position or ""):
            staff.append(e)
    if min(len(leaders), len(staff)) < cfg["min_entries"]:
        return
    top = sum(e.level == "high" for e in leaders) / len(leaders)
    bottom = sum(e.level == "low" for e in staff) / len(staff)
    if min(top, bottom) >= 1 - cfg["tolerance"]:
        yield FindingDraft(
            rule="level_by_rank",
            message=(
                f"{ctx.unit_name}领导班子成员的{len(leaders)}个风险点{top:.0%}定为最高等级,其他人员的{len(staff)}个"
                f"风险点{bottom:.0%}定为最低等级,风险等级疑按职务高低划定,请按发生概率和危害程度逐项重新评定"
            ),
            subject="level_by_rank",
            unit_id=ctx.unit_id,
            details={"leader_entries": len(leaders), "staff_entries": len(staff)},
        )


@rule("level_distribution", "单位风险等级分布明显偏离全活动水平(如承担审批、财务职能却无高风险点)",
      min_entries=10, max_gap=0.4)
def level_distribution(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
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
        yield FindingDraft(
            rule="level_distribution",
            message=f"{ctx.unit_name}风险等级分布异常:{';'.join(problems)}",
            subject="level_distribution",
            unit_id=ctx.unit_id,
            details={"high_share": round(share, 3), "campaign_share": baseline and round(baseline, 3)},
        )


def _holder(e: EntryData) -> str:
    return "/".join(x for x in (e.department, e.position, e.person) if x) or "未注明岗位"


def _same_holder(a: EntryData, b: EntryData) -> bool:
    """The same position (or person): a resubmission or a second form of it, not a copy."""
    if role_key(a.position) != role_key(b.position):
        return False
    pairs = ((department_key(a.department), department_key(b.department)), (a.person, b.person))
    return all(not x or not y or x == y for x, y in pairs)


def _own_words(e: EntryData) -> str:
    return normalize(f"{e.duty or ''}{''.join(m.text for m in e.measures)}")


def _middles(a: str, b: str) -> tuple[int, str, str]:
    """Where two texts start to differ, and what is left of each once their common beginning
    and end are taken off."""
    head = len(commonprefix([a, b]))
    tail = len(commonprefix([a[head:][::-1], b[head:][::-1]]))
    return head, a[head : len(a) - tail], b[head : len(b) - tail]


def _matter_end(text: str) -> int:
    """Where the matter a risk is about ends: "现金收付中…", "档案借阅时…" (0 if it does not say)."""
    found = _MATTER.search(text[:12])
    return found.start() if found else 0


def _copied(a: EntryData, b: EntryData, text_a: str, text_b: str, sim: float, cfg: dict[str, Any]) -> bool:
    """Near enough (the threshold, or one word of up to `few_chars` swapped, added or dropped), by
    another holder, and not adapted: texts that differ only in the matter they are about, or only
    where each names its own work ("现场勘验中…" on an entry whose measures are about 现场勘验)."""
    if _same_holder(a, b):
        return False
    head, mid_a, mid_b = _middles(text_a, text_b)
    if sim < cfg["threshold"]:
        if max(len(mid_a), len(mid_b)) > cfg["few_chars"]:
            return False
        if mid_a and mid_b and head + len(mid_a) <= _matter_end(text_a) and head + len(mid_b) <= _matter_end(text_b):
            return False  # the same fault in another matter: 现金收付中… / 印章使用中…
    return not (mid_a and mid_b and mid_a in _own_words(a) and mid_b in _own_words(b))


@rule("copied_text", "不同岗位或人员的风险点表述相同或仅差个别字,或防控措施完全相同(照抄照搬)",
      threshold=0.88, few_chars=4, min_length=12)
def copied_text(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    entries = ctx.entries
    texts = [normalize(e.risk) for e in entries]
    texts = [t if len(t) >= cfg["min_length"] else "" for t in texts]
    copies: dict[int, dict[int, str]] = defaultdict(dict)  # entry index -> other index -> how
    for i, j, sim in similar_pairs(texts, float(cfg["threshold"]), int(cfg["few_chars"])):
        if _copied(entries[i], entries[j], texts[i], texts[j], sim, cfg):
            how = "风险点表述完全相同" if sim == 1 else "风险点表述仅差个别字"
            copies[i][j] = copies[j][i] = how
    _add_same_measures(entries, copies, cfg)
    for i, others in sorted(copies.items()):
        if not others:
            continue
        e = entries[i]
        said = "；".join(dict.fromkeys(f"与{_holder(entries[j])}的{how}" for j, how in sorted(others.items())))
        yield entry_draft(
            "copied_text", e, f"风险点{where(e)}{said},疑为照抄,请结合本岗位实际重新查找风险点、制定措施",
            copies=[{"entry_id": entries[j].id, "holder": _holder(entries[j]), "row": entries[j].source.get("row")}
                    for j in sorted(others)],
        )


def _add_same_measures(entries: list[EntryData], copies: defaultdict[int, dict[int, str]], cfg: dict[str, Any]) -> None:
    """Mark entries of different holders with identical measures; a wording match already found wins."""
    lists: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        key = _measure_list(e)
        if sum(map(len, key)) >= cfg["min_length"]:
            lists[key].append(i)
    for group in lists.values():
        for i in group:
            for j in group:
                if i != j and j not in copies[i] and not _same_holder(entries[i], entries[j]):
                    copies[i][j] = "防控措施完全相同"


def _measure_list(e: EntryData) -> tuple[str, ...]:
    """An entry's measures, compared without order, punctuation or line-of-defence prefixes."""
    return tuple(sorted(t for t in (normalize(unmarked(m.text)) for m in e.measures) if t))


def _content(e: EntryData) -> tuple[str, tuple[str, ...]]:
    return normalize(e.risk), _measure_list(e)


@rule("copied_from_last_year", "风险点及防控措施与上一年度完全相同,未结合实际更新", severity="low")
def copied_from_last_year(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    if not ctx.previous_entries:
        return
    last = Counter(_content(e) for e in ctx.previous_entries)
    for e in ctx.entries:
        if last[_content(e)]:
            yield entry_draft("copied_from_last_year", e, f"风险点{where(e)}及其防控措施与上一年度完全相同,未更新")
