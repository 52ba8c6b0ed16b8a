"""What a batch did, file by file: live status, and the report as JSON and .xlsx.

Every file seen is listed, refused ones included, with its unit, outcome, entry count,
the parser's warnings (from the stored submission), the error, the form held as 待确认
(it states another unit) and, between two versions of one form, which replaced which.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from service.batch import items
from service.ingest import UNIT_MISMATCH
from service.store.db import read_session
from service.store.errors import NotFound
from service.store.models import Batch, BatchItem, BatchItemStatus, Submission, SubmissionStatus, utcnow

OUTCOME_LABELS = {
    BatchItemStatus.QUEUED: "排队中",
    BatchItemStatus.RUNNING: "处理中",
    BatchItemStatus.DONE: "已入库",
    items.DUPLICATE: "重复(未重复入库)",
    SubmissionStatus.HELD: "待确认(表内单位不符)",
    SubmissionStatus.REJECTED: "已拒绝(表内单位不符)",
    BatchItemStatus.FAILED: "失败",
}
COLUMNS = (
    ("path", "文件", 60),
    ("unit", "单位", 24),
    ("outcome_label", "结果", 16),
    ("entry_count", "风险点数", 10),
    ("version_text", "版本", 40),
    ("warnings_text", "警告", 50),
    ("error_code", "错误代码", 18),
    ("error_message", "错误说明", 50),
    ("attempts", "处理次数", 10),
)


def _batch(s, batch_id: int) -> Batch:  # noqa: ANN001
    batch = s.get(Batch, batch_id)
    if batch is None:
        raise NotFound("unknown_batch", f"批次不存在:{batch_id}")
    return batch


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def status(batch_id: int) -> dict[str, Any]:
    """Counts by state, and a rate and time left once files have finished."""
    with read_session() as s:
        batch = _batch(s, batch_id)
        meta = {
            "id": batch.id,
            "source": batch.source,
            "mode": batch.mode,
            "unit_from": batch.unit_from,
            "created_at": _iso(batch.created_at),
            "finished_at": _iso(batch.finished_at),
        }
        elapsed = ((batch.finished_at or utcnow()) - batch.created_at).total_seconds()
    counts = items.counts(batch_id)
    processed = counts[BatchItemStatus.DONE] + counts[BatchItemStatus.FAILED]
    rate = processed / elapsed if elapsed > 0 and processed else None
    left = counts[BatchItemStatus.QUEUED] + counts[BatchItemStatus.RUNNING]
    return {
        **meta,
        "counts": counts,
        "finished": meta["finished_at"] is not None,
        "rate_per_s": round(rate, 2) if rate else None,
        "seconds_left": round(left / rate) if rate and left else None,
    }


def rows(batch_id: int) -> list[dict[str, Any]]:
    """One dict per file of the batch, in the order the files were found."""
    with read_session() as s:
        _batch(s, batch_id)
        result = s.execute(
            select(BatchItem, Submission.warnings, Submission.status, Submission.superseded_by_id)
            .outerjoin(Submission, Submission.id == BatchItem.submission_id)
            .where(BatchItem.batch_id == batch_id)
            .order_by(BatchItem.id)
        ).all()
        versions = _versions(s, [r[0].submission_id for r in result if r[0].submission_id],
                             [r.superseded_by_id for r in result if r.superseded_by_id])
    out = []
    for item, warnings, sub_status, superseded_by in result:
        outcome = _outcome(item, sub_status)
        warnings = warnings or []
        replaced, successor = versions.replaced.get(item.submission_id, []), versions.names.get(superseded_by)
        out.append(
            {
                "path": item.path,
                "unit": item.unit_name,
                "status": item.status,
                "outcome": outcome,
                "outcome_label": OUTCOME_LABELS[outcome],
                "entry_count": item.entry_count,
                "warnings": warnings,
                "warnings_text": ";".join(w.get("message", "") for w in warnings),
                "error_code": None if outcome in (items.DUPLICATE, BatchItemStatus.DONE) else item.error_code,
                "error_message": None if outcome == BatchItemStatus.DONE else item.error_message,
                "attempts": item.attempts,
                "submission_id": item.submission_id,
                "replaced": replaced,
                "superseded_by": successor,
                "version_text": version_text(replaced, successor),
            }
        )
    return out


def _outcome(item: BatchItem, sub_status: str | None) -> str:
    """The item's state, or for a form held as 待确认 where the office's decision left it."""
    if item.error_code == items.DUPLICATE:
        return items.DUPLICATE
    if item.error_code == UNIT_MISMATCH and sub_status in (SubmissionStatus.HELD, SubmissionStatus.REJECTED):
        return str(sub_status)
    return item.status


def version_text(replaced: list[str], superseded_by: str | None) -> str:
    """"取代了 <file>" and "已被 <file> 取代": how this file stands among the versions of its form."""
    parts = [f"取代了 {name}" for name in replaced]
    if superseded_by:
        parts.append(f"已被 {superseded_by} 取代")
    return ";".join(parts)


@dataclass(frozen=True)
class _Versions:
    replaced: dict[int, list[str]]  # submission id -> the files of the versions it replaced
    names: dict[int, str]  # submission id -> its file name, for the versions that replaced ours


def _versions(s, ids: list[int], successors: list[int]) -> _Versions:  # noqa: ANN001
    replaced: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for successor, name in s.execute(select(Submission.superseded_by_id, Submission.original_name)
                                         .where(Submission.superseded_by_id.in_(chunk)).order_by(Submission.id)):
            replaced.setdefault(successor, []).append(name)
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(set(successors))):
        names.update(s.execute(select(Submission.id, Submission.original_name).where(Submission.id.in_(chunk))).all())
    return _Versions(replaced, names)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def report_json(batch_id: int) -> dict[str, Any]:
    files = rows(batch_id)
    for f in files:
        del f["outcome_label"], f["warnings_text"]
    return {"batch": status(batch_id), "files": files}


def report_xlsx(batch_id: int) -> bytes:
    info = status(batch_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "批处理报告"
    c = info["counts"]
    ws.append([f"批次 {info['id']}:{info['source']}"])
    ws.append([f"共 {c['total']} 个文件:入库 {c['done']},失败 {c['failed']},未完成 {c['queued'] + c['running']}"])
    ws.append([label for _key, label, _width in COLUMNS])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows(batch_id):
        ws.append([row[key] for key, _label, _width in COLUMNS])
    for index, (_key, _label, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=3, column=index).column_letter].width = width
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
