"""HTTP adapter of the anti-fraud desk under /fraud: cases, stop orders and what follows them,
returns, the money trail and alerts (docs/fraud.md, "Cases and stop orders")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from pingan.auth.actor import Actor
from pingan.fraud import alerts, casenet, intake, present, returns, sending, tracing
from pingan.fraud import orders as ops
from pingan.fraud.models import FraudOrder
from pingan.fraud.schemas import (
    AlertList,
    CaseIn,
    CaseList,
    CasePublic,
    MyCases,
    NetworkList,
    OrderPublic,
    ReasonIn,
    ReturnIn,
    ReturnPublic,
    StopsIn,
    TrailPublic,
    TrailStopIn,
)
from pingan.http.deps import ClockDep, SessionDep, VaultDep, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset

router = APIRouter(prefix="/fraud", tags=["fraud.desk.tag"])
Reporter = Annotated[Actor, permit("fraud.report")]
Reader = Annotated[Actor, permit("fraud.read")]
Stopper = Annotated[Actor, permit("fraud.stop")]


def _send(request: Request, rows: Sequence[FraudOrder]) -> None:
    """After the commit: the orders go out in the background (sending.py)."""
    if rows:
        sending.sender(request.app).submit([r.id for r in rows])


@router.post("/cases", status_code=201, summary="fraud.api.file_case")
def file_case(
    body: CaseIn,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Reporter,
) -> CasePublic:
    """An officer files for a victim (its stop orders go out at once unless `send` is false);
    a citizen files their own report, which an officer then sends the orders for."""
    now = clock()
    case, send = intake.file_case(session, actor, vault, body, now=now)
    if send:
        _send(request, ops.create_stops(session, actor, case, now=now))
    return present.case_public(session, case, now)


@router.get("/cases", summary="fraud.api.cases")
def cases(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CaseList:
    rows, total = intake.list_cases(session, actor, status, limit, offset)
    return CaseList(items=present.briefs(session, rows, clock()), total=total)


@router.get("/cases/mine", summary="fraud.api.my_cases")
def my_cases(session: SessionDep, clock: ClockDep, actor: Reporter) -> MyCases:
    return MyCases(items=present.briefs(session, intake.my_cases(session, actor), clock()))


@router.get("/cases/mine/{case_id}", summary="fraud.api.my_case")
def my_case(case_id: Id, session: SessionDep, clock: ClockDep, actor: Reporter) -> CasePublic:
    return present.case_public(session, intake.own_case(session, actor, case_id), clock())


@router.get("/cases/{case_id}", summary="fraud.api.case")
def case(case_id: Id, session: SessionDep, clock: ClockDep, actor: Reader) -> CasePublic:
    return present.case_public(session, intake.get_case(session, case_id), clock())


@router.post("/cases/{case_id}/stops", status_code=201, summary="fraud.api.stops")
def stops(
    case_id: Id,
    body: StopsIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Stopper,
) -> list[OrderPublic]:
    now = clock()
    rows = ops.stops_for_case(session, actor, case_id, body.transfer_ids, now)
    _send(request, rows)
    return [present.one_order(session, r, now) for r in rows]


@router.post("/cases/{case_id}/close", summary="fraud.api.close")
def close(
    case_id: Id, body: ReasonIn, session: SessionDep, clock: ClockDep, actor: Stopper
) -> CasePublic:
    now = clock()
    return present.case_public(
        session, intake.close_case(session, actor, case_id, body.reason, now=now), now
    )


@router.post("/cases/{case_id}/returns", status_code=201, summary="fraud.api.returns")
def record_return(
    case_id: Id, body: ReturnIn, session: SessionDep, clock: ClockDep, actor: Stopper
) -> ReturnPublic:
    row = returns.record_return(
        session, actor, case_id, body.amount_fen, body.returned_at, body.reference,
        body.order_id, now=clock(),
    )  # fmt: skip
    return ReturnPublic.model_validate(row, from_attributes=True)


def _order_out(
    request: Request, session: SessionDep, row: FraudOrder, now: datetime
) -> OrderPublic:
    _send(request, [row])
    return present.one_order(session, row, now)


@router.post("/orders/{order_id}/resend", summary="fraud.api.resend")
def resend(
    order_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> OrderPublic:
    now = clock()
    return _order_out(request, session, ops.resend(session, actor, order_id, now=now), now)


@router.post("/orders/{order_id}/second-stop", status_code=201, summary="fraud.api.second_stop")
def second_stop(
    order_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> OrderPublic:
    now = clock()
    return _order_out(request, session, ops.second_stop(session, actor, order_id, now=now), now)


@router.post("/orders/{order_id}/freeze", status_code=201, summary="fraud.api.freeze")
def freeze(
    order_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> OrderPublic:
    now = clock()
    return _order_out(request, session, ops.freeze(session, actor, order_id, now=now), now)


@router.post("/orders/{order_id}/renew", status_code=201, summary="fraud.api.renew")
def renew(
    order_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> OrderPublic:
    now = clock()
    return _order_out(request, session, ops.renew(session, actor, order_id, now=now), now)


@router.post("/orders/{order_id}/release", status_code=201, summary="fraud.api.release")
def release(
    order_id: Id,
    body: ReasonIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Stopper,
) -> OrderPublic:
    now = clock()
    row = ops.release(session, actor, order_id, body.reason, now=now)
    return _order_out(request, session, row, now)


@router.post("/transfers/{transfer_id}/atm-revoke", status_code=201, summary="fraud.api.atm_revoke")
def atm_revoke(
    transfer_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> OrderPublic:
    now = clock()
    return _order_out(request, session, ops.atm_revoke(session, actor, transfer_id, now=now), now)


@router.get("/cases/{case_id}/trail", summary="fraud.api.trail")
def trail(case_id: Id, session: SessionDep, actor: Reader) -> TrailPublic:
    return tracing.proposals(session, actor, case_id)


@router.post("/cases/{case_id}/trail/refresh", summary="fraud.api.trail_refresh")
def trail_refresh(
    case_id: Id, request: Request, session: SessionDep, clock: ClockDep, actor: Stopper
) -> TrailPublic:
    db, found = request.app.state.db, sending.sender(request.app)
    return tracing.refresh(db, session, actor, found, case_id, now=clock())


@router.post("/cases/{case_id}/trail/stop", status_code=201, summary="fraud.api.trail_stop")
def trail_stop(
    case_id: Id,
    body: TrailStopIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Stopper,
) -> OrderPublic:
    now = clock()
    row = tracing.stop_account(session, actor, case_id, body.account, body.name, now=now)
    return _order_out(request, session, row, now)


@router.get("/alerts", summary="fraud.api.alerts")
def alert_list(session: SessionDep, clock: ClockDep, actor: Reader) -> AlertList:
    return AlertList(items=alerts.current(session, actor, clock()))


@router.get("/networks", summary="fraud.api.networks")
def networks(
    session: SessionDep,
    actor: Reader,
    min_cases: Annotated[int, Query(ge=1, le=1000)] = 2,
) -> NetworkList:
    """Mule-account networks across the stored cases (casenet.py)."""
    return casenet.networks(session, min_cases)
