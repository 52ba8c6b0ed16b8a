"""The registry of audit rules: name, Chinese explanation, severity, default settings.

A rule is a pure function `(ctx, settings) -> Iterable[FindingDraft]`. A campaign tunes it
through its `audit` JSON: `{"rule_name": false}` switches it off, an object overrides
its default settings. Other keys of that JSON (e.g. "review") are not rules and are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from service.audit.context import EntryData, UnitContext


@dataclass(slots=True)
class FindingDraft:
    """A finding before it is stored; `subject` identifies what it is about across versions."""

    rule: str
    message: str
    subject: str
    unit_id: int
    submission_id: int | None = None
    entry_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # defaults to the rule's


RuleFn = Callable[[UnitContext, dict[str, Any]], Iterable[FindingDraft]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    title: str  # Chinese explanation shown to users
    severity: str
    defaults: dict[str, Any]
    check: RuleFn


RULES: dict[str, Rule] = {}


def rule(name: str, title: str, *, severity: str = "medium", **defaults: Any) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES[name] = Rule(name, title, severity, defaults, fn)
        return fn

    return register


def enabled_rules(audit_settings: dict[str, Any] | None) -> list[tuple[Rule, dict[str, Any]]]:
    """The rules a campaign runs, each with its merged settings."""
    audit_settings = audit_settings or {}
    out = []
    for r in RULES.values():
        override = audit_settings.get(r.name, True)
        if override is False:
            continue
        out.append((r, _merge(r.defaults, override if isinstance(override, dict) else {})))
    return out


def _merge(defaults: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Known numeric settings only: a typo in a campaign file must not break every ingest."""
    merged = dict(defaults)
    for key, value in override.items():
        if key in defaults and isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = value
    return merged


def entry_draft(rule_name: str, e: EntryData, message: str, **details: Any) -> FindingDraft:
    """A finding about one risk point, keyed by who and what it is about."""
    return FindingDraft(
        rule=rule_name, message=message, subject=e.identity, unit_id=e.unit_id,
        submission_id=e.submission_id, entry_id=e.id, details=details,
    )


def where(e: EntryData) -> str:
    """A short Chinese label of an entry for messages: 科室/岗位/姓名 and its risk text."""
    who = "/".join(x for x in (e.department, e.position, e.person) if x)
    risk = e.risk if len(e.risk) <= 30 else e.risk[:30] + "…"
    return f"{who}「{risk}」" if who else f"「{risk}」"
