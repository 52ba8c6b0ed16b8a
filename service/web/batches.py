"""Pages: the batches list with the admin's .zip upload, a batch's live progress, its report."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from redis.exceptions import RedisError
from sqlalchemy import select

from service.batch import report
from service.batch.attribute import UNIT_FROM
from service.batch.run import run_archive
from service.config import settings
from service.store.db import read_session
from service.store.models import Batch, Campaign
from service.web.auth import admin_required, current_viewer, login_required
from service.web.uploads import campaign_id

bp = Blueprint("batches", __name__, url_prefix="/batches")
UNIT_FROM_LABELS = dict(zip(UNIT_FROM, ("按子文件夹名", "按文件名", "按表内填报单位"), strict=True))
RECENT = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@login_required
def index() -> Any:
    if not current_viewer().is_admin:
        return render_template("batches/index.html", batches=None)
    with read_session() as s:
        ids = s.scalars(select(Batch.id).order_by(Batch.id.desc()).limit(RECENT)).all()
        campaigns = [(c.id, c.name) for c in s.scalars(select(Campaign).order_by(Campaign.year.desc()))]
    return render_template(
        "batches/index.html",
        batches=[report.status(i) for i in ids],
        campaigns=campaigns,
        unit_from=UNIT_FROM_LABELS,
        queued=settings().redis_url is not None,
    )


@bp.post("/upload")
@admin_required
def upload() -> Any:
    upload = request.files.get("archive")
    unit_from = request.form.get("unit_from", "folder")
    campaign = request.form.get("campaign") or None
    if upload is None or not upload.filename:
        flash("请选择要上传的 .zip 压缩包", "error")
        return redirect(url_for("batches.index"))
    data = upload.read()
    if not upload.filename.lower().endswith(".zip") or not zipfile.is_zipfile(io.BytesIO(data)):
        flash("上传的文件不是有效的 .zip 压缩包", "error")
        return redirect(url_for("batches.index"))
    if unit_from not in UNIT_FROM:
        abort(400, "单位来源无效")
    try:
        batch_id = run_archive(
            data,
            upload.filename,
            unit_from=unit_from,
            queue=settings().redis_url is not None,
            campaign=campaign_id(campaign),
            created_by=current_viewer().user_id,
        )
    except RedisError:
        flash("无法连接任务队列(Redis),请联系管理员", "error")
        return redirect(url_for("batches.index"))
    flash(f"已接收压缩包,批次 {batch_id} 正在处理", "ok")
    return redirect(url_for("batches.detail", batch_id=batch_id))


@bp.get("/<int:batch_id>")
@admin_required
def detail(batch_id: int) -> Any:
    info = report.status(batch_id)
    return render_template("batches/detail.html", info=info, rows=report.rows(batch_id),
                           unit_from=UNIT_FROM_LABELS)


@bp.get("/<int:batch_id>/status.json")
@admin_required
def status(batch_id: int) -> Any:
    return jsonify(report.status(batch_id))


@bp.get("/<int:batch_id>/report.<fmt>")
@admin_required
def download(batch_id: int, fmt: str) -> Any:
    report.status(batch_id)  # NotFound (404) for an unknown batch
    if fmt == "xlsx":
        return send_file(io.BytesIO(report.report_xlsx(batch_id)), mimetype=XLSX, as_attachment=True,
                         download_name=f"批次{batch_id}报告.xlsx")
    if fmt == "json":
        return jsonify(report.report_json(batch_id))
    abort(404)
