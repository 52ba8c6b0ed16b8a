"""The one error model: every error service code shows to people derives from `ServiceError`.

Like werkzeug's `HTTPException` tree, a class says what kind of failure it is: an English
`code` for machines (API, logs, tests), a Chinese `message` for people, and, at class level,
the HTTP `status` the web answers with and the `exit_code` the CLI ends with. The web
(`service/web/errors.py`) and the CLI (`service/cli/__init__.py`) each handle them in one
place; code that raises one never formats, flashes or exits itself.

`str(error)` is the one line the CLI prints: "<中文说明> [code]". The web shows `message`
only. `parsers.errors.ParseError` has the same shape (parsers may not import service); both
handlers map it too.

The subclasses live beside the code that raises them (`store.errors.NotFound`,
`review.ReviewError`, `documents.errors.DocumentError`…); they differ only in `status` and
`exit_code`, so a handler never needs to know them.
"""

from __future__ import annotations

from typing import ClassVar

# Exit codes of the `lianfang` command (README "Exit codes"). 1 is a command's own
# "done, but something failed" (failed files, a document not to standard); 2 is click's
# usage error, and `lianfang parse`'s unreadable file (the shared contract fixes it).
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_USER_ERROR = 3
EXIT_NOT_FOUND = 4
EXIT_BUSY = 5
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug, never the user's doing


class ServiceError(Exception):
    """A request the service refuses, in words for the person who made it."""

    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = EXIT_USER_ERROR

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class Unavailable(ServiceError):
    """Something the request needs is busy or down (the database, Redis); the same request may
    succeed later."""

    status = 503
    exit_code = EXIT_BUSY
