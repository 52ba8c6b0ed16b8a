"""The error store lookups raise: an unknown unit, campaign, user or person."""

from __future__ import annotations

from service.errors import EXIT_NOT_FOUND, ServiceError


class NotFound(ServiceError, LookupError):
    """Nothing by that id or name (or nothing this user may see: out of scope reads the same)."""

    status = 404
    exit_code = EXIT_NOT_FOUND
