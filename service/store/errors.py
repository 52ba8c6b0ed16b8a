"""The error store lookups raise: an unknown unit, campaign, user or person."""

from __future__ import annotations

from service.errors import ServiceError


class NotFound(ServiceError, LookupError):
    pass
