"""Tiered review (分级审核) and 公示 of submitted forms.

A submission's `review_state` names the last step it passed:
已提交 → 科室审核 → 分管领导审核 → 领导小组审定 → 公示 → 生效, or 退回 (returned to its unit,
with its open findings attached; the unit answers with a corrected version, which starts
again at 已提交). Each step is taken by one role and bound to the exact version (sha256)
it judged, as a ReviewStep row plus an ActivityLog row. A form without high-level points may
skip the 领导小组 when the campaign's audit settings say {"review": {"leader_may_settle": true}}.
The 公示 period and its feedback live in ActivityLog rows (actions review.publish, publicity.feedback).

The office (an admin, or a user with the 办公室 role) may act at every step for every unit, so
the chain works from the first login; when a unit has its own 科室负责人 / 分管领导 / 领导小组
accounts, the queue says the step waits for them, and they see it in their own queue.
A return may carry a comment per row (entry); they are kept in the return's ActivityLog details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.document_kinds import stem
from service.errors import ServiceError
from service.store.activity import Actor, record
from service.store.db import read_session, write_session
from service.store.errors import NotFound
from service.store.models import (
    ActivityLog,
    Campaign,
    Entry,
    Finding,
    FindingStatus,
    ReviewState,
    ReviewStep,
    Submission,
    SubmissionStatus,
    Unit,
    User,
)
from service.store.scope import Viewer, visible_unit_ids

STATES = {
    ReviewState.SUBMITTED: "已提交",
    ReviewState.DEPT_REVIEW: "科室审核",
    ReviewState.LEADER_REVIEW: "分管领导审核",
    ReviewState.GROUP_REVIEW: "领导小组审定",
    ReviewState.PUBLICITY: "公示",
    ReviewState.EFFECTIVE: "生效",
    ReviewState.RETURNED: "退回修改",
}
ROLES = {
    "unit": "填报单位",
    "department_head": "科室负责人",
    "leader": "分管领导",
    "group": "领导小组",
    "office": "办公室",
    "admin": "领导小组办公室",
}
# Roles that may take every step for every unit.
OFFICE_ROLES = frozenset({"admin", "office"})
# (action, state) -> (next state, roles that may take the step)
STEPS: dict[tuple[str, ReviewState], tuple[ReviewState, frozenset[str]]] = {
    ("approve", ReviewState.SUBMITTED): (ReviewState.DEPT_REVIEW, frozenset({"department_head"})),
    ("approve", ReviewState.DEPT_REVIEW): (ReviewState.LEADER_REVIEW, frozenset({"leader"})),
    ("approve", ReviewState.LEADER_REVIEW): (ReviewState.GROUP_REVIEW, frozenset({"group"})),
    ("publish", ReviewState.GROUP_REVIEW): (ReviewState.PUBLICITY, frozenset({"group", "admin"})),
    ("publish", ReviewState.LEADER_REVIEW): (ReviewState.PUBLICITY, frozenset({"group", "admin"})),  # only when settled
    ("effective", ReviewState.PUBLICITY): (ReviewState.EFFECTIVE, frozenset({"group", "admin"})),
}
ACTIONS = {"approve": "审核通过", "publish": "发布公示", "effective": "公示期满生效", "return": "退回修改"}
OPEN_STATES = (ReviewState.SUBMITTED, ReviewState.DEPT_REVIEW, ReviewState.LEADER_REVIEW, ReviewState.GROUP_REVIEW,
               ReviewState.PUBLICITY)
# The unit role a form in each open state waits for (the office takes it when the unit has none).
WAITS_FOR = {ReviewState.SUBMITTED: "department_head", ReviewState.DEPT_REVIEW: "leader",
             ReviewState.LEADER_REVIEW: "group", ReviewState.GROUP_REVIEW: "admin", ReviewState.PUBLICITY: "admin"}
PUBLICITY_DAYS = 5
MAX_TEXT = 2000


class ReviewError(ServiceError):
    """A refused review step: the form's state, the user's role or the text does not allow it."""

    status = 409


@dataclass(slots=True)
class Decision:
    submission_id: int
    action: str
    from_state: ReviewState
    to_state: ReviewState
    sha256: str
    finding_ids: list[int] = field(default_factory=list)
    publicity_until: date | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATES[self.to_state]


def role_of(viewer: Viewer) -> str:
    return "admin" if viewer.is_admin else viewer.role


def _submission(session: Session, submission_id: int, viewer: Viewer) -> Submission:
    """The submission if the viewer may see it; out-of-scope ids look like missing ones."""
    sub = session.get(Submission, submission_id)
    ids = visible_unit_ids(session, viewer)
    if sub is None or (ids is not None and sub.unit_id not in ids):
        raise NotFound("not_found", f"未找到报送材料:编号 {submission_id}")
    return sub


def has_high_points(session: Session, submission_id: int) -> bool:
    return bool(session.scalar(
        select(func.count()).select_from(Entry).where(Entry.submission_id == submission_id, Entry.level == "high")
    ))


def leader_may_settle(session: Session, sub: Submission) -> bool:
    """Whether the 分管领导's approval settles this form without the 领导小组."""
    campaign = session.get(Campaign, sub.campaign_id) if sub.campaign_id else None
    allowed = bool(((campaign.audit or {}).get("review") or {}).get("leader_may_settle")) if campaign else False
    return allowed and not has_high_points(session, sub.id)


def publicity_until(session: Session, submission_id: int) -> date | None:
    """The last day of the submission's 公示 period, if it was published."""
    details = session.scalar(
        select(ActivityLog.details).where(
            ActivityLog.action == "review.publish", ActivityLog.object_type == "submission",
            ActivityLog.object_id == submission_id,
        ).order_by(ActivityLog.id.desc()).limit(1)
    )
    return date.fromisoformat(details["until"]) if details and details.get("until") else None


def _check_return(state: ReviewState, role: str) -> ReviewState:
    """Returning is open to whoever may act on the current step, and to the office."""
    if state not in OPEN_STATES:
        raise ReviewError("wrong_state", f"当前状态为“{STATES[state]}”,不能退回")
    allowed = {r for (_, st), (_, roles) in STEPS.items() if st == state for r in roles} | OFFICE_ROLES
    if role not in allowed:
        raise ReviewError("wrong_role", f"当前状态为“{STATES[state]}”,{ROLES.get(role, role)}无权退回")
    return ReviewState.RETURNED


def _check_gates(session: Session, sub: Submission, action: str, state: ReviewState, today: date) -> None:
    """Conditions beyond state and role: who may settle a form, and the publicity period."""
    if action == "publish" and state == ReviewState.LEADER_REVIEW and not leader_may_settle(session, sub):
        if has_high_points(session, sub.id):
            raise ReviewError("needs_group", "该表含高风险点,须报领导小组审定后才能公示")
        raise ReviewError("needs_group", "本次工作未授权分管领导审定,须报领导小组审定后才能公示")
    if action == "effective":
        until = publicity_until(session, sub.id)
        if until is not None and today <= until:
            raise ReviewError("publicity_running", f"公示期至{until}结束,期满后才能生效")


def _check_step(session: Session, sub: Submission, action: str, role: str, today: date) -> ReviewState:
    """The state `action` leads to, or ReviewError saying in Chinese why it may not be taken."""
    state = sub.review_state
    if not sub.is_current:
        raise ReviewError("superseded", "该版本已被新版本替代,请审核最新版本")
    if sub.status != SubmissionStatus.PARSED:
        raise ReviewError("not_parsed", "该文件未能解析,不能进入审核")
    if action == "return":
        return _check_return(state, role)
    step = STEPS.get((action, state))
    if step is None:
        raise ReviewError("wrong_state", f"当前状态为“{STATES.get(state, state)}”,不能执行“{ACTIONS.get(action, action)}”")
    target, roles = step
    if role not in roles | OFFICE_ROLES:
        who = "、".join(ROLES[r] for r in sorted(roles))
        raise ReviewError("wrong_role", f"“{STATES[state]}”之后的“{ACTIONS[action]}”应由{who}办理,{ROLES.get(role, role)}无权办理")
    _check_gates(session, sub, action, state, today)
    return target


def _row_comments(session: Session, submission_id: int, rows: dict[int, str] | None) -> list[dict[str, Any]]:
    """The per-row comments of a decision, each naming its row; rows of other forms are refused."""
    wanted = {int(k): v.strip() for k, v in (rows or {}).items() if v and v.strip()}
    if not wanted:
        return []
    if any(len(v) > MAX_TEXT for v in wanted.values()):
        raise ReviewError("comment_too_long", f"逐行意见不能超过{MAX_TEXT}字")
    found = {e.id: e for e in session.scalars(select(Entry).where(
        Entry.submission_id == submission_id, Entry.id.in_(wanted)))}
    if set(wanted) - set(found):
        raise ReviewError("row_not_in_form", "逐行意见所指的行不属于该表格,请刷新页面后重试")
    return [{"entry_id": i, "ordinal": found[i].ordinal, "row": found[i].source_row, "risk": found[i].risk[:200],
             "comment": wanted[i]} for i in sorted(found, key=lambda i: found[i].ordinal)]


def decide(
    submission_id: int, action: str, *, viewer: Viewer, comment: str, days: int = PUBLICITY_DAYS,
    today: date | None = None, row_comments: dict[int, str] | None = None,
) -> Decision:
    """Take one review step (approve / publish / effective / return) as `viewer`, with a comment.

    `row_comments` ({entry id: text}) says what to change row by row; a return may carry
    them instead of a general comment.
    """
    comment = (comment or "").strip()
    if not comment and action == "return" and any((v or "").strip() for v in (row_comments or {}).values()):
        comment = "请按逐行意见修改后重新报送"
    if not comment:
        raise ReviewError("comment_required", "请填写审核意见")
    if len(comment) > MAX_TEXT:
        raise ReviewError("comment_too_long", f"审核意见不能超过{MAX_TEXT}字")
    if action not in ACTIONS:
        raise ReviewError("unknown_action", f"未知的审核操作:{action}")
    today = today or date.today()
    role = role_of(viewer)
    with write_session() as s:
        sub = _submission(s, submission_id, viewer)
        target = _check_step(s, sub, action, role, today)
        decision = Decision(sub.id, action, sub.review_state, target, sub.sha256)
        details: dict[str, Any] = {"from": sub.review_state, "to": target, "sha256": sub.sha256, "comment": comment}
        if rows := _row_comments(s, sub.id, row_comments):
            details["rows"] = rows
            decision.rows = rows
        if action == "return":
            decision.finding_ids = list(s.scalars(
                select(Finding.id).where(Finding.submission_id == sub.id, Finding.status == FindingStatus.OPEN).order_by(Finding.id)
            ))
            details["findings"] = decision.finding_ids
        if action == "publish":
            decision.publicity_until = today + timedelta(days=max(1, int(days)))
            details["until"] = decision.publicity_until.isoformat()
        s.add(ReviewStep(submission_id=sub.id, sha256=sub.sha256, from_state=sub.review_state, to_state=target,
                         user_id=viewer.user_id, role=role, comment=comment))
        record(s, Actor.of(viewer), f"review.{action}", "submission", sub.id, **details)
        sub.review_state = target
        from service import notify

        if action == "return":
            notify.form_returned(s, sub, comment, by=viewer.username)
        elif action in ("publish", "effective"):
            notify.form_settled(s, sub, f"已{STATES[target]}" + (f",公示期至{decision.publicity_until}"
                                                               if decision.publicity_until else ""))
        return decision


def add_feedback(submission_id: int, text: str, *, viewer: Viewer, contact: str | None = None,
                 today: date | None = None) -> None:
    """A message in the 公示 feedback box; only while the period runs."""
    text = (text or "").strip()
    if not text:
        raise ReviewError("feedback_empty", "请填写反馈意见")
    if len(text) > MAX_TEXT or len(contact or "") > 200:
        raise ReviewError("feedback_too_long", f"反馈意见不能超过{MAX_TEXT}字")
    today = today or date.today()
    with write_session() as s:
        sub = _submission(s, submission_id, viewer)  # another unit's form reads as missing
        until = publicity_until(s, submission_id)
        if sub.review_state != ReviewState.PUBLICITY or until is None:
            raise ReviewError("not_in_publicity", "该材料不在公示期内,不能提交反馈")
        if today > until:
            raise ReviewError("publicity_over", f"公示期已于{until}结束")
        record(s, Actor.of(viewer), "publicity.feedback", "submission", submission_id,
               text=text, contact=(contact or "").strip() or None)


def feedback(submission_id: int) -> list[dict[str, Any]]:
    with read_session() as s:
        rows = s.execute(select(ActivityLog.at, ActivityLog.actor, ActivityLog.details).where(
            ActivityLog.action == "publicity.feedback", ActivityLog.object_id == submission_id,
            ActivityLog.object_type == "submission").order_by(ActivityLog.id))
        return [{"at": at, "actor": actor, **details} for at, actor, details in rows]


def history(submission_id: int, *, viewer: Viewer) -> list[dict[str, Any]]:
    """Every step taken on the submission, oldest first, with who took it and their row comments."""
    with read_session() as s:
        _submission(s, submission_id, viewer)
        # decide() writes one review.* ActivityLog row with each ReviewStep: the n-th of each belong together.
        logged = [(d or {}).get("rows") or [] for d in s.scalars(select(ActivityLog.details).where(
            ActivityLog.object_type == "submission", ActivityLog.object_id == submission_id,
            ActivityLog.action.in_([f"review.{a}" for a in ACTIONS])).order_by(ActivityLog.id))]
        steps = s.execute(select(ReviewStep, User.username).outerjoin(User, User.id == ReviewStep.user_id)
                          .where(ReviewStep.submission_id == submission_id).order_by(ReviewStep.id))
        out = []
        for i, (st, username) in enumerate(steps):
            out.append({"at": st.at, "from": STATES[st.from_state], "to": STATES[st.to_state],
                        "role": ROLES.get(st.role, st.role), "user": username or "系统", "comment": st.comment,
                        "sha256": st.sha256, "rows": logged[i] if i < len(logged) else []})
        return out


def _actions_for(session: Session, sub: Submission, role: str) -> list[str]:
    out = []
    for action in ACTIONS:
        try:
            _check_step(session, sub, action, role, date.today())
        except ReviewError:
            continue
        out.append(action)
    return out


def actions_for(submission_id: int, *, viewer: Viewer) -> list[str]:
    """The steps `viewer` may take on the submission now ([] when none or not visible)."""
    with read_session() as s:
        try:
            sub = _submission(s, submission_id, viewer)
        except NotFound:
            return []
        return _actions_for(s, sub, role_of(viewer))


def unit_reviewers(session: Session) -> dict[tuple[int, str], list[str]]:
    """(top unit id, review role) -> the usernames holding that role in the unit or its departments."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    out: dict[tuple[int, str], list[str]] = {}
    for username, role, unit_id in session.execute(select(User.username, User.role, User.unit_id).where(
            User.unit_id.is_not(None), User.role.in_(("department_head", "leader", "group")),
            User.is_admin.is_(False))):
        out.setdefault((parents.get(unit_id) or unit_id, role), []).append(username)
    return out


def _waits_for(state: str, top_unit: int, reviewers: dict[tuple[int, str], list[str]]) -> str:
    role = WAITS_FOR.get(state, "admin")
    names = reviewers.get((top_unit, role))
    return f"{ROLES[role]} {'、'.join(sorted(names))}" if names else "办公室"


QUEUE_SORTS = ("age", "unit", "state", "findings", "high", "entries")


def queue(*, viewer: Viewer, unit: int | None = None, state: str | None = None,
          sort: str = "age", descending: bool = False) -> list[dict[str, Any]]:
    """The current forms the viewer can act on now, oldest first unless `sort` says otherwise.

    Each item: unit, form, counts by level, open findings, age in days, the step it is at and
    whom it waits for. `unit` (a unit id: the unit and its departments) and `state` filter.
    """
    role = role_of(viewer)
    with read_session() as s:
        stmt = (select(Submission, Unit.name, Unit.parent_id).join(Unit, Unit.id == Submission.unit_id)
                .where(Submission.is_current.is_(True), Submission.status == SubmissionStatus.PARSED,
                       Submission.review_state.in_(OPEN_STATES)).order_by(Submission.received_at, Submission.id))
        ids = visible_unit_ids(s, viewer)
        if ids is not None:
            stmt = stmt.where(Submission.unit_id.in_(ids))
        if unit:
            stmt = stmt.where((Submission.unit_id == unit) | (Unit.parent_id == unit))
        if state in OPEN_STATES:
            stmt = stmt.where(Submission.review_state == state)
        subs = s.execute(stmt).all()
        sub_ids = [sub.id for sub, _, _ in subs]
        open_counts: dict[int, int] = {}
        levels: dict[int, dict[str, int]] = {}
        for chunk in (sub_ids[i:i + 500] for i in range(0, len(sub_ids), 500)):
            open_counts.update(s.execute(select(Finding.submission_id, func.count()).where(
                Finding.status == FindingStatus.OPEN, Finding.submission_id.in_(chunk)).group_by(Finding.submission_id)).all())
            for sid, level, n in s.execute(select(Entry.submission_id, Entry.level, func.count()).where(
                    Entry.submission_id.in_(chunk)).group_by(Entry.submission_id, Entry.level)):
                levels.setdefault(sid, {})[level or "none"] = n
        reviewers = unit_reviewers(s)
        parent_names = dict(s.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))).all())
        today = date.today()
        out = []
        for sub, unit_name, parent_id in subs:
            actions = _actions_for(s, sub, role)
            if not set(actions) - {"return"}:
                continue
            counts = levels.get(sub.id, {})
            top = parent_id or sub.unit_id
            out.append({"id": sub.id, "unit_id": top, "file": sub.original_name,
                        "unit": f"{parent_names.get(parent_id)} / {unit_name}" if parent_id else unit_name,
                        "title": (sub.form or {}).get("title") or sub.form_kind or "",
                        "state": sub.review_state, "state_label": STATES[sub.review_state],
                        "received_at": sub.received_at, "age": (today - sub.received_at.date()).days,
                        "levels": counts, "entries": sum(counts.values()), "high": counts.get("high", 0),
                        "findings": open_counts.get(sub.id, 0), "waits_for": _waits_for(sub.review_state, top, reviewers),
                        "actions": actions})
    if sort in QUEUE_SORTS and sort != "age":
        out.sort(key=lambda q: (q[sort] if sort != "state" else OPEN_STATES.index(q["state"])), reverse=descending)
    elif descending:
        out.reverse()
    return out


def next_in_queue(after: int, *, viewer: Viewer) -> int | None:
    """The form to open after deciding on `after`: the next in the viewer's queue (oldest first)."""
    ids = [q["id"] for q in queue(viewer=viewer) if q["id"] != after]
    later = [i for i in ids if i > after]
    return (later or ids or [None])[0]


@dataclass(slots=True)
class PublicityExport:
    stem: str
    docx: bytes
    xlsx: bytes
    entries: int

    def filename(self, ext: str) -> str:
        """The export's file name with extension `ext` (".docx", ".xlsx"), named as every document is."""
        from service.documents.base import file_name

        return file_name(self.stem, ext)


def export_publicity(unit: str | int, *, viewer: Viewer, campaign: str | None = None) -> PublicityExport:
    """The 公示 of a unit's agreed points and measures (forms in 公示 or 生效), as .docx and .xlsx.

    Built with the documents package's own pieces (the manual's template and grouping, the
    ledger's workbook), so 公示 looks like the other documents and there is one docx writer.
    """
    from service.documents import ledger, publicity, queries, render

    with read_session() as s:
        sc = queries.scope(s, viewer, {"unit": unit, "campaign": campaign})  # NotFound: unknown unit…
        if sc.unit is None:
            raise ReviewError("unit_required", "请指定要公示的单位")
        agreed = set(s.scalars(select(Entry.id).join(Submission, Submission.id == Entry.submission_id).where(
            Submission.unit_id.in_(sc.unit_ids or [sc.unit.id]), Submission.is_current.is_(True),
            Submission.review_state.in_((ReviewState.PUBLICITY, ReviewState.EFFECTIVE)))))
        entries = [e for e in queries.entries(s, sc) if e["id"] in agreed]
        if not entries:
            raise ReviewError("nothing_agreed", f"{sc.unit.name}尚无审定通过的风险点,无法导出公示")
        title = f"{sc.unit_name}廉政风险点及防控措施公示"
        published = s.execute(select(ActivityLog.at, ActivityLog.details).where(
            ActivityLog.action == "review.publish", ActivityLog.object_type == "submission",
            ActivityLog.object_id.in_(select(Entry.submission_id).where(Entry.id.in_(agreed))))).all()
        start = min((at.date() for at, _ in published), default=date.today())
        until = max((date.fromisoformat(d["until"]) for _, d in published if d and d.get("until")), default=None)
        docx = publicity.document(sc, entries, start=start, until=until)  # 公示期, feedback, issuer, date
    for i, e in enumerate(entries, 1):
        e["no"] = i
    info = f"公示单位:{sc.unit_name}    风险等级:高、中、低(高为最高)    导出日期:{date.today().isoformat()}"
    xlsx = ledger.workbook(render.strip_illegal_xml(entries), title, info, with_unit=False)
    return PublicityExport(stem("publicity", sc.unit_name), docx, xlsx, len(entries))


def returned(*, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's current forms sent back for correction, with the reviewer's comment and row comments."""
    with read_session() as s:
        stmt = (select(Submission, ReviewStep, User.username).join(ReviewStep, ReviewStep.submission_id == Submission.id)
                .outerjoin(User, User.id == ReviewStep.user_id)
                .where(Submission.is_current.is_(True), Submission.review_state == ReviewState.RETURNED,
                       ReviewStep.to_state == ReviewState.RETURNED).order_by(ReviewStep.id.desc()))
        ids = visible_unit_ids(s, viewer)
        if ids is not None:
            stmt = stmt.where(Submission.unit_id.in_(ids))
        seen: dict[int, dict[str, Any]] = {}
        for sub, step, username in s.execute(stmt):
            seen.setdefault(sub.id, {"id": sub.id, "file": sub.original_name, "comment": step.comment,
                                     "role": ROLES.get(step.role, step.role), "user": username, "at": step.at})
        for sid, details in s.execute(select(ActivityLog.object_id, ActivityLog.details).where(
                ActivityLog.action == "review.return", ActivityLog.object_type == "submission",
                ActivityLog.object_id.in_(list(seen))).order_by(ActivityLog.id)):
            seen[sid]["rows"] = (details or {}).get("rows") or []
        return list(seen.values())
