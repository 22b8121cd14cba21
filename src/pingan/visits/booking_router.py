"""HTTP adapter for booking: free slots, book, the visitor's and the desk's lists, one
booking, decide, cancel, no-show, and the iCalendar exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from pingan.auth.actor import Actor
from pingan.http.deps import ClockDep, SessionDep, VaultDep, permit
from pingan.http.files import attachment
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset, Page
from pingan.i18n import text
from pingan.visits import booking as service
from pingan.visits import calendar
from pingan.visits.booking_schemas import (
    BookingIn,
    BookingPublic,
    CancelIn,
    DecideIn,
    DetaineeRef,
    FacilityRef,
    PartyPublic,
    SlotPublic,
    TerminalRef,
    VisitorRef,
)
from pingan.visits.models import (
    VisitBooking,
    VisitDetainee,
    VisitFacility,
    VisitTerminal,
    VisitVisitor,
)

router = APIRouter(prefix="/visits", tags=["visits.booking.tag"])
ICS = "text/calendar; charset=utf-8"


def _out(session: SessionDep, actor: Actor, row: VisitBooking, now: datetime) -> BookingPublic:
    facility = session.get(VisitFacility, row.facility_id)
    terminal = session.get(VisitTerminal, row.terminal_id)
    detainee = session.get(VisitDetainee, row.detainee_id)
    visitor = session.get(VisitVisitor, row.visitor_id)
    assert facility and terminal and detainee and visitor
    return BookingPublic(
        id=row.id,
        booking_no=row.booking_no,
        facility=FacilityRef(
            id=facility.id, code=facility.code, name=facility.name, kind=facility.kind
        ),
        terminal=TerminalRef(id=terminal.id, code=terminal.code, name=terminal.name),
        detainee=DetaineeRef(
            id=detainee.id, detainee_no=detainee.detainee_no, name_masked=detainee.name_masked
        ),
        visitor=VisitorRef(id=visitor.id, role=visitor.role, name_masked=visitor.name_masked),
        kind=row.kind,
        status=row.status,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        party=[PartyPublic(**{k: p[k] for k in PartyPublic.model_fields}) for p in row.party],
        recorded=row.recorded,
        monitored=row.monitored,
        approval_id=row.approval_id,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        can_cancel=service.can_cancel(session, actor, row, now),
    )


def _entry(session: SessionDep, row: VisitBooking) -> calendar.Entry:
    facility = session.get(VisitFacility, row.facility_id)
    terminal = session.get(VisitTerminal, row.terminal_id)
    assert facility and terminal
    return calendar.Entry(
        booking_no=row.booking_no,
        status=row.status,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        created_at=row.created_at,
        summary=text("visits.booking.ics_summary", booking_no=row.booking_no),
        location=" ".join(x for x in (facility.name, facility.address) if x),
        description=text(
            f"visits.booking.ics_description.{row.kind}",
            terminal=terminal.name,
            status=text(f"visits.booking.status.{row.status}"),
        ),
    )


def _ics(session: SessionDep, rows: list[VisitBooking], now: datetime, name: str) -> Response:
    body = calendar.calendar([_entry(session, r) for r in rows], stamp=now, name=name)
    return attachment(body, ICS, f"{name}.ics")


@router.get("/slots", summary="visits.booking.api.slots")
def slots(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.book")],
    facility_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    kind: Annotated[str, Query(max_length=20)],
    day: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
) -> list[SlotPublic]:
    found = service.free_slots(session, actor, facility_id, kind, day, now=clock())
    return [
        SlotPublic(
            starts_at=s.starts_at, ends_at=s.ends_at, free=s.free, terminals=list(s.terminals)
        )
        for s in found
    ]


@router.post("/bookings", status_code=201, summary="visits.booking.api.book")
def book(
    body: BookingIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.book")],
) -> BookingPublic:
    spec = service.BookingSpec(
        relation_id=body.relation_id,
        starts_at=body.starts_at,
        minutes=body.minutes,
        party=tuple(service.PartyMember(**p.model_dump()) for p in body.party),
        recorded=body.recorded,
        monitored=body.monitored,
    )
    now = clock()
    return _out(session, actor, service.book(session, actor, vault, spec, now=now), now)


@router.get("/bookings/mine", summary="visits.booking.api.mine")
def mine(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.book")],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BookingPublic]:
    rows = service.mine(session, actor)
    now = clock()
    items = [_out(session, actor, r, now) for r in rows[offset : offset + limit]]
    return Page[BookingPublic](items=items, total=len(rows), limit=limit, offset=offset)


@router.get(
    "/bookings/mine/calendar.ics",
    summary="visits.booking.api.mine_ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def mine_ics(
    session: SessionDep, clock: ClockDep, actor: Annotated[Actor, permit("visits.book")]
) -> Response:
    return _ics(session, service.mine(session, actor), clock(), "visits")


@router.get("/bookings", summary="visits.booking.api.desk_list")
def desk_list(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.read")],
    facility_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    day: Annotated[date | None, Query(alias="date", description="YYYY-MM-DD")] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BookingPublic]:
    rows, total = service.desk_list(
        session,
        actor,
        facility_id=facility_id,
        day=day,
        status=status,
        limit=limit,
        offset=offset,
    )
    now = clock()
    items = [_out(session, actor, r, now) for r in rows]
    return Page[BookingPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/bookings/{booking_id}", summary="visits.booking.api.one")
def one(
    booking_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.booking")],
) -> BookingPublic:
    return _out(session, actor, service.read_booking(session, actor, booking_id), clock())


@router.get(
    "/bookings/{booking_id}/calendar.ics",
    summary="visits.booking.api.one_ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def one_ics(
    booking_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.booking")],
) -> Response:
    row = service.read_booking(session, actor, booking_id)
    return _ics(session, [row], clock(), row.booking_no)


@router.post("/bookings/{booking_id}/cancel", summary="visits.booking.api.cancel")
def cancel(
    booking_id: Id,
    body: CancelIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.booking")],
) -> BookingPublic:
    now = clock()
    row = service.cancel(session, actor, booking_id, body.reason, now=now)
    return _out(session, actor, row, now)


@router.post("/bookings/{booking_id}/decide", summary="visits.booking.api.decide")
def decide(
    booking_id: Id,
    body: DecideIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> BookingPublic:
    now = clock()
    row = service.decide(session, actor, booking_id, body.decision, body.reason, now=now)
    return _out(session, actor, row, now)


@router.post("/bookings/{booking_id}/no-show", summary="visits.booking.api.no_show")
def no_show(
    booking_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> BookingPublic:
    now = clock()
    return _out(session, actor, service.no_show(session, actor, booking_id, now=now), now)
