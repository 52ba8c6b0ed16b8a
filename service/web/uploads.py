"""One uploaded file into the store, for the upload page and the API alike.

The only write path is `service.ingest.ingest_file`; this module decides which unit
the file belongs to (a unit user's own unit, or the one an admin chose) and turns
the result into a plain dict the page and the API both show.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from service.audit import background
from service.ingest import IngestResult, decide_held, ingest_file
from service.store.db import read_session
from service.store.ids import parse_id
from service.store.models import Submission, SubmissionStatus, Unit
from service.store.scope import Viewer, visible_unit_ids

MAX_NAME = 200


def target_unit(viewer: Viewer, requested: str | None) -> int:
    """The unit an upload is filed under: an admin's choice, else the user's own (or a department of it)."""
    with read_session() as s:
        allowed = visible_unit_ids(s, viewer)
        chosen = parse_id(requested)
        if allowed is None:  # admin: must choose an existing unit
            if chosen is None or s.get(Unit, chosen) is None:
                abort(400, "请选择上传文件所属的单位")
            return chosen
    if viewer.unit_id is None:
        abort(403, "您的账号尚未关联单位,请联系管理员")
    return chosen if chosen in allowed else viewer.unit_id


def campaign_id(raw: str | None) -> int | None:
    """The campaign an upload names by its id; None (the latest) when none is named; else a 400."""
    if not raw:
        return None
    found = parse_id(raw)
    if found is None:
        abort(400, "年度工作编号无效")
    return found


def display_name(raw: str | None) -> str:
    """The name as the user gave it, minus control characters, its end (the extension) kept if too long."""
    name = "".join(ch for ch in (raw or "") if ch.isprintable()).strip() or "未命名文件"
    return name if len(name) <= MAX_NAME else "…" + name[-(MAX_NAME - 1):]


def receive(viewer: Viewer, upload: FileStorage, *, unit_id: int, campaign: str | None) -> dict[str, Any]:
    """Ingest one file; the outcome as shown to the user (entries read, warnings, or the error)."""
    name = display_name(upload.filename)
    result = ingest_file(  # NotFound for an unknown unit or campaign: nothing is stored
        upload.read(),
        name,
        unit=unit_id,
        campaign=campaign_id(campaign),
        uploader_id=viewer.user_id,
        actor=viewer.username,
        audit=False,  # the unit's re-audit runs after the response, coalesced
    )
    if result.status == SubmissionStatus.PARSED:
        background.request(result.submission_id)
    return outcome_of(name, result)


def outcome_of(name: str, result: IngestResult) -> dict[str, Any]:
    """What the upload page and the API show of one file's ingest."""
    held = result.status == SubmissionStatus.HELD
    return {
        "filename": name,
        "submission_id": result.submission_id,
        "status": str(result.status),
        "entry_count": result.entry_count,
        "warnings": list(result.warnings),
        "error": ({"code": result.error_code, "message": result.error_message}
                  if result.status == SubmissionStatus.FAILED else None),
        "hold": {"code": result.error_code, "message": result.error_message} if held else None,
        "superseded_id": result.superseded_id,
        "superseded_name": result.superseded_name,
        "superseded_by_id": result.superseded_by_id,
        "superseded_by_name": result.superseded_by_name,
    }


def versions(submission_id: int) -> dict[str, Any]:
    """Among the versions of its form: the files this submission replaced, and the one that replaced it.

    Versions share the submission's unit and form, so a viewer who may see it may see them."""
    with read_session() as s:
        successor = s.execute(
            select(Submission.id, Submission.original_name)
            .where(Submission.id == select(Submission.superseded_by_id)
                   .where(Submission.id == submission_id).scalar_subquery())).first()
        replaced = s.execute(select(Submission.id, Submission.original_name)
                             .where(Submission.superseded_by_id == submission_id).order_by(Submission.id)).all()
    return {"replaced": [{"id": r.id, "filename": r.original_name} for r in replaced],
            "superseded_by": {"id": successor.id, "filename": successor.original_name} if successor else None}


def decide(viewer: Viewer, submission_id: int, decision: str) -> dict[str, Any]:
    """The office confirms or rejects a held (待确认) form; what became of it, as `receive` shows it."""
    if not viewer.is_admin:
        abort(403, "只有纪检监察室(管理员)可以确认或拒绝待确认的表格")
    if decision not in ("confirm", "reject"):
        abort(400, "请选择确认入库或拒绝")
    result = decide_held(submission_id, confirm=decision == "confirm", user_id=viewer.user_id,
                         actor=viewer.username, audit=False)  # NotFound; HoldError (409) when not held
    if result.status == SubmissionStatus.PARSED:
        background.request(submission_id)
    with read_session() as s:
        name = s.scalar(select(Submission.original_name).where(Submission.id == submission_id)) or ""
    return outcome_of(name, result)
