"""Matching the names forms give departments and positions, however each form writes them.

A power list says 办理主体 "审批股股长", the risk form of 审批股 says position "股长"; a
power list says "财务科会计岗", the form says "会计". Both sides are reduced to a key:
a department without its 科/股/室 suffix, and a role without 岗/岗位, without a trailing
员 (出纳员 = 出纳), with every department head (科长, 股长, 处长, 负责人) as one role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.audit.similarity import normalize

_DEPT_SUFFIX = re.compile(r"(?:科室|办公室|中心|大队|中队|科|股|室|处|组|部|队|所|站)$")
_DEPT_PREFIX = re.compile(r"^(.{2,10}?(?:科室|办公室|中心|大队|中队|科|股|室|处|部|队|所|站))(.+)$")
_POST = re.compile(r"(?:岗位|岗)$")
_HEAD = re.compile(r"^(?:副)?(?:科长|股长|处长|负责人)$")
_LEADER_GROUP = re.compile(r"领导|班子|党组|党委")


def department_key(name: str | None) -> str:
    """"财务科", "财务股" and "财务" match; an empty name gives ""."""
    norm = normalize(name)
    return _DEPT_SUFFIX.sub("", norm) or norm


def is_leader_group(name: str | None) -> bool:
    """A 局领导 / 领导班子 "department" is the leadership, not an office that files forms."""
    return bool(_LEADER_GROUP.search(name or ""))


def role_key(position: str | None) -> str:
    norm = _POST.sub("", normalize(position)) or normalize(position)
    if _HEAD.match(norm):
        return "副科长" if norm.startswith("副") else "科长"
    if norm.endswith("员") and len(norm) > 2:
        norm = norm[:-1]
    return norm


def split_position(text: str | None, departments: Iterable[str] = ()) -> tuple[str | None, str]:
    """(department key or None, role key) of a position that may start with its department.

    Known department names are tried first, then any leading name ending like a department.
    A text that is a department alone gives (its key, "").
    """
    norm = normalize(text)
    for dept in sorted((normalize(d) for d in departments), key=len, reverse=True):
        if dept and norm.startswith(dept):
            return department_key(dept), role_key(norm[len(dept):])
    found = _DEPT_PREFIX.match(norm)
    if found:
        return department_key(found.group(1)), role_key(found.group(2))
    if _DEPT_SUFFIX.search(norm) and len(norm) > 2:
        return department_key(norm), ""
    return None, role_key(norm)
