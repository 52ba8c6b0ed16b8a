"""The error store lookups raise: an unknown unit, campaign, user or person."""

from __future__ import annotations

from service.errors import EXIT_NOT_FOUND, EXIT_USER_ERROR, ServiceError


class NotFound(ServiceError, LookupError):
    """Nothing by that id or name (or nothing this user may see: out of scope reads the same)."""

    status = 404
    exit_code = EXIT_NOT_FOUND


class Ambiguous(NotFound):
    """A name several records answer to (two departments called 办公室): the message lists them.
    No one record found, so a NotFound to whoever catches those; but the user's to fix (400, exit 3)."""

    status = 400
    exit_code = EXIT_USER_ERROR
