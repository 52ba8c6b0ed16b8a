"""Pure parsers: file bytes in, the parse-output contract object out.

No database, no Flask, no globals. See `parsers.api.parse_bytes`.
"""
