"""Money handed back to the victim (返还): recorded in integer fen against the case, and where
it came from a held account or an ATM revocation, against that order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound
from pingan.fraud.intake import get_case
from pingan.fraud.models import FraudOrder, FraudReturn
from pingan.i18n import msg

SYSTEM = "system"


def _returned(session: Session, **where: int) -> int:
    q = select(func.coalesce(func.sum(FraudReturn.amount_fen), 0))
    for column, value in where.items():
        q = q.where(getattr(FraudReturn, column) == value)
    return int(session.scalar(q) or 0)


def record_return(
    session: Session,
    actor: Actor,
    case_id: int,
    amount_fen: int,
    returned_at: datetime,
    reference: str | None,
    order_id: int | None,
    *,
    now: datetime,
) -> FraudReturn:
    """One return. The case's returns never exceed its loss; returns against an order never
    exceed what that order held (a stop or freeze) or what the bank gave back (an ATM
    revocation) — more than that cannot have come from it."""
    require(actor, "fraud.stop")
    case = get_case(session, case_id)
    if returned_at > now:
        raise Conflict(msg("fraud.return_in_future"), code="return_in_future")
    left = case.loss_fen - _returned(session, case_id=case.id)
    if amount_fen > left:
        raise Conflict(msg("fraud.return_over_loss", left=left), code="return_over_loss")
    if order_id is not None:
        order = session.get(FraudOrder, order_id)
        if order is None or order.case_id != case.id:
            raise NotFound(msg("fraud.no_such_order"), code="no_such_order")
        cap = max(order.held_fen or 0, order.returned_fen or 0)
        room = cap - _returned(session, order_id=order.id)
        if amount_fen > room:
            raise Conflict(
                msg("fraud.return_over_held", order_no=order.order_no, left=max(room, 0)),
                code="return_over_held",
            )
    row = FraudReturn(
        case_id=case.id,
        order_id=order_id,
        amount_fen=amount_fen,
        returned_at=returned_at,
        reference=reference,
        recorded_by=actor.username,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "fraud.return", "fraud_case", case.id,
        {"case_no": case.case_no, "amount_fen": amount_fen, "order_id": order_id,
         "reference": reference},
    )  # fmt: skip
    finish(session)
    return row


def record_revoked(session: Session, order: FraudOrder) -> None:
    """An ATM transfer revoked: the bank gave the whole amount back to the victim's account."""
    amount = order.returned_fen or 0
    if amount <= 0 or _returned(session, order_id=order.id):
        return
    session.add(
        FraudReturn(
            case_id=order.case_id,
            order_id=order.id,
            amount_fen=amount,
            returned_at=order.answered_at,
            reference=order.order_no,
            recorded_by=SYSTEM,
            recorded_at=order.answered_at,
        )
    )
