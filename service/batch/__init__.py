"""Batch processing: a folder (or an uploaded .zip) of forms, ingested file by file.

discover → attribute → items (the database rows that are the truth about each file)
→ inprocess pool or rq_queue → `process.process_item` (one file) → `service.ingest`.
The package imports nothing itself, so `lianfang --help` (which imports `attribute`) stays light.
"""
