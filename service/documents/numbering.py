"""文号 allocation and the Chinese ordinals headings use (一、 (一)).

A numbered kind takes the next number of its campaign inside the same write transaction that
records the document, so numbers have neither gaps nor repeats. Writers are serialized per
(campaign, kind): on SQLite by the IMMEDIATE write transaction, on PostgreSQL by a transaction
advisory lock; the unique constraint on Document(campaign_id, kind, number) is the backstop.
"""

from __future__ import annotations

import zlib

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service.documents.errors import DocumentError
from service.store.models import Document

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
    return f"({chinese(n)})"


def _positive(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise DocumentError("bad_number", f"文号序号必须是正整数,收到 {value}")
    return number


def allocate(session: Session, campaign_id: int | None, kind: str, requested: object = None) -> int:
    """The next free number for (campaign, kind), or `requested` when it is still free."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"document-number:{campaign_id}:{kind}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    same = (Document.kind == kind) & (
        Document.campaign_id.is_(None) if campaign_id is None else Document.campaign_id == campaign_id
    )
    if requested not in (None, ""):
        number = _positive(requested)
        if session.scalar(select(func.count()).where(same, Document.number == number)):
            raise DocumentError("number_taken", f"文号序号 {number} 已被使用")
        return number
    return (session.scalar(select(func.max(Document.number)).where(same)) or 0) + 1
