"""Risk types (the five 廉政风险 types) and business areas, from the labels forms use."""

from __future__ import annotations

import re

from parsers.text import key

# Prefix of the label (after dropping "风险"/"类") -> type. Longer prefixes first.
_TYPES: tuple[tuple[str, str], ...] = (
    ("思想道德", "思想道德"), ("思想", "思想道德"), ("道德", "思想道德"),
    ("岗位职责", "岗位职责"), ("岗位", "岗位职责"), ("职责", "岗位职责"),
    ("业务流程", "业务流程"), ("流程", "业务流程"), ("业务", "业务流程"),
    ("制度机制", "制度机制"), ("制度", "制度机制"), ("机制", "制度机制"),
    ("外部环境", "外部环境"), ("外部", "外部环境"), ("环境", "外部环境"),
)
_DOMAINS: tuple[tuple[str, str], ...] = (
    ("行政审批", "行政审批"), ("审批", "行政审批"), ("行政许可", "行政审批"),
    ("行政执法", "行政执法"), ("执法", "行政执法"), ("行政处罚", "行政执法"),
    ("干部", "干部管理"), ("人事", "干部管理"), ("队伍", "干部管理"),
    ("财务", "财务资产"), ("资产", "财务资产"), ("资金", "财务资产"),
)
_SUFFIX = re.compile(r"(风险|类|方面|型)+$")


def _core(label: str) -> str:
    return _SUFFIX.sub("", key(label))


def category(label: str | None) -> str | None:
    """One of the five types, 其他 for any other label, None for an empty cell."""
    core = _core(label or "")
    if not core:
        return None
    return next((name for prefix, name in _TYPES if core.startswith(prefix)), "其他")


def is_category(label: str) -> bool:
    """Whether a label names one of the five types (not 其他)."""
    core = _core(label)
    return any(core.startswith(prefix) for prefix, _ in _TYPES)


def domain(label: str | None) -> str | None:
    """Business area: 行政审批, 行政执法, 干部管理, 财务资产, 其他; None for an empty cell."""
    core = _core(label or "")
    if not core:
        return None
    return next((name for prefix, name in _DOMAINS if prefix in core), "其他")


def is_domain(label: str) -> bool:
    core = _core(label)
    return any(prefix in core for prefix, _ in _DOMAINS)
