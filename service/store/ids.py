"""Ids from the outside world (query strings, forms, JSON, the command line) checked before a query.

SQLite stores integers in 64 bits and refuses a larger bound parameter with an error, and
`str.isdigit()` accepts digits `int()` refuses (², ①): a number that cannot be an id is no id.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest integer SQLite (and a PostgreSQL BIGINT) can hold


def looks_like_id(value: object) -> bool:
    """Digits only (any script): meant as an id, valid or not."""
    return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.strip().isdigit()


def parse_id(value: object) -> int | None:
    """An id given as an int or ASCII digits, from 1 up to MAX_ID; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            return None
        value = int(text)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None
