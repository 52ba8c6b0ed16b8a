"""Pure parsers: file bytes in, the parse-output contract object out.

No database, no Flask, no globals. See `parsers.api.parse_bytes`.
"""

from parsers.api import parse_bytes

__all__ = ["parse_bytes"]
