"""文号 allocation and the Chinese ordinals headings use (一、 (一)).

One sequence per 机关代字 and year, whatever the kind: 廉防办〔2026〕1号 may be a 整改通知书 and
廉防办〔2026〕2号 a 预警通知书, never both 1号. A number is taken only when a document is issued,
inside the write transaction that records it, so numbers have neither gaps nor repeats; a draft
(预览/草稿) takes none and shows 廉防办〔2026〕　号. Writers are serialized per (代字, year)
(`db.advisory_lock`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.documents.errors import DocumentError
from service.store.db import Lock, advisory_lock
from service.store.models import IssuedDocument

_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (1..99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def heading1(n: int) -> str:
    return f"{chinese(n)}、"


def heading2(n: int) -> str:
    return f"（{chinese(n)}）"


def _positive(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise DocumentError("bad_number", f"文号序号必须是正整数,收到 {value}")
    return number


def _issued(prefix: str, year: int) -> Any:
    """Documents numbered in the sequence of (prefix, year): their 文号 reads prefix〔year〕N号."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return IssuedDocument.number.is_not(None) & IssuedDocument.number_text.like(f"{escaped}〔{year}〕%", escape="\\")


def allocate(session: Session, prefix: str, year: int, requested: object = None) -> int:
    """The next free number of (机关代字, year), or `requested` when it is still free."""
    advisory_lock(session, Lock.DOCUMENT_NUMBER, f"{prefix}:{year}")
    issued = _issued(prefix, year)
    if requested not in (None, ""):
        number = _positive(requested)
        if session.scalar(select(func.count()).where(issued, IssuedDocument.number == number)):
            raise DocumentError("number_taken", f"文号序号 {number} 已被使用")
        return number
    return (session.scalar(select(func.max(IssuedDocument.number)).where(issued)) or 0) + 1
