"""What must be followed up before it lapses: stops and freezes ending within the alert window
(desk.yaml, 6 h) with no second stop, freeze, renewal or release made yet, and ATM transfers
still inside their 24 h revocation window with no revocation sent. The timed job
`fraud.expiry` (jobs.py) raises each expiring hold once as the live event "fraud.alert"."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.fraud import orders as ops
from pingan.fraud.bank_rules import load_rules
from pingan.fraud.desk import desk
from pingan.fraud.models import FraudCase, FraudOrder, FraudTransfer
from pingan.fraud.schemas import AlertPublic

log = logging.getLogger(__name__)
KIND = {"stop": "stop_expiring", "freeze": "freeze_expiring"}


def case_alerts(
    case: FraudCase,
    orders: Sequence[FraudOrder],
    atm: Sequence[FraudTransfer],
    now: datetime,
) -> list[AlertPublic]:
    """One case's alerts, from all its orders and its ATM transfers."""
    if case.status != "open":
        return []
    kids = ops.kids_by_parent(orders)
    out = [
        AlertPublic(
            kind=KIND[o.kind],  # type: ignore[arg-type]
            case_id=case.id,
            case_no=case.case_no,
            order_id=o.id,
            transfer_id=o.transfer_id,
            until=ops.hold_until(o),  # type: ignore[arg-type]
            payee_account=o.payee_account,
            bank=o.bank,
        )
        for o in orders
        if ops.expires_soon(o, kids.get(o.id, []), now)
    ]
    revoking = {o.transfer_id for o in orders if o.kind == "atm_revoke" and o.status != ops.REFUSED}
    out += [
        AlertPublic(
            kind="atm_window",
            case_id=case.id,
            case_no=case.case_no,
            order_id=None,
            transfer_id=t.id,
            until=ops.atm_window_end(t),
            payee_account=t.payee_account,
            bank=t.payee_bank,
        )
        for t in atm
        if t.channel == "atm" and t.id not in revoking and t.tx_time <= now <= ops.atm_window_end(t)
    ]
    return out


def _expiring(now: datetime) -> object:
    soon = now + desk().expiry_alert
    return or_(
        and_(FraudOrder.kind == "stop", FraudOrder.result == "stopped",
             FraudOrder.stop_until.between(now, soon)),
        and_(FraudOrder.kind == "freeze", FraudOrder.result == "frozen",
             FraudOrder.frozen_until.between(now, soon)),
    )  # fmt: skip


def current(session: Session, actor: Actor, now: datetime) -> list[AlertPublic]:
    """Every open case's alerts, the soonest first."""
    require(actor, "fraud.read")
    window = timedelta(hours=load_rules().atm_revoke_hours)
    case_ids = set(
        session.scalars(
            select(FraudOrder.case_id).where(FraudOrder.status == ops.ANSWERED, _expiring(now))
        )
    ) | set(
        session.scalars(
            select(FraudTransfer.case_id).where(
                FraudTransfer.channel == "atm", FraudTransfer.tx_time.between(now - window, now)
            )
        )
    )
    if not case_ids:
        return []
    cases = session.scalars(
        select(FraudCase).where(FraudCase.id.in_(case_ids), FraudCase.status == "open")
    )
    orders = ops.orders_of(session, case_ids)
    atm: dict[int, list[FraudTransfer]] = defaultdict(list)
    for t in session.scalars(
        select(FraudTransfer).where(
            FraudTransfer.case_id.in_(case_ids), FraudTransfer.channel == "atm"
        )
    ):
        atm[t.case_id].append(t)
    out = [a for c in cases for a in case_alerts(c, orders[c.id], atm[c.id], now)]
    return sorted(out, key=lambda a: (a.until, a.case_id))


def raise_expiring(session: Session, now: datetime | None = None) -> int:
    """Mark each newly expiring hold (`expiry_alerted_at`, once) and publish "fraud.alert";
    the caller commits. Returns how many were raised."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            select(FraudOrder)
            .join(FraudCase, FraudCase.id == FraudOrder.case_id)
            .where(
                FraudCase.status == "open",
                FraudOrder.status == ops.ANSWERED,
                FraudOrder.expiry_alerted_at.is_(None),
                _expiring(now),
            )
        )
    )
    raised = 0
    for row in rows:
        if not ops.expires_soon(row, ops.children(session, row), now):
            continue
        row.expiry_alerted_at = now
        until = ops.hold_until(row)
        outbox.publish(
            session, "fraud.alert", "fraud_order", row.id,
            {"order_id": row.id, "case_id": row.case_id, "order_no": row.order_no,
             "kind": KIND[row.kind], "until": until.isoformat() if until else None,
             "bank": row.bank},
        )  # fmt: skip
        raised += 1
    return raised
