"""SQLAlchemy models: the normalized store.

ORM objects stay inside `service/`; other layers get plain dataclasses or dicts.
Schema changes go through Alembic (`service/store/migrations`); a test fails when
these models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SubmissionStatus(StrEnum):
    """Where a submitted file stands."""

    RECEIVED = "received"
    PARSED = "parsed"
    FAILED = "failed"
    HELD = "held"  # 待确认: the form states another unit than it was filed under; the office decides
    REJECTED = "rejected"  # a held form the office turned down: kept as history, never current


class ReviewState(StrEnum):
    """The last step of the tiered review (分级审核) a submission passed (service.review)."""

    SUBMITTED = "submitted"
    DEPT_REVIEW = "dept_review"
    LEADER_REVIEW = "leader_review"
    GROUP_REVIEW = "group_review"
    PUBLICITY = "publicity"
    EFFECTIVE = "effective"
    RETURNED = "returned"


class FindingStatus(StrEnum):
    """An audit finding is open until a re-audit or a corrected form no longer raises it."""

    OPEN = "open"
    CLOSED = "closed"


class NotificationKind(StrEnum):
    """What a 待办 item is about (service.notify names each for the page)."""

    RETURNED = "returned"
    REVIEWED = "reviewed"
    NOTICE = "notice"
    DEADLINE = "deadline"
    CONFIRM = "confirm"
    REMIND = "remind"


class BatchItemStatus(StrEnum):
    """Where one file of a batch stands; the BatchItem row, not RQ, is the truth."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StatusColumn(TypeDecorator[StrEnum]):
    """A status column: stored as the enum's string value (a plain VARCHAR, no migration) and
    read back as the enum member. A bound value passes as its string, so a filter taken from a
    request that names no member matches nothing, as before."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Campaign(Base):
    """A yearly campaign, as ../shared/contract/campaign.schema.json describes it."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    stages: Mapped[list[Any]] = mapped_column(default=list)
    level_standard: Mapped[dict[str, Any]] = mapped_column(default=dict)
    owner_required: Mapped[bool] = mapped_column(Boolean, default=False)
    audit: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Unit(Base):
    """A unit (单位) or, when it has a parent, a department (科室) of that unit."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_unit_parent_name"),)


class Person(Base):
    """The roster: leaders and staff, entered by the office or read from forms."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(20), default="entered")  # entered | form
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("unit_id", "name", "department", name="uq_person"),)


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # The role inside tiered review: unit | department_head | leader | group | admin
    role: Mapped[str] = mapped_column(String(30), default="unit")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))  # where the optional mail hook writes
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set for an initial or admin-reset password: the pages ask for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class UserSession(Base):
    """A signed-in browser: the cookie carries a random id, only its hash is kept here.

    Deleting the row signs the browser out (logout, password change, disabled user,
    "sign out everywhere"), whatever the copied cookie says.
    """

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ip: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoredFile(Base):
    """Original bytes, content-addressed under LIANFANG_HOME/files/aa/bb/<sha256>."""

    __tablename__ = "stored_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Submission(Base):
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str | None] = mapped_column(String(20))
    form_kind: Mapped[str | None] = mapped_column(String(30))
    form: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the contract's `form` object
    # Which form this is a version of: kind + department + person (see ingest.form_key).
    form_key: Mapped[str | None] = mapped_column(String(500), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(StatusColumn(SubmissionStatus, 20), default=SubmissionStatus.RECEIVED)
    # A failure's code and message; for a held form, why it is held (unit_mismatch).
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)  # e.g. read by OCR
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    review_state: Mapped[ReviewState] = mapped_column(StatusColumn(ReviewState, 30), default=ReviewState.SUBMITTED)
    # The file's own modification time (a zip member's entry time); None for a web upload.
    # Orders two versions of one form when their 填表日期 do not (see ingest.replaces).
    file_modified: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    parsed_at: Mapped[datetime | None] = mapped_column(DateTime)
    entries: Mapped[list[Entry]] = relationship(
        back_populates="submission", order_by="Entry.ordinal", cascade="all, delete-orphan"
    )


class Entry(Base):
    """One risk point (风险点) with every field of the parse contract."""

    __tablename__ = "entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    # Denormalized from the submission so the hot queries (current entries of a unit) use one index.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    department: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    person: Mapped[str | None] = mapped_column(String(100))
    duty: Mapped[str | None] = mapped_column(Text)
    risk: Mapped[str] = mapped_column(Text)
    manifestation: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))
    category_label: Mapped[str | None] = mapped_column(String(100))
    domain: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[str | None] = mapped_column(String(10))
    level_label: Mapped[str | None] = mapped_column(String(50))
    owner: Mapped[str | None] = mapped_column(String(200))
    supervisor: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[str | None] = mapped_column(String(100))
    source_table: Mapped[int | None] = mapped_column(Integer)
    source_sheet: Mapped[str | None] = mapped_column(String(200))
    source_page: Mapped[int | None] = mapped_column(Integer)
    source_row: Mapped[int | None] = mapped_column(Integer)
    submission: Mapped[Submission] = relationship(back_populates="entries")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="entry", order_by="Measure.ordinal", cascade="all, delete-orphan"
    )
    __table_args__ = (
        Index("ix_entry_unit_current", "unit_id", "is_current", "id"),
        Index("ix_entry_campaign_current", "campaign_id", "is_current"),
    )


class Measure(Base):
    __tablename__ = "measure"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(10))
    owner: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[str | None] = mapped_column(String(100))
    entry: Mapped[Entry] = relationship(back_populates="measures")


class Finding(Base):
    """One audit finding about a submission or an entry."""

    __tablename__ = "finding"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id"), index=True)
    rule: Mapped[str] = mapped_column(String(50), index=True)
    severity: Mapped[str] = mapped_column(String(10))  # high | medium | low
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Stable identity of what the finding is about, so a re-audit or corrected form can close it.
    key: Mapped[str] = mapped_column(String(500), index=True)
    status: Mapped[FindingStatus] = mapped_column(StatusColumn(FindingStatus, 10), default=FindingStatus.OPEN)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReviewStep(Base):
    """One decision of the tiered review, bound to the exact version (sha256) it judged."""

    __tablename__ = "review_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[ReviewState] = mapped_column(StatusColumn(ReviewState, 30))
    to_state: Mapped[ReviewState] = mapped_column(StatusColumn(ReviewState, 30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IssuedDocument(Base):
    """A generated document (文书): kind, 文号, parameters and the file it produced."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)  # N of 〔YYYY〕N号, per 机关代字 and year; None: draft
    number_text: Mapped[str | None] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("number_text", name="uq_document_number_text"),)  # a 文号 is issued once


class Batch(Base):
    __tablename__ = "batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))  # folder path or uploaded zip name
    unit_from: Mapped[str] = mapped_column(String(20))  # folder | filename | form
    mode: Mapped[str] = mapped_column(String(20))  # inprocess | queue
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Batch ingests leave the audit to the end: one re-audit per unit, not one per file.
    audited_at: Mapped[datetime | None] = mapped_column(DateTime)


class BatchItem(Base):
    """One file of a batch. The database, not RQ, is the truth about its state."""

    __tablename__ = "batch_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    path: Mapped[str] = mapped_column(String(2000))  # relative path inside the batch (zip members too)
    sha256: Mapped[str] = mapped_column(String(64))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    file_modified: Mapped[datetime | None] = mapped_column(DateTime)  # handed on to the submission
    status: Mapped[BatchItemStatus] = mapped_column(StatusColumn(BatchItemStatus, 20), default=BatchItemStatus.QUEUED)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (
        UniqueConstraint("batch_id", "path", name="uq_batch_item_path"),
        Index("ix_batch_item_status", "batch_id", "status"),  # is the batch done? which items are queued?
    )


class ActivityLog(Base):
    """Who did what, when: every state change a user or job makes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str | None] = mapped_column(String(100))  # username, "cli", "worker"
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Notification(Base):
    """One item of a user's 待办 (to-do): a form sent back, a notice, a deadline, a 催报."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[NotificationKind] = mapped_column(StatusColumn(NotificationKind, 20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    # What a derived notification is about (a deadline and its colour, a notice), so it is made once.
    key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notification_key"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )
