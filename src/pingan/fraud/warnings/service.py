"""Early warnings and the dissuasion tasks made from them, with the closed loop recorded.

One open warning per person (the keyed hash of their phone). States: `new` (not yet given to an
officer) → `assigned` → `closed`. New contacts re-grade the open warning: its grade only rises,
its reasons and numbers only grow, and a higher grade brings its due time forward.

Outcomes: `dissuaded`, `refused`, `already_lost` and `false_alarm` close the task;
`unreachable` is an attempt — the task stays open with the officer, the attempt is kept on the
warning (last one) and in the audit trail (every one), and the officer tries again.

Every change is role-checked, audited (masked values only) and put on the bus as
`fraud.warning` for the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.case_numbers import next_case_number
from pingan.db.paging import page
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.fraud.models import FraudContact, FraudNumber, FraudWarning
from pingan.fraud.warnings import grading
from pingan.i18n import msg
from pingan.pii.vault import Vault

PREFIX = "YJ"  # 预警: YJ20261207-0001
NEW, ASSIGNED, CLOSED = "new", "assigned", "closed"
STATUSES = (NEW, ASSIGNED, CLOSED)
OPEN = (NEW, ASSIGNED)
UNREACHABLE = "unreachable"
OUTCOMES = ("dissuaded", UNREACHABLE, "refused", "already_lost", "false_alarm")
MANAGERS = (Role.DISPATCHER, Role.COMMANDER)  # may act on any warning (fraud.warn_manage)


@dataclass(frozen=True, slots=True)
class Person:
    """Whom the contacts reached, sealed: encrypted, masked, keyed hash."""

    enc: str
    masked: str
    key: str


def get(session: Session, warning_id: int) -> FraudWarning:
    row = session.get(FraudWarning, warning_id)
    if row is None:
        raise NotFound(msg("fraud.warn.no_such_warning"), code="no_such_warning")
    return row


def _audit(session: Session, actor: Actor, action: str, w: FraudWarning, **detail: Any) -> None:
    audit.record(
        session,
        actor,
        f"fraud.warning_{action}",
        "fraud_warning",
        w.id,
        {"warning_no": w.warning_no, "phone": w.person_phone_masked, **detail},
    )


def _publish(session: Session, w: FraudWarning, change: str) -> None:
    """What the bus carries: the masked phone only."""
    outbox.publish(
        session,
        "fraud.warning",
        "fraud_warning",
        w.id,
        {
            "warning_id": w.id,
            "warning_no": w.warning_no,
            "change": change,  # created / upgraded / assigned / attempt / closed
            "grade": w.grade,
            "status": w.status,
            "assigned_to": w.assigned_to,
            "due_at": w.due_at.isoformat() if w.due_at else None,
            "person_phone_masked": w.person_phone_masked,
        },
    )


# -- warnings from contacts ---------------------------------------------------------------------
def _since_last_close(session: Session, key: str) -> datetime | None:
    return session.scalar(
        select(func.max(FraudWarning.closed_at)).where(
            FraudWarning.person_phone_key == key, FraudWarning.status == CLOSED
        )
    )


def _contacts(
    session: Session, key: str, now: datetime, rules: grading.Rules
) -> list[grading.Contact]:
    """The person's contacts the next grading counts: recent ones, fed since their last
    warning closed (contacts already dealt with do not raise a new warning)."""
    query = (
        select(FraudContact, FraudNumber.case_id)
        .join(FraudNumber, FraudNumber.number == FraudContact.number)
        .where(FraudContact.person_phone_key == key, FraudContact.at >= now - rules.lookback)
    )
    closed = _since_last_close(session, key)
    if closed is not None:
        query = query.where(FraudContact.imported_at > closed)
    return [
        grading.Contact(c.number, c.kind, c.duration_s, c.at, case_id is not None)
        for c, case_id in session.execute(query)
    ]


def _case_of(session: Session, numbers: Sequence[str]) -> tuple[str | None, int | None]:
    """The fraud type and case the numbers point to (a case-linked number first)."""
    rows = sorted(
        session.scalars(select(FraudNumber).where(FraudNumber.number.in_(sorted(numbers)))),
        key=lambda r: (r.case_id is None, r.fraud_type is None, r.id),
    )
    if not rows:
        return None, None
    return rows[0].fraud_type, rows[0].case_id


def warn(
    session: Session, actor: Actor, person: Person, *, now: datetime
) -> tuple[FraudWarning | None, str | None]:
    """Grade the person's contacts and open or raise their warning. Returns the warning and
    what changed (`created`, `upgraded`, `updated`), or (None, None) when nothing did. Flushes;
    the caller commits."""
    rules = grading.rules()
    contacts = _contacts(session, person.key, now, rules)
    result = grading.grade(contacts, rules, now)
    if result.grade is None:
        return None, None
    numbers = sorted({c.number for c in contacts})
    w = session.scalar(
        select(FraudWarning).where(
            FraudWarning.person_phone_key == person.key, FraudWarning.status.in_(OPEN)
        )
    )
    fraud_type, case_id = _case_of(session, numbers)
    due = now + rules.due[result.grade]
    if w is None:
        w = FraudWarning(
            warning_no=next_case_number(session, PREFIX, now),
            person_phone_enc=person.enc,
            person_phone_key=person.key,
            person_phone_masked=person.masked,
            grade=result.grade,
            reasons=list(result.reasons),
            numbers=numbers,
            fraud_type=fraud_type,
            status=NEW,
            due_at=due,
            case_id=case_id,
            created_at=now,
        )
        session.add(w)
        session.flush()
        _audit(session, actor, "created", w, grade=w.grade, reasons=w.reasons)
        _publish(session, w, "created")
        return w, "created"
    grade = rules.higher(w.grade, result.grade)
    reasons = list(w.reasons) + [r for r in result.reasons if r not in w.reasons]
    merged = sorted(set(w.numbers) | set(numbers))
    if (grade, reasons, merged) == (w.grade, list(w.reasons), list(w.numbers)):
        return w, None
    change = "upgraded" if grade != w.grade else "updated"
    before = w.grade
    w.grade, w.reasons, w.numbers = grade, reasons, merged
    w.fraud_type = w.fraud_type or fraud_type
    w.case_id = w.case_id or case_id
    if change == "upgraded":
        w.due_at = min(w.due_at, due) if w.due_at else due
    _audit(session, actor, change, w, grade=grade, was=before, reasons=reasons)
    _publish(session, w, change)
    return w, change


# -- tasks --------------------------------------------------------------------------------------
def _open(w: FraudWarning) -> None:
    if w.status not in OPEN:
        raise Conflict(msg("fraud.warn.closed", no=w.warning_no), code="warning_closed")


def assign(
    session: Session, actor: Actor, warning_id: int, officer: str, *, now: datetime
) -> FraudWarning:
    """Give the dissuasion task to an officer (an active officer account); a task already
    given may be given to another."""
    require(actor, "fraud.warn_manage")
    w = get(session, warning_id)
    _open(w)
    user = session.scalar(select(User).where(User.username == officer.strip()))
    if user is None or not user.active or user.role != Role.OFFICER.value:
        raise ValidationFailed(
            msg("fraud.warn.not_an_officer", officer=officer.strip()), code="not_an_officer"
        )
    before = w.assigned_to
    w.status, w.assigned_to, w.assigned_at = ASSIGNED, user.username, now
    _audit(session, actor, "assigned", w, officer=user.username, was=before)
    _publish(session, w, "assigned")
    finish(session)
    return w


def _may_work(actor: Actor, w: FraudWarning) -> None:
    """Officers work only the tasks given to them; dispatchers and commanders any."""
    if actor.is_system or actor.role in MANAGERS:
        return
    if w.assigned_to != actor.username:
        raise Forbidden(msg("fraud.warn.not_your_task"), code="not_your_task")


def record_outcome(
    session: Session,
    actor: Actor,
    warning_id: int,
    *,
    outcome: str,
    note: str,
    contacted_at: datetime,
    now: datetime,
) -> FraudWarning:
    """The officer's report: whom they reached, when, and how it ended (or an attempt)."""
    require(actor, "fraud.warn")
    w = get(session, warning_id)
    _may_work(actor, w)
    _open(w)
    if outcome not in OUTCOMES:
        raise ValidationFailed(
            msg("fraud.warn.bad_outcome", outcomes=", ".join(OUTCOMES)), code="bad_outcome"
        )
    text = note.strip()
    if not text:
        raise ValidationFailed(msg("fraud.warn.note_required"), code="note_required")
    if contacted_at.tzinfo is None:
        raise ValidationFailed(msg("fraud.warn.naive_time"), code="naive_time")
    if contacted_at > now:
        raise ValidationFailed(msg("fraud.warn.contacted_in_future"), code="contacted_in_future")
    # people give a time to the minute: a call in the minute the warning came is after it
    if contacted_at < w.created_at.replace(second=0, microsecond=0):
        raise ValidationFailed(
            msg("fraud.warn.contacted_before_warning"), code="contacted_before_warning"
        )
    w.outcome, w.outcome_note, w.contacted_at = outcome, text[:500], contacted_at
    if w.status == NEW:  # a dispatcher or commander who made the call themselves
        w.assigned_to, w.assigned_at = actor.username, now
    if outcome == UNREACHABLE:
        w.status = ASSIGNED
        _audit(session, actor, "attempt", w, outcome=outcome, contacted_at=contacted_at.isoformat())
        _publish(session, w, "attempt")
    else:
        w.status, w.closed_at = CLOSED, now
        _audit(session, actor, "closed", w, outcome=outcome, contacted_at=contacted_at.isoformat())
        _publish(session, w, "closed")
    finish(session)
    return w


def attempts(session: Session, warning_ids: Sequence[int]) -> dict[int, int]:
    """How many unreachable attempts each warning has had (from the audit trail)."""
    if not warning_ids:
        return {}
    rows = session.execute(
        select(AuditRecord.object_id, func.count())
        .where(
            AuditRecord.object_type == "fraud_warning",
            AuditRecord.action == "fraud.warning_attempt",
            AuditRecord.object_id.in_([str(i) for i in warning_ids]),
        )
        .group_by(AuditRecord.object_id)
    )
    return {int(oid): n for oid, n in rows}


def phone(
    session: Session, actor: Actor, vault: Vault, warning_id: int
) -> tuple[FraudWarning, str]:
    """The person's number in clear, for the officer who must call them (audited)."""
    require(actor, "fraud.warn")
    w = get(session, warning_id)
    _may_work(actor, w)
    _audit(session, actor, "phone_read", w)
    finish(session)
    return w, vault.decrypt(w.person_phone_enc)


# -- lists --------------------------------------------------------------------------------------
def list_warnings(
    session: Session,
    *,
    grade: str | None,
    status: str | None,
    overdue: bool | None,
    now: datetime,
    limit: int,
    offset: int,
    officer: str | None = None,
) -> tuple[list[FraudWarning], int]:
    """Warnings, most urgent first: open before closed, higher grade, earlier due time."""
    query = select(FraudWarning)
    if grade:
        query = query.where(FraudWarning.grade == grade)
    if status:
        query = query.where(FraudWarning.status == status)
    if officer is not None:
        query = query.where(FraudWarning.assigned_to == officer)
    if overdue is not None:
        late = FraudWarning.status.in_(OPEN) & (FraudWarning.due_at < now)
        query = query.where(late if overdue else ~late)
    rank = grading.rules().grades
    order = (
        case((FraudWarning.status == CLOSED, 1), else_=0),
        case(*((FraudWarning.grade == g, -i) for i, g in enumerate(rank)), else_=1),
        FraudWarning.due_at,
        FraudWarning.id,
    )
    return page(session, query, *order, limit=limit, offset=offset)


def is_overdue(w: FraudWarning, now: datetime) -> bool:
    return w.status in OPEN and w.due_at is not None and w.due_at < now
