"""The one exception document generation raises (unknown kind, broken template, missing data…)."""

from __future__ import annotations

from service.errors import ServiceError


class DocumentError(ServiceError):
    pass
