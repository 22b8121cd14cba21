"""HTTP adapter of the early warnings: known fraud numbers, the contact feed, the warnings
board, the officer's own tasks and the closed loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.fraud.models import FraudWarning
from pingan.fraud.warnings import feed, numbers, service
from pingan.fraud.warnings.schemas import (
    AssignIn,
    CsvIn,
    FeedIn,
    FeedOut,
    NumberIn,
    NumberPage,
    NumberPublic,
    NumbersImportOut,
    OutcomeIn,
    PhoneOut,
    Reason,
    WarningPage,
    WarningPublic,
)
from pingan.http.deps import ClockDep, SessionDep, VaultDep, audited_read, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset
from pingan.i18n import msg

router = APIRouter(prefix="/fraud", tags=["fraud.warn.tag"])
Grade = Annotated[str | None, Query(pattern="^(high|medium|low)$")]
Status = Annotated[str | None, Query(pattern="^(new|assigned|closed)$")]


def _out(session: Session, rows: list[FraudWarning], now) -> list[WarningPublic]:  # type: ignore[no-untyped-def]
    tries = service.attempts(session, [w.id for w in rows])
    return [
        WarningPublic(
            id=w.id,
            warning_no=w.warning_no,
            person_phone_masked=w.person_phone_masked,
            grade=w.grade,
            reasons=[Reason(code=r, text=str(msg(f"fraud.warn.reason.{r}"))) for r in w.reasons],
            numbers=list(w.numbers),
            fraud_type=w.fraud_type,
            case_id=w.case_id,
            status=w.status,
            assigned_to=w.assigned_to,
            assigned_at=w.assigned_at,
            due_at=w.due_at,
            overdue=service.is_overdue(w, now),
            outcome=w.outcome,
            outcome_note=w.outcome_note,
            contacted_at=w.contacted_at,
            attempts=tries.get(w.id, 0),
            closed_at=w.closed_at,
            created_at=w.created_at,
        )
        for w in rows
    ]


# -- known fraud numbers ------------------------------------------------------------------------
@router.get("/numbers", summary="fraud.warn.api.numbers")
def list_numbers(
    session: SessionDep,
    actor: Annotated[Actor, permit("fraud.warn_read")],
    q: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NumberPage:
    rows, total = numbers.list_numbers(session, q=q, limit=limit, offset=offset)
    return NumberPage(items=[NumberPublic.model_validate(r) for r in rows], total=total)


@router.post("/numbers", status_code=201, summary="fraud.warn.api.add_number")
def add_number(
    body: NumberIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_manage")],
) -> NumberPublic:
    row = numbers.add(session, actor, number=body.number, fraud_type=body.fraud_type, now=clock())
    return NumberPublic.model_validate(row)


@router.post("/numbers/import", summary="fraud.warn.api.import_numbers")
def import_numbers(
    body: CsvIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_manage")],
) -> NumbersImportOut:
    got = numbers.import_csv(session, actor, body.csv, now=clock())
    return NumbersImportOut(rows=got.rows, added=got.added, known=got.known)


# -- the contact feed ---------------------------------------------------------------------------
@router.post("/contacts/import", summary="fraud.warn.api.import_contacts")
def import_contacts(
    body: FeedIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_manage")],
) -> FeedOut:
    got = feed.import_feed(session, actor, vault, csv=body.csv, items=body.items, now=clock())
    return FeedOut(
        rows=got.rows,
        stored=got.stored,
        unknown_numbers=got.unknown_numbers,
        duplicates=got.duplicates,
        created=got.created,
        upgraded=got.upgraded,
        updated=got.updated,
    )


# -- warnings and tasks -------------------------------------------------------------------------
@router.get("/warnings", summary="fraud.warn.api.warnings")
def list_warnings(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_read")],
    grade: Grade = None,
    status: Status = None,
    overdue: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WarningPage:
    """Every warning, masked, most urgent first (open, higher grade, earlier due)."""
    now = clock()
    rows, total = service.list_warnings(
        session, grade=grade, status=status, overdue=overdue, now=now, limit=limit, offset=offset
    )
    return WarningPage(items=_out(session, rows, now), total=total, now=now)


@router.get("/warnings/mine", summary="fraud.warn.api.mine")
def my_warnings(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn")],
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WarningPage:
    """The dissuasion tasks given to the caller, open first."""
    now = clock()
    rows, total = service.list_warnings(
        session,
        grade=None,
        status=status,
        overdue=None,
        now=now,
        limit=limit,
        offset=offset,
        officer=actor.username,
    )
    return WarningPage(items=_out(session, rows, now), total=total, now=now)


@router.get("/warnings/{warning_id}", summary="fraud.warn.api.warning")
def get_warning(
    warning_id: Id,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_read")],
) -> WarningPublic:
    return _out(session, [service.get(session, warning_id)], clock())[0]


@router.get("/warnings/{warning_id}/phone", summary="fraud.warn.api.phone")
@audited_read
def warning_phone(
    warning_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("fraud.warn")],
) -> PhoneOut:
    """The person's number in clear, to call them: the officer the task is given to (or a
    dispatcher or commander); every read is audited."""
    w, phone = service.phone(session, actor, vault, warning_id)
    return PhoneOut(warning_no=w.warning_no, phone=phone)


@router.post("/warnings/{warning_id}/assign", summary="fraud.warn.api.assign")
def assign(
    warning_id: Id,
    body: AssignIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn_manage")],
) -> WarningPublic:
    now = clock()
    return _out(session, [service.assign(session, actor, warning_id, body.officer, now=now)], now)[
        0
    ]


@router.post("/warnings/{warning_id}/outcome", summary="fraud.warn.api.outcome")
def outcome(
    warning_id: Id,
    body: OutcomeIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.warn")],
) -> WarningPublic:
    now = clock()
    w = service.record_outcome(
        session,
        actor,
        warning_id,
        outcome=body.outcome,
        note=body.note,
        contacted_at=body.contacted_at,
        now=now,
    )
    return _out(session, [w], now)[0]
