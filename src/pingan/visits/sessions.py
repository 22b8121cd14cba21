"""The call of a booking: admitting each side, what happens while it runs, how it ends.

`admit` opens the booking's session (or finds it) and lets the caller in as one side:
the booking's own visitor (identity re-checked: a fresh L2 by face or one-time code, or L3),
an officer at the facility's terminal, or an officer watching live — only where the booking
is monitored, never a lawyer's call. The sockets then report who connected (`connected`,
`disconnected`); the call has started when visitor and terminal are both there. It ends by the
monitor (officer_ended / violation), by a side (completed / left), or at the booking's end
(time_up). Every change is an event row and an audit record.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.policy import role_may
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.i18n import msg
from pingan.trust.identity.models import RegisterPerson, Verification
from pingan.visits.models import (
    VisitBooking,
    VisitSession,
    VisitSessionEvent,
    VisitVisitor,
)
from pingan.visits.rules import rules
from pingan.visits.signalling import MONITOR, SIDES, TERMINAL, VISITOR

SIDE_PERMISSION = {VISITOR: "visits.book", TERMINAL: "visits.terminal", MONITOR: "visits.monitor"}
OPEN, LIVE, ENDED = "open", "live", "ended"
JOINABLE = frozenset({"confirmed", "in_call"})
MONITOR_REASONS = frozenset({"officer_ended", "violation"})
SIDE_REASONS = frozenset({"completed", "left"})
FRESH_METHODS = frozenset({"face", "otp"})  # L2 reached again just before the call; or L3


@dataclass(frozen=True, slots=True)
class Admission:
    call: VisitSession
    booking: VisitBooking
    side: str


def default_side(actor: Actor) -> str:
    """The side a caller means when it names none: its role's first visit permission."""
    for side in SIDES:
        if actor.role is not None and role_may(actor.role, SIDE_PERMISSION[side]):
            return side
    return VISITOR  # require() refuses it below


def _booking(session: Session, booking_id: int, *, lock: bool = False) -> VisitBooking:
    row = session.get(VisitBooking, booking_id, with_for_update=lock)
    if row is None:
        raise NotFound(msg("visits.call.no_booking", id=booking_id), code="booking_not_found")
    return row


def _own_visitor(session: Session, actor: Actor, booking: VisitBooking) -> VisitVisitor:
    visitor = session.get(VisitVisitor, booking.visitor_id)
    if visitor is None or visitor.user_id != actor.user_id:
        # someone else's booking answers like an unknown one
        raise NotFound(msg("visits.call.no_booking", id=booking.id), code="booking_not_found")
    return visitor


def _check_monitorable(booking: VisitBooking) -> None:
    if booking.kind == "lawyer":
        raise Forbidden(msg("visits.call.lawyer_not_monitored"), code="lawyer_call_not_monitored")
    if not booking.monitored:
        raise Forbidden(msg("visits.call.not_monitored"), code="not_monitored")


def fresh_verification(
    session: Session, user_id: int, *, now: datetime, within: timedelta
) -> Verification | None:
    """The caller's latest verification counting as a re-check at the start of a call: L2 by
    face or one-time code, or L3, reached within `within` before `now`, unexpired, the person
    still normal in the register. The booking's own L2 (by whatever method) does not count."""
    return session.scalar(
        select(Verification)
        .join(RegisterPerson, RegisterPerson.id_key == Verification.subject_key)
        .where(
            Verification.user_id == user_id,
            Verification.verified_at >= now - within,
            Verification.verified_at <= now,
            Verification.expires_at > now,
            RegisterPerson.status == "normal",
            or_(
                Verification.level >= 3,
                (Verification.level == 2) & Verification.method.in_(FRESH_METHODS),
            ),
        )
        .order_by(Verification.verified_at.desc())
        .limit(1)
    )


def _event(
    session: Session, call: VisitSession, kind: str, side: str | None, user_id: int | None,
    now: datetime, **detail: object,
) -> None:  # fmt: skip
    session.add(
        VisitSessionEvent(
            session_id=call.id, at=now, kind=kind, side=side, user_id=user_id, detail=detail
        )
    )


def session_of(session: Session, booking_id: int) -> VisitSession | None:
    return session.scalar(select(VisitSession).where(VisitSession.booking_id == booking_id))


def get(session: Session, session_id: int, *, lock: bool = False) -> VisitSession:
    row = session.get(VisitSession, session_id, with_for_update=lock)
    if row is None:
        raise NotFound(msg("visits.call.no_session", id=session_id), code="session_not_found")
    return row


def admit(
    session: Session, actor: Actor, booking_id: int, side: str | None, *, now: datetime
) -> Admission:
    """Open (or find) the booking's session and admit the caller as `side`."""
    side = side or default_side(actor)
    if side not in SIDES:
        raise ValidationFailed(msg("visits.call.bad_side", side=side), code="bad_side")
    require(actor, SIDE_PERMISSION[side])
    booking = _booking(session, booking_id, lock=True)
    if side == VISITOR:
        _own_visitor(session, actor, booking)
    if side == MONITOR:
        _check_monitorable(booking)
    if booking.status not in JOINABLE:
        raise Conflict(
            msg("visits.call.not_joinable", status=booking.status), code="booking_not_joinable"
        )
    r = rules()
    if now < booking.starts_at - timedelta(minutes=r.join_early_min):
        raise Conflict(msg("visits.call.too_early", minutes=r.join_early_min), code="too_early")
    if now >= booking.ends_at:
        raise Conflict(msg("visits.call.over"), code="call_over")
    call = session_of(session, booking.id)
    if call is not None and call.status == ENDED:
        raise Conflict(msg("visits.call.ended"), code="session_ended")
    check = None
    if side == VISITOR:
        fresh = fresh_verification(
            session, actor.user_id or 0, now=now, within=timedelta(minutes=r.identity_fresh_min)
        )
        if fresh is None:
            raise Conflict(
                msg("visits.call.reverify", minutes=r.identity_fresh_min), code="reverify_needed"
            )
        check = {
            "level": f"L{fresh.level}", "method": fresh.method,
            "verification_id": fresh.id, "verified_at": fresh.verified_at.isoformat(),
        }  # fmt: skip
    if call is None:
        call = VisitSession(
            booking_id=booking.id, room=secrets.token_urlsafe(24), status=OPEN, opened_at=now
        )
        session.add(call)
    if check is not None:
        call.identity_check = check
    if side == TERMINAL:
        call.terminal_officer_id = actor.user_id
    if side == MONITOR:
        call.monitor_officer_id = actor.user_id
    session.flush()
    audit.record(
        session, actor, "visits.session_admit", "visit_session", call.id,
        {"booking_no": booking.booking_no, "side": side, "identity": check},
    )  # fmt: skip
    finish(session)
    return Admission(call, booking, side)


def connected(
    session: Session, actor: Actor, session_id: int, side: str, *, both: bool, now: datetime
) -> VisitSession:
    """A side's socket joined its room; `both`: visitor and terminal are now both there, so
    the call starts (once) and the booking is in call."""
    call = get(session, session_id, lock=True)
    _event(session, call, "monitor_joined" if side == MONITOR else "joined", side,
           actor.user_id, now)  # fmt: skip
    started = False
    if both and call.started_at is None and call.status == OPEN:
        call.started_at, call.status, started = now, LIVE, True
        _booking(session, call.booking_id).status = "in_call"
    audit.record(
        session, actor, "visits.session_join", "visit_session", call.id,
        {"side": side, "started": started},
    )  # fmt: skip
    finish(session)
    return call


def disconnected(
    session: Session, actor: Actor, session_id: int, side: str, *, now: datetime
) -> None:
    """A side's socket closed without ending the call (it may come back before the end)."""
    call = get(session, session_id, lock=True)
    if call.status == ENDED:
        return
    _event(session, call, "left", side, actor.user_id, now)
    audit.record(session, actor, "visits.session_leave", "visit_session", call.id, {"side": side})
    finish(session)


def _is_side(session: Session, actor: Actor, call: VisitSession) -> bool:
    booking = _booking(session, call.booking_id)
    visitor = session.get(VisitVisitor, booking.visitor_id)
    return actor.user_id is not None and actor.user_id in (
        call.terminal_officer_id,
        visitor.user_id if visitor else None,
    )


def end(
    session: Session, actor: Actor, session_id: int, reason: str, *, now: datetime,
    note: str | None = None,
) -> VisitSession:  # fmt: skip
    """End the call: the monitor (officer_ended / violation, never on a lawyer's call), one
    of its sides (completed / left), or the platform at the booking's end (time_up)."""
    call = get(session, session_id, lock=True)
    booking = _booking(session, call.booking_id, lock=True)
    if reason in MONITOR_REASONS:
        require(actor, SIDE_PERMISSION[MONITOR])
        _check_monitorable(booking)
    elif reason in SIDE_REASONS:
        if not actor.is_system and not _is_side(session, actor, call):
            raise Forbidden(msg("visits.call.not_a_side"), code="not_a_side")
    elif not (reason == "time_up" and actor.is_system):
        raise ValidationFailed(msg("visits.call.bad_reason", reason=reason), code="bad_reason")
    if call.status == ENDED:
        raise Conflict(msg("visits.call.ended"), code="session_ended")
    call.status, call.ended_at, call.end_reason, call.ended_by = ENDED, now, reason, actor.user_id
    booking.status = "completed"
    detail = {"reason": reason} | ({"note": note} if note else {})
    _event(session, call, "ended", None, actor.user_id, now, **detail)
    audit.record(session, actor, "visits.session_end", "visit_session", call.id,
                 detail | {"booking_no": booking.booking_no})  # fmt: skip
    finish(session)
    return call


def time_up(session: Session, session_id: int, *, now: datetime) -> VisitSession | None:
    """The booking's end came with the call still on: the platform ends it (None if it
    had ended already)."""
    call = get(session, session_id)
    if call.status == ENDED:
        return None
    return end(session, Actor.system("visits"), session_id, "time_up", now=now)


def end_overdue(session: Session, *, now: datetime) -> int:
    """Calls still open or live after their booking's end, whose room's timer is gone (the
    process that held it stopped): ended as time_up, as the timer would have."""
    overdue = list(
        session.scalars(
            select(VisitSession.id)
            .join(VisitBooking, VisitBooking.id == VisitSession.booking_id)
            .where(VisitSession.status != ENDED, VisitBooking.ends_at <= now)
            .order_by(VisitSession.id)
        )
    )
    for session_id in overdue:
        with contextlib.suppress(Conflict):  # its room's timer ended it meanwhile
            time_up(session, session_id, now=now)
    return len(overdue)


def warn(
    session: Session, actor: Actor, session_id: int, note: str, *, now: datetime
) -> VisitSessionEvent:
    """The monitor warns both sides (e.g. a forbidden topic); the note is shown to them."""
    require(actor, SIDE_PERMISSION[MONITOR])
    call = get(session, session_id, lock=True)
    _check_monitorable(_booking(session, call.booking_id))
    if call.status == ENDED:
        raise Conflict(msg("visits.call.ended"), code="session_ended")
    note = note.strip()
    if not 1 <= len(note) <= 200:
        raise ValidationFailed(msg("visits.call.bad_note"), code="bad_note")
    event = VisitSessionEvent(
        session_id=call.id, at=now, kind="warned", side=MONITOR, user_id=actor.user_id,
        detail={"note": note},
    )  # fmt: skip
    session.add(event)
    audit.record(session, actor, "visits.session_warn", "visit_session", call.id, {"note": note})
    finish(session)
    return event


def events(session: Session, session_id: int) -> list[VisitSessionEvent]:
    return list(
        session.scalars(
            select(VisitSessionEvent)
            .where(VisitSessionEvent.session_id == session_id)
            .order_by(VisitSessionEvent.at, VisitSessionEvent.id)
        )
    )
