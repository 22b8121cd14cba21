"""Booking a video visit: the free slots, the booking with its atomic slot claim, the desk's
decision, cancellation, no-shows and the suspension they bring, reminders.

States: pending_approval → confirmed → (in_call → completed, the call's) | no_show;
pending_approval → refused; pending_approval | confirmed → cancelled. A refusal is a 4xx with
its reason code (booking_rules) and stores nothing; every change is permission-checked,
audited with masked values only and put on the bus as `visits.booking` for the desk's page.

The slot claim is the atomic step: one `VisitSlotClaim` row per terminal and slot start,
under a unique index. Two visitors racing for one slot both pass the checks; the second
insert fails on the index and that request answers 409 `slot_taken`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.policy import role_may
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.case_numbers import next_case_number
from pingan.db.tx import finish
from pingan.errors import Conflict, DomainError, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.i18n.both import both
from pingan.pii.phone import mask_phone
from pingan.pii.vault import Vault
from pingan.services import common
from pingan.trust.certificates.workdays import is_working_day
from pingan.trust.identity.adapters import SmsSender
from pingan.trust.identity.service import Level, require_level
from pingan.visits import slots
from pingan.visits.booking_rules import Facts, Refusal, check_booking, check_cancel, flags
from pingan.visits.models import (
    VisitApproval,
    VisitBooking,
    VisitDetainee,
    VisitFacility,
    VisitRelation,
    VisitSession,
    VisitSlotClaim,
    VisitTerminal,
    VisitVisitor,
)
from pingan.visits.rules import Rules, VisitRule, rules

PENDING, CONFIRMED, IN_CALL, COMPLETED = "pending_approval", "confirmed", "in_call", "completed"
CANCELLED, REFUSED, NO_SHOW = "cancelled", "refused", "no_show"
LIVE = (PENDING, CONFIRMED, IN_CALL)  # holds its slot
CANCELLABLE = (PENDING, CONFIRMED)
COUNTED = (*LIVE, COMPLETED, NO_SHOW)  # counts against the detainee's monthly quota
NUMBER_PREFIX = "HJ"  # 会见


class _Refused(DomainError):
    """A refusal of the booking rules; its HTTP status comes with its code."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(msg(f"visits.booking.refused.{refusal.code}", **refusal.params))
        self.code = refusal.code
        self.status = refusal.status


def refuse(refusal: Refusal) -> NoReturn:
    raise _Refused(refusal)


# -- reading ----------------------------------------------------------------------------------
def get_booking(session: Session, booking_id: int) -> VisitBooking:
    row = session.get(VisitBooking, booking_id)
    if row is None:
        raise NotFound(msg("visits.booking.no_such_booking"), code="no_such_booking")
    return row


def _facility(session: Session, facility_id: int) -> VisitFacility:
    row = session.get(VisitFacility, facility_id)
    if row is None or not row.active:
        raise NotFound(msg("visits.booking.no_such_facility"), code="no_such_facility")
    return row


def is_desk(actor: Actor) -> bool:
    return actor.is_system or (actor.role is not None and role_may(actor.role, "visits.read"))


def visible(session: Session, actor: Actor, booking: VisitBooking) -> bool:
    """The desk sees every booking; a visitor only their own."""
    if is_desk(actor):
        return True
    visitor = session.get(VisitVisitor, booking.visitor_id)
    return visitor is not None and visitor.user_id == actor.user_id


def _reader(actor: Actor) -> None:
    """The desk (visits.read) or a visitor (visits.book); anyone else 403."""
    if not is_desk(actor):
        require(actor, "visits.book")


def read_booking(session: Session, actor: Actor, booking_id: int) -> VisitBooking:
    """One booking for its visitor or the desk; anyone else gets the same 404 as a wrong id."""
    _reader(actor)
    row = get_booking(session, booking_id)
    if not visible(session, actor, row):
        raise NotFound(msg("visits.booking.no_such_booking"), code="no_such_booking")
    return row


def mine(session: Session, actor: Actor) -> list[VisitBooking]:
    require(actor, "visits.book")
    return list(
        session.scalars(
            select(VisitBooking)
            .join(VisitVisitor, VisitVisitor.id == VisitBooking.visitor_id)
            .where(VisitVisitor.user_id == actor.user_id)
            .order_by(VisitBooking.starts_at.desc(), VisitBooking.id.desc())
        )
    )


def desk_list(
    session: Session,
    actor: Actor,
    *,
    facility_id: int | None = None,
    day: date | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[VisitBooking], int]:
    require(actor, "visits.read")
    query = select(VisitBooking)
    if facility_id is not None:
        query = query.where(VisitBooking.facility_id == facility_id)
    if day is not None:
        start, end = slots.beijing_day(day)
        query = query.where(VisitBooking.starts_at >= start, VisitBooking.starts_at < end)
    if status:
        query = query.where(VisitBooking.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(VisitBooking.starts_at, VisitBooking.id).limit(limit).offset(offset)
    )
    return list(rows), total


# -- the grid ---------------------------------------------------------------------------------
def working_day(day: date) -> bool:
    """A working day by the official calendar (Monday to Friday where it has no data yet)."""
    return is_working_day(day)[0]


def _grid(
    r: Rules, rule: VisitRule, facility: VisitFacility, start: datetime, end: datetime
) -> tuple[list[tuple[datetime, datetime]], int]:
    """The slots a visit of this rule may take in [start, end), and their length."""
    if rule.hours == "working":
        wh = r.working_hours
        periods = [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in wh.periods]
        found = slots.working_grid(
            facility.hours,
            periods,
            wh.slot_minutes,
            start,
            end,
            working_day=lambda d: working_day(d) and d.weekday() in wh.weekdays,
        )
        return found, wh.slot_minutes
    return slots.grid(facility.hours, facility.slot_minutes, start, end), facility.slot_minutes


def _terminals(session: Session, facility_id: int) -> list[slots.Terminal]:
    rows = session.scalars(
        select(VisitTerminal).where(
            VisitTerminal.facility_id == facility_id, VisitTerminal.active.is_(True)
        )
    )
    return [slots.Terminal(t.id, t.use) for t in rows]


def _claims(
    session: Session, terminals: list[slots.Terminal], start: datetime, end: datetime
) -> list[tuple[int, datetime]]:
    ids = [t.id for t in terminals]
    if not ids:
        return []
    rows = session.execute(
        select(VisitSlotClaim.terminal_id, VisitSlotClaim.starts_at).where(
            VisitSlotClaim.terminal_id.in_(ids),
            VisitSlotClaim.starts_at >= start,
            VisitSlotClaim.starts_at < end,
        )
    )
    return [(t, s) for t, s in rows]


def free_slots(
    session: Session, actor: Actor, facility_id: int, kind: str, day: date, *, now: datetime
) -> list[slots.Slot]:
    """The day's slots for this kind of visit, each with its free terminals (full ones too)."""
    _reader(actor)
    facility = _facility(session, facility_id)
    r = rules()
    if kind not in r.visitor_kinds:
        raise Bad(msg("visits.booking.unknown_kind", kind=kind), code="unknown_kind")
    start, end = slots.beijing_day(day)
    grid, _ = _grid(r, r.visit(facility.kind, kind), facility, start, end)
    terminals = _terminals(session, facility.id)
    claims = _claims(session, terminals, start, end)
    return slots.free_slots(grid, terminals, claims, kind, now=now, uses=r.terminal_uses)


# -- booking ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PartyMember:
    name: str
    id_number: str
    relation: str


@dataclass(frozen=True, slots=True)
class BookingSpec:
    relation_id: int
    starts_at: datetime | None = None
    minutes: int | None = None
    party: tuple[PartyMember, ...] = ()
    recorded: bool | None = None
    monitored: bool | None = None


def _own_relation(session: Session, actor: Actor, relation_id: int) -> VisitRelation:
    rel = session.get(VisitRelation, relation_id)
    visitor = session.get(VisitVisitor, rel.visitor_id) if rel else None
    if rel is None or visitor is None or visitor.user_id != actor.user_id:
        raise NotFound(msg("visits.booking.no_such_relation"), code="no_such_relation")
    return rel


def suspended(visitor: VisitVisitor, now: datetime) -> bool:
    """Suspended now: a suspension ends by itself at `suspended_until` (the desk may lift it
    earlier, the registry's reinstatement)."""
    if visitor.status != "suspended":
        return False
    return visitor.suspended_until is None or visitor.suspended_until > now


def _consent(
    session: Session, detainee_id: int, visitor_id: int, start: datetime, end: datetime
) -> VisitApproval | None:
    """A case-authority consent covering the whole visit: for this visitor or for anyone."""
    return session.scalars(
        select(VisitApproval)
        .where(
            VisitApproval.detainee_id == detainee_id,
            (VisitApproval.visitor_id == visitor_id) | VisitApproval.visitor_id.is_(None),
            VisitApproval.revoked_at.is_(None),
            VisitApproval.valid_from <= start,
            VisitApproval.valid_until >= end,
        )
        .order_by(VisitApproval.visitor_id.is_(None), VisitApproval.id)
        .limit(1)
    ).first()


def _count(session: Session, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(VisitBooking).where(*where)) or 0


def _late_cancellations(
    session: Session, detainee_id: int, kind: str, start: datetime, end: datetime
) -> int:
    """Bookings starting in [start, end) cancelled inside `cancel_before_h` of their start.

    Such a slot was held until the last day and is lost to every other family, so it counts
    against the detainee's monthly quota as a visit would; a cancellation in good time frees
    it. (Only the desk can cancel that late; a visitor who asks it to still uses the visit.)"""
    late = timedelta(hours=rules().cancel_before_h)
    rows = session.execute(
        select(VisitBooking.starts_at, VisitBooking.cancelled_at).where(
            VisitBooking.detainee_id == detainee_id,
            VisitBooking.kind == kind,
            VisitBooking.status == CANCELLED,
            VisitBooking.starts_at >= start,
            VisitBooking.starts_at < end,
        )
    ).all()
    return sum(1 for starts, cancelled in rows if cancelled and starts - cancelled < late)


def _held_lawyer_slots(
    session: Session, facility_id: int, day: date, visitor_ids: list[int]
) -> int:
    """Slots of one Beijing day these visitors hold at the facility (live bookings)."""
    if not visitor_ids:
        return 0
    start, end = slots.beijing_day(day)
    return (
        session.scalar(
            select(func.count())
            .select_from(VisitSlotClaim)
            .join(VisitBooking, VisitBooking.id == VisitSlotClaim.booking_id)
            .where(
                VisitBooking.facility_id == facility_id,
                VisitBooking.visitor_id.in_(visitor_ids),
                VisitBooking.status.in_(LIVE),
                VisitSlotClaim.starts_at >= start,
                VisitSlotClaim.starts_at < end,
            )
        )
        or 0
    )


def _firm_ids(session: Session, visitor: VisitVisitor) -> list[int]:
    if not visitor.organisation:
        return [visitor.id]
    return list(
        session.scalars(
            select(VisitVisitor.id).where(
                VisitVisitor.role == slots.LAWYER,
                VisitVisitor.organisation == visitor.organisation,
            )
        )
    )


def _party(vault: Vault, kind: str, members: tuple[PartyMember, ...]) -> list[dict[str, Any]]:
    """Companions on the visitor's side: relation checked against the rules, name and ID
    number kept only masked plus the ID's keyed hash (the terminal officer checks it)."""
    allowed = rules().visitor_kinds[kind].relations
    out = []
    for m in members:
        if m.relation not in allowed:
            raise Bad(
                msg("visits.booking.bad_party_relation", relation=m.relation),
                code="bad_party_relation",
            )
        name = common.name(vault, m.name)
        sealed = common.id_number(vault, m.id_number)
        out.append(
            {
                "name_masked": name.masked,
                "relation": m.relation,
                "id_masked": sealed.masked,
                "id_key": sealed.key,
            }
        )
    return out


def _lawyer_day(
    session: Session, r: Rules, rule: VisitRule, facility: VisitFacility, visitor: VisitVisitor
) -> Callable[[date, int], tuple[int, int, int]]:
    """For a Beijing day and the slots wanted: (held by the lawyer, held by the firm, the
    day's lawyer capacity) — what fair allocation weighs."""
    terminals = [t for t in _terminals(session, facility.id) if r.serves(t.use, visitor.role)]

    def weigh(day: date, _wanted: int) -> tuple[int, int, int]:
        start, end = slots.beijing_day(day)
        capacity = len(_grid(r, rule, facility, start, end)[0]) * len(terminals)
        mine = _held_lawyer_slots(session, facility.id, day, [visitor.id])
        firm = _held_lawyer_slots(session, facility.id, day, _firm_ids(session, visitor))
        return mine, firm, capacity

    return weigh


def _within_shares(r: Rules, held: tuple[int, int, int], wanted: int) -> bool:
    mine, firm, capacity = held
    return slots.within_share(mine, wanted, capacity, r.lawyer_share_visitor) and (
        slots.within_share(firm, wanted, capacity, r.lawyer_share_firm)
    )


def _arrange(
    session: Session,
    actor: Actor,
    r: Rules,
    rule: VisitRule,
    facility: VisitFacility,
    visitor: VisitVisitor,
    count: int,
    now: datetime,
) -> tuple[datetime, int]:
    """A lawyer who names no time gets the earliest free working slot within the rules'
    hours (48), on a day where the lawyer and the firm are within their fair shares; none →
    409 `cannot_arrange_within_48h`, which the desk sees live."""
    within = timedelta(hours=rule.arrange_within_h or 48)
    grid, _ = _grid(r, rule, facility, now, now + within + timedelta(hours=1))
    terminals = _terminals(session, facility.id)
    claims = _claims(session, terminals, now, now + within + timedelta(hours=3))
    weigh = _lawyer_day(session, r, rule, facility, visitor)
    days: dict[date, bool] = {}

    def allowed(at: datetime) -> bool:
        day = at.astimezone(slots.BEIJING).date()
        if day not in days:
            days[day] = _within_shares(r, weigh(day, count), count)
        return days[day]

    found = slots.earliest(
        grid,
        terminals,
        claims,
        rule.visitor_kind,
        now=now,
        within=within,
        count=count,
        uses=r.terminal_uses,
        allowed=allowed,
    )
    if found is None:
        hours = int(within.total_seconds() // 3600)
        audit.record(
            session, actor, "visits.cannot_arrange", "visit_facility", facility.id, {"hours": hours}
        )
        outbox.publish(
            session,
            "visits.booking",
            "visit_facility",
            facility.id,
            {"event": "cannot_arrange", "facility_id": facility.id, "within_h": hours},
        )
        finish(session)
        refuse(Refusal("cannot_arrange_within_48h"))
    return found


def book(
    session: Session, actor: Actor, vault: Vault, spec: BookingSpec, *, now: datetime
) -> VisitBooking:
    """Check, claim the slot, store; see the module docstring."""
    require(actor, "visits.book")
    held = require_level(session, actor.user_id or 0, Level.L2, at=now)
    rel = _own_relation(session, actor, spec.relation_id)
    visitor = session.get(VisitVisitor, rel.visitor_id)
    detainee = session.get(VisitDetainee, rel.detainee_id)
    assert visitor is not None and detainee is not None
    facility = _facility(session, detainee.facility_id)
    r = rules()
    kind = visitor.role
    rule = r.visit(facility.kind, kind)
    slot_len = r.working_hours.slot_minutes if rule.hours == "working" else facility.slot_minutes
    minutes = spec.minutes or min(slot_len, rule.max_minutes)
    if minutes < 1:
        raise Bad(msg("visits.booking.bad_minutes"), code="bad_minutes")
    count = math.ceil(minutes / slot_len)
    party = _party(vault, kind, spec.party)
    if spec.starts_at is None:
        if rule.arrange_within_h is None:
            raise Bad(msg("visits.booking.starts_at_required"), code="starts_at_required")
        if spec.recorded or spec.monitored:  # the flags refuse before anything is arranged
            refuse(Refusal(f"lawyer_{'recording' if spec.recorded else 'monitoring'}_forbidden"))
        starts_at, terminal_id = _arrange(session, actor, r, rule, facility, visitor, count, now)
    else:
        starts_at, terminal_id = spec.starts_at, None
    ends_at = starts_at + timedelta(minutes=minutes)
    day = starts_at.astimezone(slots.BEIJING).date()
    day_start, day_end = slots.beijing_day(day)
    grid, _ = _grid(r, rule, facility, day_start, day_end)
    run = slots.run_of(grid, starts_at, count)
    terminals = _terminals(session, facility.id)
    month_start, month_end = slots.month_of(starts_at)
    consent_needed = r.needs_consent(
        facility.kind, kind, stage=detainee.stage, restrictions=detainee.restrictions
    )
    consent = _consent(session, detainee.id, visitor.id, starts_at, ends_at)
    held_lawyer, held_firm, lawyer_capacity = (
        _lawyer_day(session, r, rule, facility, visitor)(day, count)
        if kind == slots.LAWYER
        else (0, 0, 0)
    )
    facts = Facts(
        kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        persons=1 + len(party),
        asked_recorded=spec.recorded,
        asked_monitored=spec.monitored,
        in_hours=run is not None,
        relation_status=rel.status,
        detainee_status=detainee.status,
        blocked_by=r.blocked(kind, stage=detainee.stage, restrictions=detainee.restrictions),
        consent_needed=consent_needed,
        has_consent=consent is not None,
        suspended=suspended(visitor, now),
        month_count=_count(
            session,
            VisitBooking.detainee_id == detainee.id,
            VisitBooking.kind == kind,
            VisitBooking.status.in_(COUNTED),
            VisitBooking.starts_at >= month_start,
            VisitBooking.starts_at < month_end,
        )
        + _late_cancellations(session, detainee.id, kind, month_start, month_end),
        live_with_detainee=_count(
            session,
            VisitBooking.detainee_id == detainee.id,
            VisitBooking.visitor_id == visitor.id,
            VisitBooking.status.in_(LIVE),
            VisitBooking.ends_at > now,
        ),
        now=now,
        live_limit=r.family_live_per_detainee,
        horizon_days=r.booking_horizon_days,
        held_by_lawyer=held_lawyer,
        held_by_firm=held_firm,
        day_capacity=lawyer_capacity,
        wanted_slots=count,
        share_lawyer=r.lawyer_share_visitor,
        share_firm=r.lawyer_share_firm,
    )
    refusal = check_booking(rule, facts)
    if refusal is not None:
        refuse(refusal)
    assert run is not None
    if terminal_id is None:
        claims = _claims(session, terminals, day_start, day_end)
        terminal_id = slots.first_terminal(run, terminals, claims, kind, r.terminal_uses)
        if terminal_id is None:
            refuse(Refusal("slot_taken"))
    recorded, monitored = flags(rule, kind)
    booking = VisitBooking(
        booking_no=next_case_number(session, NUMBER_PREFIX, now),
        facility_id=facility.id,
        terminal_id=terminal_id,
        detainee_id=detainee.id,
        visitor_id=visitor.id,
        kind=kind,
        status=PENDING if consent_needed and kind != slots.LAWYER else CONFIRMED,
        starts_at=starts_at,
        ends_at=ends_at,
        party=party,
        recorded=recorded,
        monitored=monitored,
        approval_id=consent.id if consent else None,
        assurance={
            "level": int(held.level),
            "method": held.method,
            "verification_id": held.verification_id,
        },
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    try:
        with session.begin_nested():
            session.add_all(
                VisitSlotClaim(terminal_id=terminal_id, starts_at=s, booking_id=booking.id)
                for s, _ in run
            )
    except IntegrityError:
        session.rollback()
        refuse(Refusal("slot_taken"))
    _changed(session, actor, booking, "booked", persons=facts.persons)
    finish(session)
    return booking


def _changed(
    session: Session, actor: Actor, booking: VisitBooking, action: str, **detail: Any
) -> None:
    """The audit record and the live event of one change (numbers and states, no names)."""
    audit.record(
        session,
        actor,
        f"visits.{action}",
        "visit_booking",
        booking.id,
        {"booking_no": booking.booking_no, "status": booking.status, **detail},
    )
    outbox.publish(
        session,
        "visits.booking",
        "visit_booking",
        booking.id,
        {
            "event": action,
            "booking_id": booking.id,
            "booking_no": booking.booking_no,
            "facility_id": booking.facility_id,
            "kind": booking.kind,
            "status": booking.status,
            "starts_at": booking.starts_at.isoformat(),
        },
    )


def _release(session: Session, booking: VisitBooking) -> None:
    session.execute(delete(VisitSlotClaim).where(VisitSlotClaim.booking_id == booking.id))


def _state(booking: VisitBooking, *allowed: str) -> None:
    if booking.status not in allowed:
        raise Conflict(msg("visits.booking.bad_state", status=booking.status), code="bad_state")


# -- the desk and the visitor -----------------------------------------------------------------
def decide(
    session: Session, actor: Actor, booking_id: int, decision: str, reason: str, *, now: datetime
) -> VisitBooking:
    """The facility approves or refuses a booking that waits for it (a family visit at a
    看守所, once the case authority's consent is on file)."""
    require(actor, "visits.manage")
    booking = get_booking(session, booking_id)
    _state(booking, PENDING)
    if decision == "approve":
        booking.status = CONFIRMED
    else:
        booking.status = REFUSED
        booking.cancel_reason = reason.strip()[:200] or None
        _release(session, booking)
    booking.decided_by, booking.decided_at = actor.user_id, now
    _changed(session, actor, booking, "decided", decision=decision)
    finish(session)
    return booking


def cancel(
    session: Session, actor: Actor, booking_id: int, reason: str, *, now: datetime
) -> VisitBooking:
    """The visitor up to `cancel_before_h` before the start; the desk any time before the
    end, with a reason."""
    booking = get_booking(session, booking_id)
    visitor = session.get(VisitVisitor, booking.visitor_id)
    own = visitor is not None and visitor.user_id == actor.user_id and actor.user_id is not None
    if not own and not is_desk(actor):
        raise NotFound(msg("visits.booking.no_such_booking"), code="no_such_booking")
    by_desk = not own
    require(actor, "visits.book" if own else "visits.manage")
    _state(booking, *CANCELLABLE)
    text = reason.strip()
    if by_desk and not text:
        raise Bad(msg("visits.booking.reason_required"), code="reason_required")
    if booking.ends_at <= now:
        raise Conflict(msg("visits.booking.already_over"), code="already_over")
    refusal = check_cancel(
        booking.starts_at, now=now, cancel_before_h=rules().cancel_before_h, by_desk=by_desk
    )
    if refusal is not None:
        refuse(refusal)
    booking.status, booking.cancelled_at = CANCELLED, now
    booking.cancel_reason = text[:200] or None
    _release(session, booking)
    _changed(session, actor, booking, "cancelled", by_desk=by_desk)
    finish(session)
    return booking


def can_cancel(session: Session, actor: Actor, booking: VisitBooking, now: datetime) -> bool:
    """Whether this caller may cancel this booking now (the page shows the button): its
    visitor up to the rules' hours before the start, the desk (visits.manage) until the end."""
    if booking.status not in CANCELLABLE or booking.ends_at <= now:
        return False
    visitor = session.get(VisitVisitor, booking.visitor_id)
    if visitor is not None and actor.user_id is not None and visitor.user_id == actor.user_id:
        limit = rules().cancel_before_h
        return (
            check_cancel(booking.starts_at, now=now, cancel_before_h=limit, by_desk=False) is None
        )
    return actor.role is not None and role_may(actor.role, "visits.manage")


def _call_started(session: Session, booking_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(VisitSession)
            .where(VisitSession.booking_id == booking_id, VisitSession.started_at.is_not(None))
        )
        or 0
    ) > 0


def no_show(session: Session, actor: Actor, booking_id: int, *, now: datetime) -> VisitBooking:
    """A confirmed booking whose slot ended with no call started; the visitor's third in the
    rules' window suspends booking for the rules' period."""
    require(actor, "visits.manage")
    booking = get_booking(session, booking_id)
    _mark_no_show(session, actor, booking, now)
    finish(session)
    return booking


def _mark_no_show(session: Session, actor: Actor, booking: VisitBooking, now: datetime) -> None:
    _state(booking, CONFIRMED)
    if booking.ends_at > now:
        raise Conflict(msg("visits.booking.not_over_yet"), code="not_over_yet")
    if _call_started(session, booking.id):
        raise Conflict(msg("visits.booking.call_took_place"), code="call_took_place")
    booking.status = NO_SHOW
    _changed(session, actor, booking, "no_show")
    r = rules()
    visitor = session.get(VisitVisitor, booking.visitor_id)
    assert visitor is not None
    since = now - timedelta(days=r.no_show_window_days)
    missed = _count(
        session,
        VisitBooking.visitor_id == visitor.id,
        VisitBooking.status == NO_SHOW,
        VisitBooking.starts_at >= since,
    )
    if missed >= r.no_show_limit and not suspended(visitor, now):
        visitor.status = "suspended"
        visitor.suspended_until = now + timedelta(days=r.suspension_days)
        visitor.suspended_reason = "no_shows"
        audit.record(
            session,
            actor,
            "visits.suspended",
            "visit_visitor",
            visitor.id,
            {"no_shows": missed, "until": visitor.suspended_until.isoformat()},
        )


def mark_no_shows(session: Session, actor: Actor, *, now: datetime) -> int:
    """Every confirmed booking whose slot has ended with no call started becomes a no-show
    (the `visits.no_shows` job)."""
    due = session.scalars(
        select(VisitBooking)
        .where(VisitBooking.status == CONFIRMED, VisitBooking.ends_at <= now)
        .order_by(VisitBooking.ends_at, VisitBooking.id)
    ).all()
    marked = 0
    for booking in due:
        if not _call_started(session, booking.id):
            _mark_no_show(session, actor, booking, now)
            marked += 1
    finish(session)
    return marked


# -- reminders --------------------------------------------------------------------------------
def _phone(session: Session, vault: Vault, visitor: VisitVisitor) -> str | None:
    """The visitor's phone, else the account's (both sealed; opened only to send)."""
    if visitor.phone_enc:
        return vault.decrypt(visitor.phone_enc)
    user = session.get(User, visitor.user_id)
    return vault.decrypt(user.phone_enc) if user is not None and user.phone_enc else None


def send_reminders(session: Session, vault: Vault, sms: SmsSender, *, now: datetime) -> int:
    """One SMS per confirmed booking starting within `reminder_before_h` (the
    `visits.reminders` job): booking number, facility and Beijing time only, no names; the
    audit record holds the masked phone. `reminded_at` makes it once per booking."""
    horizon = now + timedelta(hours=rules().reminder_before_h)
    due = session.scalars(
        select(VisitBooking)
        .where(
            VisitBooking.status == CONFIRMED,
            VisitBooking.reminded_at.is_(None),
            VisitBooking.starts_at > now,
            VisitBooking.starts_at <= horizon,
        )
        .order_by(VisitBooking.starts_at, VisitBooking.id)
    ).all()
    actor = Actor.system("visits-reminders")
    sent = 0
    for booking in due:
        visitor = session.get(VisitVisitor, booking.visitor_id)
        facility = session.get(VisitFacility, booking.facility_id)
        assert visitor is not None and facility is not None
        phone = _phone(session, vault, visitor)
        booking.reminded_at = now
        if phone is None:
            audit.record(session, actor, "visits.reminder_skipped", "visit_booking", booking.id)
            continue
        local = booking.starts_at.astimezone(slots.BEIJING).strftime("%Y-%m-%d %H:%M")
        sms.send(
            phone,
            both(
                "visits.booking.reminder_sms",
                booking_no=booking.booking_no,
                facility=facility.name,
                at=local,
            ),
        )
        audit.record(
            session,
            actor,
            "visits.reminded",
            "visit_booking",
            booking.id,
            {"booking_no": booking.booking_no, "phone": mask_phone(phone)},
        )
        sent += 1
    finish(session)
    return sent
