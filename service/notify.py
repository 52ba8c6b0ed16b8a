"""待办 (notifications) and 催报 (reminders to late units), with optional outgoing hooks.

A notification belongs to one user. Events write them as they happen (a form sent back,
a 催报); what follows from the calendar or from documents (a stage deadline in 7 days /
today / passed, a 整改通知书 or 预警通知书 issued to my unit) is derived by `sync()` and
written once per user thanks to its `key`.

Outgoing hooks are off by default. `LIANFANG_NOTIFY_WEBHOOK` (a URL) receives a JSON POST per
reminded unit; `LIANFANG_NOTIFY_SMTP` ("host:port") sends one mail per reminded unit to the
addresses of its users. A hook that fails is reported back and logged, never retried silently;
the in-app notification is written whatever happens to the hook.
"""

from __future__ import annotations

import json
import smtplib
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.config import settings
from service.document_kinds import KINDS
from service.errors import ServiceError
from service.store.activity import Actor, record
from service.store.db import read_session, write_session
from service.store.models import (
    IssuedDocument,
    Notification,
    NotificationKind,
    Submission,
    SubmissionStatus,
    Unit,
    User,
    utcnow,
)
from service.store.scope import Viewer

HOOK_TIMEOUT = 5.0
SYNC_EVERY = 60.0  # seconds between derived-notification syncs for one user in one process
MAX_MESSAGE = 500


KIND_NAMES = {
    NotificationKind.RETURNED: "表格退回", NotificationKind.REVIEWED: "审核进展", NotificationKind.NOTICE: "通知书",
    NotificationKind.DEADLINE: "期限提醒", NotificationKind.CONFIRM: "待确认", NotificationKind.REMIND: "催报",
}
NOTICE_KINDS = {k.name: k.label for k in KINDS.values() if k.notice}  # the notices a unit is told of


class NotifyError(ServiceError):
    """A refused reminder (too long, no units chosen, not the office)."""

    status = 422


def unit_users(session: Session, unit_id: int) -> list[User]:
    """The non-admin users of a unit and of its departments."""
    top = session.scalar(select(Unit.parent_id).where(Unit.id == unit_id)) or unit_id
    ids = [top, *session.scalars(select(Unit.id).where(Unit.parent_id == top))]
    return list(session.scalars(select(User).where(User.unit_id.in_(ids), User.is_admin.is_(False))
                                .order_by(User.id)))


def _add(session: Session, users: list[User], kind: NotificationKind, title: str, body: str | None, link: str | None,
         key: str | None = None) -> int:
    for u in users:
        session.add(Notification(user_id=u.id, kind=kind, title=title[:300], body=body, link=link, key=key))
    return len(users)


def form_returned(session: Session, sub: Submission, comment: str, *, by: str) -> int:
    """Tell the unit's users that a form was sent back (called inside the decision's transaction)."""
    return _add(session, unit_users(session, sub.unit_id), NotificationKind.RETURNED, f"表格被退回:{sub.original_name}",
                f"{by}的审核意见:{comment}", f"/review/{sub.id}")


def form_settled(session: Session, sub: Submission, what: str) -> int:
    """Tell the unit's users that its form was published (公示) or took effect (inside the decision's transaction)."""
    return _add(session, unit_users(session, sub.unit_id), NotificationKind.REVIEWED, f"表格{what}:{sub.original_name}", None,
                f"/review/{sub.id}")


# --- derived notifications -------------------------------------------------------------------

_last_sync: dict[tuple[str, int], float] = {}  # (database, user id) -> when its notifications were last synced
_sync_lock = threading.Lock()


def _derived(session: Session, user: User, today: date) -> list[tuple[NotificationKind, str, str | None, str | None, str]]:
    """(kind, title, body, link, key) of what the calendar and the documents say this user must know."""
    from service.deadlines import warnings
    from service.store.campaigns import find_campaign

    if user.is_admin or user.role == "office":
        return _held(session)
    if user.unit_id is None:
        return []
    top = session.scalar(select(Unit.parent_id).where(Unit.id == user.unit_id)) or user.unit_id
    unit_name = session.scalar(select(Unit.name).where(Unit.id == top)) or ""
    out: list[tuple[NotificationKind, str, str | None, str | None, str]] = []
    campaign = find_campaign(session, None)
    for w in warnings(session, campaign, {top: unit_name}, today):
        if w.kind == "stage":
            out.append((NotificationKind.DEADLINE, w.message, None, "/upload", f"deadline:{campaign.id if campaign else 0}:"
                        f"{w.name}:{w.deadline}:{w.color}"))
        else:
            out.append((NotificationKind.DEADLINE, w.message, None, "/review/fix", f"notice-deadline:{w.name}:{w.color}"))
    ids = [top, *session.scalars(select(Unit.id).where(Unit.parent_id == top))]
    for doc_id, kind, number, deadline in session.execute(
            select(IssuedDocument.id, IssuedDocument.kind, IssuedDocument.number_text, IssuedDocument.deadline).where(
                IssuedDocument.unit_id.in_(ids), IssuedDocument.kind.in_(NOTICE_KINDS))):
        when = f",整改期限{deadline}" if deadline else ""
        out.append((NotificationKind.NOTICE, f"收到{NOTICE_KINDS[kind]}{number or ''}", f"请查阅并按要求办理{when}。",
                    f"/documents/{doc_id}/download", f"document:{doc_id}"))
    return out


def _held(session: Session) -> list[tuple[NotificationKind, str, str | None, str | None, str]]:
    """For the office: each form held as 待确认 (its stated 填报单位 is another unit) waits for a decision."""
    rows = session.execute(select(Submission.id, Submission.original_name, Unit.name)
                           .join(Unit, Unit.id == Submission.unit_id).where(Submission.status == SubmissionStatus.HELD))
    return [(NotificationKind.CONFIRM, f"待确认:{name}", f"上传至{unit},但表内填报单位为其他单位,请确认或拒绝。",
             f"/submissions/{sid}", f"held:{sid}") for sid, name, unit in rows]


def sync(user_id: int, *, today: date | None = None, force: bool = False) -> None:
    """Write the user's derived notifications that are not written yet (at most once a minute)."""
    now = time.monotonic()
    key = (settings().database_url, user_id)
    with _sync_lock:
        if not force and now - _last_sync.get(key, -SYNC_EVERY) < SYNC_EVERY:
            return
        _last_sync[key] = now
    today = today or date.today()
    with read_session() as s:
        user = s.get(User, user_id)
        if user is None:
            return
        wanted = _derived(s, user, today)
        have = set(s.scalars(select(Notification.key).where(Notification.user_id == user_id,
                                                            Notification.key.is_not(None))))
    new = [w for w in wanted if w[4] not in have]
    if not new:
        return
    with write_session() as s:
        have = set(s.scalars(select(Notification.key).where(Notification.user_id == user_id,
                                                            Notification.key.is_not(None))))
        for kind, title, body, link, key in new:
            if key not in have:
                s.add(Notification(user_id=user_id, kind=kind, title=title[:300], body=body, link=link,
                                   key=key[:200]))


def unread_count(user_id: int) -> int:
    sync(user_id)
    with read_session() as s:
        return s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def listing(user_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    """The user's notifications, unread first, newest first."""
    sync(user_id, force=True)
    with read_session() as s:
        rows = s.scalars(select(Notification).where(Notification.user_id == user_id)
                         .order_by(Notification.read_at.is_not(None), Notification.id.desc()).limit(limit))
        return [{"id": n.id, "kind": n.kind, "kind_name": KIND_NAMES.get(n.kind, n.kind), "title": n.title,
                 "body": n.body, "link": n.link, "at": n.created_at, "read": n.read_at is not None} for n in rows]


def mark_read(user_id: int, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all) of the user read; returns how many changed."""
    with write_session() as s:
        stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(ids))
        return s.execute(stmt.values(read_at=utcnow())).rowcount or 0


# --- 催报 and the hooks -----------------------------------------------------------------------

@dataclass(slots=True)
class Outcome:
    units: list[str] = field(default_factory=list)
    notified: int = 0  # in-app notifications written
    delivered: list[str] = field(default_factory=list)  # "webhook", "邮件"
    failures: list[str] = field(default_factory=list)  # Chinese, one per failed delivery


def remind(unit_ids: list[int], message: str, *, viewer: Viewer) -> Outcome:
    """催报: an in-app notification to every user of each unit, then the configured hooks."""
    message = (message or "").strip() or "贵单位尚未按期报送廉政风险防控材料,请尽快登录系统报送。"
    if len(message) > MAX_MESSAGE:
        raise NotifyError("message_too_long", f"催报内容不能超过{MAX_MESSAGE}字")
    if not viewer.is_admin and viewer.role != "office":
        raise NotifyError("not_allowed", "只有领导小组办公室可以催报")
    if not unit_ids:
        raise NotifyError("no_units", "请选择要催报的单位")
    out = Outcome()
    payloads = []
    with write_session() as s:
        units = s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids), Unit.parent_id.is_(None))
                          .order_by(Unit.name)).all()
        if not units:
            raise NotifyError("no_units", "所选单位不存在,请刷新页面后重试")
        for uid, name in units:
            users = unit_users(s, uid)
            out.notified += _add(s, users, NotificationKind.REMIND, f"催报:{viewer.username}提醒您报送材料", message, "/upload")
            out.units.append(name)
            payloads.append({"event": "remind", "unit": name, "unit_id": uid, "message": message,
                             "from": viewer.username, "users": [u.username for u in users],
                             "emails": [u.email for u in users if u.email]})
            record(s, Actor.of(viewer), "remind", "unit", uid, message=message, users=len(users))
    for p in payloads:
        _deliver(p, out)
    if out.failures:
        with write_session() as s:
            record(s, Actor.of(viewer), "remind.hook_failed", failures=out.failures)
    return out


def _deliver(payload: dict[str, Any], out: Outcome) -> None:
    cfg = settings()
    if cfg.notify_webhook:
        try:
            req = urllib.request.Request(cfg.notify_webhook, data=json.dumps(payload, ensure_ascii=False).encode(),
                                         headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
            with urllib.request.urlopen(req, timeout=HOOK_TIMEOUT) as resp:  # noqa: S310 (configured by the admin)
                if resp.status >= 300:
                    raise OSError(f"HTTP {resp.status}")
            if "webhook" not in out.delivered:
                out.delivered.append("webhook")
        except (OSError, ValueError) as exc:
            out.failures.append(f"{payload['unit']}:webhook 推送失败({type(exc).__name__})")
    if cfg.notify_smtp and payload["emails"]:
        host, _, port = cfg.notify_smtp.rpartition(":")
        msg = EmailMessage()
        msg["Subject"] = f"【催报】{payload['unit']}请尽快报送廉政风险防控材料"
        msg["From"] = cfg.notify_from
        msg["To"] = ", ".join(payload["emails"])
        msg.set_content(f"{payload['unit']}:\n\n{payload['message']}\n\n({payload['from']} 发自廉政风险防控管理系统)")
        try:
            with smtplib.SMTP(host or cfg.notify_smtp, int(port or 25), timeout=HOOK_TIMEOUT) as smtp:
                smtp.send_message(msg)
            if "邮件" not in out.delivered:
                out.delivered.append("邮件")
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            out.failures.append(f"{payload['unit']}:邮件发送失败({type(exc).__name__})")
