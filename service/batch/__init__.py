"""Batch processing: a folder (or an uploaded .zip) of forms, ingested file by file.

discover → attribute → items (the database rows that are the truth about each file)
→ inprocess pool or rq_queue → `service.jobs.process_item` → `service.ingest`.
`run_batch` and friends are re-exported lazily: `service.jobs` imports `items` from
this package, and an eager import of `run` here would import `service.jobs` back.
"""

from __future__ import annotations

from typing import Any

__all__ = ["reconcile", "resume", "run_archive", "run_batch"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from service.batch import run

        return getattr(run, name)
    raise AttributeError(f"module 'service.batch' has no attribute {name!r}")
