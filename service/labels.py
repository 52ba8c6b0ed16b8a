"""The names people read for stored codes: risk levels, finding severities, submission statuses.

One source for the pages, the API, the CLI and the documents. What to show when a value is
missing differs by place and is said at each call (`missing=`): a ledger or summary writes
NO_LEVEL (未定级), a page marks a form's blank cell NOT_MARKED (未标注), a letter a dash.
"""

from __future__ import annotations

LEVEL_NAMES = {"high": "高", "medium": "中", "low": "低"}
LEVEL_ORDER = ("high", "medium", "low", None)  # highest first; None: no level
# A finding's severity is written in the level words (a high finding, a high risk point).
SEVERITY_NAMES = LEVEL_NAMES
SUBMISSION_STATUS_NAMES = {"received": "处理中", "parsed": "已解析", "failed": "失败", "held": "待确认",
                           "rejected": "已拒绝"}

NO_LEVEL = "未定级"  # documents and the CLI: a point no level was given
NOT_MARKED = "未标注"  # pages: the form left the cell blank
NO_CATEGORY = "未分类"
DASH = "—"


def level_name(level: str | None, *, missing: str | None) -> str | None:
    """高/中/低 for a stored level; `missing` for none (or an unknown code)."""
    return LEVEL_NAMES.get(level or "", missing)


def severity_name(severity: str | None, *, missing: str | None) -> str | None:
    """高/中/低 for a finding's severity; `missing` for an unknown one."""
    return SEVERITY_NAMES.get(severity or "", missing)


def status_name(status: str) -> str:
    """The Chinese name of a submission status (the code itself for one not listed)."""
    return SUBMISSION_STATUS_NAMES.get(status, status)
