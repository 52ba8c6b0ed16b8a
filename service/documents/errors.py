"""The one exception document generation raises: a stable English code and a Chinese message."""

from __future__ import annotations


class DocumentError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"
