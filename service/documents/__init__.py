"""Official documents (GB/T 9704-2012) generated from the store: `generate(kind, params, viewer=…)`.

The template is checked before anything is read or written; the context is read in a read
session; the file, its IssuedDocument row (with the 文号 for numbered kinds, allocated in the same
transaction) and an ActivityLog row are written in one write transaction, so a failure leaves
no row behind and no number used.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from service.config import settings
from service.document_kinds import KINDS, Kind
from service.documents import charts, converter, gbt9704, layout, numbering, render
from service.documents import pdf as pdf_convert
from service.documents.base import Draft, Output, file_name
from service.documents.errors import DocumentError
from service.store.activity import Actor, record
from service.store.db import read_session, write_session
from service.store.files import sha256_hex
from service.store.models import Finding, IssuedDocument
from service.store.scope import Viewer

NUMBER_ATTEMPTS = 3
OFFICE_ONLY_MESSAGE = "该类文书以领导小组办公室名义签发、使用办公室文号,只能由办公室(管理员)生成"

__all__ = ["KINDS", "DocumentError", "GeneratedDocument", "generate", "may_issue", "stored_path", "warm_up"]


def may_issue(viewer: Viewer, kind: str) -> bool:
    """Whether `viewer` may generate `kind`: a kind that speaks for the office (the registry says
    office_only, e.g. 整改通知书 and 预警通知书 with the office's 文号) is the office's alone.
    `generate()` checks it for every caller; pages and the API also use it to offer and refuse."""
    declared = KINDS.get(kind)
    return declared is not None and (viewer.is_admin or viewer.role == "office" or not declared.office_only)


def builder(kind: Kind) -> ModuleType:
    """The module that builds `kind` (service.documents.<name>: build() and produce())."""
    return importlib.import_module(f"service.documents.{kind.name}")


def warm_up(*, converter_too: bool = True) -> None:
    """Make a fresh process's first document quick: draw a chart (imports matplotlib, loads the
    CJK font) and start the warm LibreOffice converter. A server worker calls it at start."""
    charts.share_chart("预热", ["预热"], [1])
    if converter_too:
        converter.start_warm()


@dataclass(slots=True)
class GeneratedDocument:
    id: int
    kind: str
    path: Path
    filename: str
    number_text: str | None
    attachments: list[Path] = field(default_factory=list)  # e.g. the plan's blank forms
    pdf_path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. fonts missing for the PDF


def stored_path(document_id: int, filename: str) -> Path:
    """Where the file of IssuedDocument row `document_id` lives (its attachments and PDF sit beside it)."""
    return settings().documents_dir / str(document_id) / filename


def _write_files(folder: Path, filename: str, output: Output) -> tuple[Path, list[Path]]:
    """Write the document and its attachments into `folder` at once (a temporary folder renamed)."""
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    try:
        (tmp / filename).write_bytes(output.data)
        for name, data in output.attachments:
            (tmp / name).write_bytes(data)
        tmp.replace(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder / filename, [folder / name for name, _ in output.attachments]


def _record(kind: Kind, params: dict[str, Any], viewer: Viewer, template: render.Template | None,
            draft: Draft, output: Output | None, padding: layout.Padding | None) -> GeneratedDocument:
    module = builder(kind)
    with write_session() as s:
        number = number_text = None
        if kind.numbered and not is_draft(params):
            prefix = draft.number_prefix or ""
            number = numbering.allocate(s, prefix, draft.scope.year, params.get("number"))
            number_text = gbt9704.number_text(prefix, draft.scope.year, number)
            draft.context["number_text"] = number_text
            output = module.produce(template, draft)
            output.data = layout.settle(output.data, padding)
        assert output is not None
        filename = file_name(draft.stem, output.ext, draft=kind.numbered and is_draft(params))
        doc = IssuedDocument(
            kind=kind.name,
            campaign_id=draft.scope.campaign.id if draft.scope.campaign else None,
            unit_id=draft.scope.unit.id if draft.scope.unit else None,
            number=number,
            number_text=number_text,
            params=json.loads(json.dumps({k: v for k, v in params.items() if v not in (None, "")}, default=str)),
            filename=filename,
            sha256=sha256_hex(output.data),
            created_by=viewer.user_id,
            deadline=draft.deadline,
        )
        s.add(doc)
        s.flush()
        if draft.finding_ids and number is not None:  # a draft lists them but is not their notice
            s.execute(update(Finding).where(Finding.id.in_(draft.finding_ids)).values(notice_id=doc.id))
        record(s, Actor.of(viewer), "document.generate", "document", doc.id, kind=kind.name, number_text=number_text,
               filename=filename)
        folder = stored_path(doc.id, filename).parent
        folder.parent.mkdir(parents=True, exist_ok=True)
        if folder.exists():  # left by a rolled-back transaction that used the same id
            shutil.rmtree(folder)
        path, attachments = _write_files(folder, filename, output)
        return GeneratedDocument(doc.id, kind.name, path, filename, number_text, attachments)


def is_draft(params: dict[str, Any]) -> bool:
    """A 草稿/预览: made and kept like any document, but it takes no 文号."""
    return str(params.get("draft", "")).strip().lower() in ("1", "true", "yes", "on", "草稿")


def _laid_out(kind: Kind, template: render.Template | None, draft: Draft,
              params: dict[str, Any]) -> tuple[Output | None, layout.Padding | None]:
    """The output of an unnumbered kind, and the padding that puts the 版记 at the page foot,
    measured before the write transaction (a numbered kind is measured with a blank 文号, which
    takes the same one line as the real one)."""
    module = builder(kind)
    if kind.numbered:
        draft.context["number_text"] = gbt9704.number_text(draft.number_prefix or "", draft.scope.year, None)
        if not is_draft(params):  # the number is taken in the write transaction; the layout is measured here
            padding = layout.record_padding(module.produce(template, draft).data)
            return None, padding
    output = module.produce(template, draft)
    if output.ext != ".docx":
        return output, None
    padding = layout.record_padding(output.data)
    output.data = layout.settle(output.data, padding)
    return output, padding


def generate(kind: str, params: dict[str, Any], *, viewer: Viewer, pdf: bool = False) -> GeneratedDocument:
    """Build document `kind` from the store for `viewer`; raises DocumentError with a Chinese message."""
    declared = KINDS.get(kind)
    if declared is None:
        raise DocumentError("unknown_kind", f"未知的文书类型:{kind}(可选:{'、'.join(KINDS)})")
    if not may_issue(viewer, kind):
        raise DocumentError("office_only", OFFICE_ONLY_MESSAGE)
    module = builder(declared)
    template = render.load(declared.template, module.REQUIRED) if declared.template else None
    with read_session() as s:
        draft = module.build(s, params, viewer)
    output, padding = _laid_out(declared, template, draft, params)
    if pdf:  # refuse before anything is recorded
        pdf_convert.require(output.ext if output else ".docx")
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            result = _record(declared, params, viewer, template, draft, output, padding)
            break
        except IntegrityError as exc:  # another writer took the same 文号 first: take the next
            if params.get("number") or is_draft(params) or attempt == NUMBER_ATTEMPTS - 1:
                raise DocumentError("number_taken", "文号已被占用,请重试") from exc
    if pdf:
        result.pdf_path, result.warnings = pdf_convert.convert(result.path)
    return result
