"""The base of the errors service code shows to people: an English code and a Chinese message.

`str(error)` is the one line the CLI prints and the web shows: "<中文说明> [code]".
(`parsers.errors.ParseError` has the same shape; parsers may not import service.)
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"
