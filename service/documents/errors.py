"""The one exception document generation raises (unknown kind, broken template, missing data…)."""

from __future__ import annotations

from service.errors import ServiceError


class DocumentError(ServiceError):
    status = 422  # the request was understood; the document cannot be made from it
