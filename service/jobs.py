"""The RQ job function's old import path, kept for jobs already queued in Redis.

RQ stores a job's function by its dotted name, and jobs enqueued before the batch item's
processing moved into the batch package name `service.jobs.process_item`. New jobs name
`service.batch.process.process_item` (`service.batch.rq_queue.JOB_FUNCTION`); this module
only re-exports it, so an old job still runs. Remove once no queue can hold such a job.
"""

from service.batch.process import process_item

__all__ = ["process_item"]
