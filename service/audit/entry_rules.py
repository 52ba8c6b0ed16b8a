"""Rules about single risk points: fields left empty, measures too thin or too vague."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from parsers.model import PHASES
from service.audit import phases, promises, vague
from service.audit.context import EntryData, UnitContext
from service.audit.registry import FindingDraft, entry_draft, rule, where


def _by_submission(ctx: UnitContext) -> dict[int, list[EntryData]]:
    groups: dict[int, list[EntryData]] = defaultdict(list)
    for e in ctx.entries:
        groups[e.submission_id].append(e)
    return groups


def _missing_field(ctx: UnitContext, rule_name: str, field: str, label: str) -> Iterator[FindingDraft]:
    """One finding per form when the whole column is empty, else one per entry."""
    for submission_id, entries in _by_submission(ctx).items():
        empty = [e for e in entries if not getattr(e, field)]
        if not empty:
            continue
        sub = ctx.submission(submission_id)
        if len(empty) == len(entries) and len(entries) > 1 and sub is not None:
            yield FindingDraft(
                rule=rule_name,
                message=f"《{sub.original_name}》全部{len(entries)}个风险点均未标明{label},请逐项补填",
                subject=f"form:{sub.subject}",
                unit_id=sub.unit_id,
                submission_id=submission_id,
                details={"entries": len(entries)},
            )
            continue
        for e in empty:
            yield entry_draft(rule_name, e, f"风险点{where(e)}未标明{label},请补填")


@rule("missing_level", "风险点未标明风险等级(风险等级标识不完整)", severity="high")
def missing_level(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    return _missing_field(ctx, "missing_level", "level", "风险等级")


@rule("missing_category", "风险点未标明风险类型", severity="low")
def missing_category(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    return _missing_field(ctx, "missing_category", "category", "风险类型")


@rule("missing_owner", "活动要求填写责任人,风险点未明确责任人", severity="medium")
def missing_owner(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    if not ctx.owner_required:
        return
    for e in ctx.entries:
        if not e.owner and not any(m.owner for m in e.measures):
            yield entry_draft("missing_owner", e, f"风险点{where(e)}未明确责任人")


@rule("no_measures", "风险点没有防控措施", severity="high")
def no_measures(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    for e in ctx.entries:
        if not any(m.text.strip() for m in e.measures):
            yield entry_draft("no_measures", e, f"风险点{where(e)}未制定防控措施")


@rule("vague_measure", "防控措施过于笼统:只有套话,没有具体做法、责任人或时限", threshold=0.6)
def vague_measure(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    """An entry whose every measure scores at or above the threshold (its best one is still vague)."""
    threshold = float(cfg["threshold"])
    for e in ctx.entries:
        scores = (vague.score(m.text, owner=m.owner, deadline=m.deadline or e.deadline) for m in e.measures)
        if e.measures and all(s >= threshold for s in scores):
            texts = "、".join(f"“{m.text}”" for m in e.measures)
            yield entry_draft(
                "vague_measure", e, f"风险点{where(e)}的防控措施{texts}过于笼统,缺少具体做法、责任人或完成时限"
            )


@rule("rule_without_name_or_date", "措施提出制定或修订制度,但未写明具体制度名称或完成时间", severity="low")
def rule_without_name_or_date(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    for e in ctx.entries:
        found = [(m.text, p) for m in e.measures
                 if (p := promises.promise(m.text, deadline=m.deadline or e.deadline)) and not (p.named and p.dated)]
        if not found:
            continue
        lacks = [label for label, ok in (("具体制度名称", all(p.named for _, p in found)),
                                         ("完成时间", all(p.dated for _, p in found))) if not ok]
        texts = "、".join(f"“{t}”" for t, _ in found)
        yield entry_draft(
            "rule_without_name_or_date", e,
            f"风险点{where(e)}的措施{texts}提出建立制度,但未写明{'和'.join(lacks)},请写明制度名称《…》和完成时限",
            lacks=lacks,
        )


def entry_phases(e: EntryData) -> set[str]:
    """The lines of defence an entry's measures are marked with (phase column or prefix)."""
    return {m.phase or phases.marked(m.text) for m in e.measures} - {None}


@rule("high_without_three_lines", "最高等级风险点的措施未覆盖前期预防、中期监控、后期处置三道防线",
      severity="medium", confidence=0.75)
def high_without_three_lines(ctx: UnitContext, cfg: dict[str, Any]) -> Iterator[FindingDraft]:
    """On forms that mark phases, the marks decide; on forms that mark none, the wording does,
    and only a confident miss is a finding."""
    marks = {e.id: entry_phases(e) for e in ctx.entries}
    marking = {e.submission_id for e in ctx.entries if marks[e.id]}
    for e in ctx.entries:
        if e.level != "high" or not any(m.text.strip() for m in e.measures):
            continue
        if e.submission_id in marking:
            missing = {p: 1.0 for p in PHASES if p not in marks[e.id]}
        else:
            missing = phases.confident_misses([m.text for m in e.measures], float(cfg["confidence"]),
                                              f"{e.duty or ''}{e.risk}")
        if missing:
            names = "、".join(missing)
            yield entry_draft(
                "high_without_three_lines", e,
                f"高风险点{where(e)}的防控措施缺少{names}环节,请按前期预防、中期监控、后期处置三道防线补充措施",
                missing=list(missing), confidence=min(missing.values()),
            )
