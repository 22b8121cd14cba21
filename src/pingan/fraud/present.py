"""Stored rows as the API shows them: masked personal data, counts and totals, what each
order allows next. Read-only; one query per kind of row for a whole page of cases."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.fraud import orders as ops
from pingan.fraud.alerts import case_alerts
from pingan.fraud.desk import desk
from pingan.fraud.intake import transfers_of
from pingan.fraud.models import FraudCase, FraudOrder, FraudReturn, FraudTransfer
from pingan.fraud.schemas import (
    CaseBrief,
    CasePublic,
    OrderPublic,
    ReturnPublic,
    TransferPublic,
)
from pingan.i18n.column import column_text


def order_public(
    row: FraudOrder, kids: Sequence[FraudOrder], returned: int, now: datetime
) -> OrderPublic:
    return OrderPublic(
        id=row.id,
        case_id=row.case_id,
        order_no=row.order_no,
        kind=row.kind,
        bank=row.bank,
        payee_account=row.payee_account,
        payee_name=row.payee_name,
        amount_fen=row.amount_fen,
        tx_time=row.tx_time,
        stop_count=row.stop_count,
        transfer_id=row.transfer_id,
        parent_order_id=row.parent_order_id,
        status=row.status,  # type: ignore[arg-type]
        tries=row.tries,
        error=column_text(row.error) if row.error else None,
        result=row.result,
        mismatched=list(row.mismatched or []),
        reason=(row.answer or {}).get("reason"),
        stopped_at=row.stopped_at,
        stop_until=row.stop_until,
        frozen_until=row.frozen_until,
        held_fen=row.held_fen,
        returned_fen=(row.returned_fen or 0) if row.kind == "atm_revoke" else returned,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        answered_at=row.answered_at,
        expires_soon=ops.expires_soon(row, kids, now),
        next=ops.next_actions(row, kids, now),
    )


def one_order(session: Session, row: FraudOrder, now: datetime) -> OrderPublic:
    returned = sum(
        session.scalars(select(FraudReturn.amount_fen).where(FraudReturn.order_id == row.id))
    )
    return order_public(row, ops.children(session, row), returned, now)


def held_fen(orders: Sequence[FraudOrder], now: datetime) -> int:
    """Money held for the case now: per account, the latest running stop or freeze that no
    release lifted (a second stop or a freeze holds the same money again, not more)."""
    kids = ops.kids_by_parent(orders)
    latest: dict[tuple[str, str], FraudOrder] = {}
    for o in orders:
        until = ops.hold_until(o)
        if until is None or until <= now:
            continue
        if any(k.kind == "release" and k.result == "released" for k in kids.get(o.id, [])):
            continue
        key = (o.bank, o.payee_account)
        if key not in latest or (o.answered_at or o.issued_at) >= (
            latest[key].answered_at or latest[key].issued_at
        ):
            latest[key] = o
    return sum(o.held_fen or 0 for o in latest.values())


def _counts(orders: Sequence[FraudOrder]) -> dict[str, int]:
    c: Counter[str] = Counter()
    for o in orders:
        c[o.status] += 1
        if o.status == ops.ANSWERED and o.result:
            c[o.result] += 1
    return dict(c)


def _brief_fields(
    case: FraudCase,
    orders: Sequence[FraudOrder],
    returned: int,
    atm: Sequence[FraudTransfer],
    now: datetime,
) -> dict[str, object]:
    return {
        "id": case.id,
        "case_no": case.case_no,
        "status": case.status,
        "fraud_type": case.fraud_type,
        "source": case.source,
        "victim_name_masked": case.victim_name_masked,
        "victim_phone_masked": case.victim_phone_masked,
        "loss_fen": case.loss_fen,
        "held_fen": held_fen(orders, now),
        "returned_fen": returned,
        "golden_start": case.golden_start,
        "golden_deadline": case.golden_start + desk().golden,
        "reported_at": case.reported_at,
        "first_order_at": case.first_order_at,
        "first_stop_at": case.first_stop_at,
        "closed_at": case.closed_at,
        "order_counts": _counts(orders),
        "alerts": len(case_alerts(case, orders, atm, now)),
    }


def briefs(session: Session, cases: Sequence[FraudCase], now: datetime) -> list[CaseBrief]:
    ids = [c.id for c in cases]
    orders = ops.orders_of(session, ids)
    returned: dict[int, int] = defaultdict(int)
    atm: dict[int, list[FraudTransfer]] = defaultdict(list)
    if ids:
        for case_id, amount in session.execute(
            select(FraudReturn.case_id, FraudReturn.amount_fen).where(FraudReturn.case_id.in_(ids))
        ):
            returned[case_id] += amount
        for t in session.scalars(
            select(FraudTransfer).where(
                FraudTransfer.case_id.in_(ids), FraudTransfer.channel == "atm"
            )
        ):
            atm[t.case_id].append(t)
    return [
        CaseBrief(**_brief_fields(c, orders[c.id], returned[c.id], atm[c.id], now))  # type: ignore[arg-type]
        for c in cases
    ]


def transfer_public(t: FraudTransfer) -> TransferPublic:
    out = TransferPublic.model_validate(t, from_attributes=True)
    if t.channel == "atm":
        out.atm_revocable_until = ops.atm_window_end(t)
    return out


def case_public(session: Session, case: FraudCase, now: datetime) -> CasePublic:
    transfers = transfers_of(session, case.id)
    orders = ops.orders_of(session, [case.id])[case.id]
    returns = list(
        session.scalars(
            select(FraudReturn).where(FraudReturn.case_id == case.id).order_by(FraudReturn.id)
        )
    )
    by_order: dict[int, int] = defaultdict(int)
    for r in returns:
        if r.order_id is not None:
            by_order[r.order_id] += r.amount_fen
    kids = ops.kids_by_parent(orders)
    atm = [t for t in transfers if t.channel == "atm"]
    returned = sum(r.amount_fen for r in returns)
    return CasePublic(
        **_brief_fields(case, orders, returned, atm, now),  # type: ignore[arg-type]
        victim_id_masked=case.victim_id_masked,
        fraud_phone=case.fraud_phone,
        description=case.description,
        area_code=case.area_code,
        incident_id=case.incident_id,
        officer_username=case.officer_username,
        close_reason=case.close_reason,
        transfers=[transfer_public(t) for t in transfers],
        orders=[order_public(o, kids[o.id], by_order[o.id], now) for o in orders],
        returns=[ReturnPublic.model_validate(r, from_attributes=True) for r in returns],
        now=now,
    )
