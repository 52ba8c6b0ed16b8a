"""The error store lookups raise: an English code for machines, a Chinese message for people."""

from __future__ import annotations


class NotFound(LookupError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"
