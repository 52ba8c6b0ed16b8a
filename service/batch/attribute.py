"""Which unit a file belongs to: by its folder, by its file name, or by the form itself.

Chosen per run and never guessed: a file that the chosen rule cannot place is reported
as `unit_unknown`. With `form`, the unit is only known after parsing (process.py reads the
form's 填报单位); discovery leaves it empty.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from service.errors import ServiceError

UNIT_FROM = ("folder", "filename", "form")
# "某某局_风险点登记表.docx", "某某局-2024.xlsx", "某某局 登记表.pdf": the unit is the part before the separator.
DEFAULT_PATTERN = r"^(?P<unit>[^_\-—－\s]+)[_\-—－\s]"
UNIT_UNKNOWN = "unit_unknown"
UNIT_UNKNOWN_MESSAGES = {
    "folder": "无法确定所属单位:文件不在以单位命名的子文件夹中",
    "filename": "无法确定所属单位:文件名不符合单位命名规则",
    "form": "无法确定所属单位:表格中未填写填报单位",
}


def compile_pattern(pattern: str | None) -> re.Pattern[str]:
    """The file-name rule; raises ServiceError for a bad expression."""
    try:
        return re.compile(pattern or DEFAULT_PATTERN)
    except re.error as exc:
        raise ServiceError("invalid_pattern", f"文件名规则不是有效的正则表达式:{exc}") from exc


def unit_for(folders: tuple[str, ...], filename: str, unit_from: str, pattern: re.Pattern[str]) -> str | None:
    """The unit name for a file `filename` found under `folders`, or None when unplaceable."""
    if unit_from == "folder":
        return blank_to_none(folders[0]) if folders else None
    if unit_from == "filename":
        match = pattern.search(PurePosixPath(filename).stem)
        if not match:
            return None
        groups = match.groupdict()
        value = groups.get("unit") if "unit" in groups else (match.group(1) if match.re.groups else match.group(0))
        return blank_to_none(value)
    return None


def blank_to_none(name: str | None) -> str | None:
    name = (name or "").strip()
    return name or None
