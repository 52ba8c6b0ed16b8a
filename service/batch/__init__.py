"""Batch processing: a folder (or an uploaded .zip) of forms, ingested file by file.

discover → attribute → items (the database rows that are the truth about each file)
→ inprocess pool or rq_queue → `process.process_item` (one file) → `service.ingest`.
"""

from __future__ import annotations

from service.batch.run import reconcile, resume, run_archive, run_batch

__all__ = ["reconcile", "resume", "run_archive", "run_batch"]
