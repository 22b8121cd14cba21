"""Stop, second-stop, freeze, renewal, release and ATM-revocation orders: built, sealed and
stored here (status "sending"); `sending` puts them on the wire, in the background.

One stop order per receiving account (payee bank + account). When the victim paid the same
account more than once, the order carries the four fields of the LARGEST of those transfers
(the latest on a tie): a bank checks one transaction, and holds min(balance, amount) of it,
so the largest transfer is the one whose order can hold the most of what is left. The other
transfers to that account stay on the case (and in the money trail).

Every order is sealed once, when it is made, with the platform's SM2 key; that JCS text is
stored and is exactly what every try and every resend sends, so a bank that keys its answers
by order number applies it once. Which action an order allows next is computed from the
order, the orders made from it and the time (`next_actions`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.case_numbers import next_case_number
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound
from pingan.fraud.bank_rules import load_rules
from pingan.fraud.desk import desk
from pingan.fraud.intake import get_case, open_case, transfers_of
from pingan.fraud.messages import (
    AnyOrder,
    AtmRevocation,
    BankResult,
    FreezeOrder,
    Order,
    ReleaseOrder,
    StopOrder,
    seal,
)
from pingan.fraud.models import FraudCase, FraudOrder, FraudTransfer
from pingan.i18n import msg
from pingan.trust import signing

SENDING, ANSWERED, UNAVAILABLE, REFUSED = "sending", "answered", "unavailable", "refused"
HOLDING = frozenset({"stopped", "frozen"})  # results under which the account's money is held
# a stop order that still stands for its account (a fresh one would only be refused)
STANDING = frozenset({"stopped", "already_stopped", "frozen", "stop_limit_reached"})
UNKNOWN_SERIAL = "unknown"  # the bank then finds the transfer by its four fields
_ANY_ORDER: TypeAdapter[Any] = TypeAdapter(AnyOrder)


def get_order(session: Session, order_id: int) -> FraudOrder:
    row = session.get(FraudOrder, order_id)
    if row is None:
        raise NotFound(msg("fraud.no_such_order"), code="no_such_order")
    return row


def orders_of(session: Session, case_ids: Iterable[int]) -> dict[int, list[FraudOrder]]:
    out: dict[int, list[FraudOrder]] = defaultdict(list)
    ids = list(case_ids)
    if ids:
        q = select(FraudOrder).where(FraudOrder.case_id.in_(ids)).order_by(FraudOrder.id)
        for row in session.scalars(q):
            out[row.case_id].append(row)
    return out


def kids_by_parent(orders: Iterable[FraudOrder]) -> dict[int, list[FraudOrder]]:
    """Orders made from each order (second stop, freeze, renewal, release), by its id."""
    out: dict[int, list[FraudOrder]] = defaultdict(list)
    for o in orders:
        if o.parent_order_id is not None:
            out[o.parent_order_id].append(o)
    return out


def stored_order(row: FraudOrder) -> StopOrder | FreezeOrder | ReleaseOrder | AtmRevocation:
    """The order as sealed and sent (read back from its stored JCS text)."""
    return _ANY_ORDER.validate_python(json.loads(row.sealed)["order"])


def _head(
    session: Session, actor: Actor, case: FraudCase, kind: str, bank: str, now: datetime
) -> dict[str, Any]:
    return {
        "order_no": next_case_number(session, desk().order_prefixes[kind], now),
        "case_no": case.case_no,
        "bank": bank,
        "requesting_unit": desk().requesting_unit,
        "officer": actor.username,
        "issued_at": now,
    }


def _store(
    session: Session,
    actor: Actor,
    case: FraudCase,
    order: Order,
    *,
    now: datetime,
    payee_name: str,
    amount_fen: int,
    tx_time: datetime | None = None,
    stop_count: int | None = None,
    transfer_id: int | None = None,
    parent: FraudOrder | None = None,
) -> FraudOrder:
    raw = seal(order, signing.signer(session, "sm2"))
    row = FraudOrder(
        order_no=order.order_no,
        case_id=case.id,
        transfer_id=transfer_id if transfer_id is not None else parent and parent.transfer_id,
        kind=order.kind,  # type: ignore[attr-defined]
        bank=order.bank,
        payee_account=getattr(order, "payee_account", None) or order.check.payee_account,  # type: ignore[attr-defined]
        payee_name=payee_name,
        amount_fen=amount_fen,
        tx_time=tx_time,
        stop_count=stop_count,
        parent_order_id=parent.id if parent else None,
        sealed=raw.decode("utf-8"),
        status=SENDING,
        tries=0,
        mismatched=[],
        issued_by=actor.username,
        issued_at=now,
    )
    session.add(row)
    case.first_order_at = case.first_order_at or now
    session.flush()
    audit.record(
        session, actor, f"fraud.order_{row.kind}", "fraud_order", row.id,
        {"order_no": row.order_no, "case_no": case.case_no, "bank": row.bank,
         "account": row.payee_account, "amount_fen": row.amount_fen,
         "parent": parent.order_no if parent else None},
    )  # fmt: skip
    return row


# --- stop orders -------------------------------------------------------------------------


def _carried(transfers: Sequence[FraudTransfer]) -> FraudTransfer:
    """Of several transfers to one account, the one the order carries: the largest, then the
    latest (see the module's docstring)."""
    return max(transfers, key=lambda t: (t.amount_fen, t.tx_time, t.id))


def _check(t: FraudTransfer) -> dict[str, Any]:
    """The four fields a bank checks (86号文), as the victim reported them."""
    return {
        "payee_name": t.payee_name,
        "payee_account": t.payee_account,
        "amount_fen": t.amount_fen,
        "tx_time": t.tx_time,
    }


def _stop(
    session: Session, actor: Actor, case: FraudCase, t: FraudTransfer, now: datetime, **kw: Any
) -> FraudOrder:
    count = kw.pop("stop_count", 1)
    order = StopOrder(
        **_head(session, actor, case, "stop", t.payee_bank, now),
        check=_check(t),
        tx_serial_no=t.serial_no or UNKNOWN_SERIAL,
        channel=t.channel,
        stop_count=count,
    )
    return _store(
        session, actor, case, order, now=now, payee_name=t.payee_name, amount_fen=t.amount_fen,
        tx_time=t.tx_time, stop_count=count, transfer_id=t.id, **kw,
    )  # fmt: skip


def _standing(row: FraudOrder) -> bool:
    """A stop order that still stands: being sent, waiting for a resend, or answered with a
    hold (a new order for that account would be a duplicate)."""
    if row.kind != "stop":
        return False
    return row.status in (SENDING, UNAVAILABLE) or (
        row.status == ANSWERED and row.result in STANDING
    )


def create_stops(
    session: Session,
    actor: Actor,
    case: FraudCase,
    transfer_ids: Sequence[int] | None = None,
    *,
    now: datetime,
) -> list[FraudOrder]:
    """One stop order per receiving account of the chosen transfers (all when None) that has
    no standing stop order in this case; 409 when every account has one already."""
    require(actor, "fraud.stop")
    transfers = transfers_of(session, case.id)
    if transfer_ids is not None:
        wanted = set(transfer_ids)
        unknown = wanted - {t.id for t in transfers}
        if unknown:
            raise NotFound(msg("fraud.no_such_transfer"), code="no_such_transfer")
        transfers = [t for t in transfers if t.id in wanted]
    standing = {
        (o.bank, o.payee_account) for o in orders_of(session, [case.id])[case.id] if _standing(o)
    }
    groups: dict[tuple[str, str], list[FraudTransfer]] = defaultdict(list)
    for t in transfers:
        groups[(t.payee_bank, t.payee_account)].append(t)
    made = [
        _stop(session, actor, case, _carried(group), now)
        for key, group in groups.items()
        if key not in standing
    ]
    if not made:
        raise Conflict(msg("fraud.already_ordered"), code="already_ordered")
    finish(session)
    return made


def stops_for_case(
    session: Session, actor: Actor, case_id: int, transfer_ids: Sequence[int] | None, now: datetime
) -> list[FraudOrder]:
    return create_stops(session, actor, open_case(session, case_id), transfer_ids, now=now)


# --- orders made from an answered order --------------------------------------------------


def children(session: Session, row: FraudOrder) -> list[FraudOrder]:
    return list(session.scalars(select(FraudOrder).where(FraudOrder.parent_order_id == row.id)))


def _live(rows: Iterable[FraudOrder], kind: str) -> list[FraudOrder]:
    """Orders of `kind` not refused by the bank (sent, being sent or to be resent)."""
    return [r for r in rows if r.kind == kind and r.status != REFUSED]


def _refuse(code: str, **params: Any) -> Conflict:
    return Conflict(msg(f"fraud.cannot.{code}", **params), code=code)


def _parent(session: Session, actor: Actor, order_id: int) -> tuple[FraudOrder, FraudCase]:
    require(actor, "fraud.stop")
    row = get_order(session, order_id)
    return row, open_case(session, row.case_id)


def second_stop(session: Session, actor: Actor, order_id: int, *, now: datetime) -> FraudOrder:
    """The second (and last) stop of an account, once the first one stopped it: it carries the
    same four fields, and the bank makes it start where the first one ends."""
    row, case = _parent(session, actor, order_id)
    if not (row.kind == "stop" and row.stop_count == 1 and row.result == "stopped"):
        raise _refuse("second_stop")
    if _live(children(session, row), "stop"):
        raise _refuse("second_stop_sent")
    first = stored_order(row)
    assert isinstance(first, StopOrder)
    order = first.model_copy(
        update={**_head(session, actor, case, "stop", row.bank, now), "stop_count": 2}
    )
    order = StopOrder.model_validate(order.model_dump())
    made = _store(
        session, actor, case, order, now=now, payee_name=row.payee_name,
        amount_fen=row.amount_fen, tx_time=row.tx_time, stop_count=2, parent=row,
    )  # fmt: skip
    finish(session)
    return made


def _freeze(
    session: Session, actor: Actor, case: FraudCase, row: FraudOrder, now: datetime, **kw: Any
) -> FraudOrder:
    order = FreezeOrder(
        **_head(session, actor, case, "freeze", row.bank, now),
        payee_name=row.payee_name,
        payee_account=row.payee_account,
        amount_fen=row.amount_fen,
        **kw,
    )
    made = _store(
        session, actor, case, order, now=now, payee_name=row.payee_name,
        amount_fen=row.amount_fen, parent=row,
    )  # fmt: skip
    finish(session)
    return made


def freeze(session: Session, actor: Actor, order_id: int, *, now: datetime) -> FraudOrder:
    """Freeze an account a stop holds (or that has had its two stops)."""
    row, case = _parent(session, actor, order_id)
    if not (row.kind == "stop" and row.result in ("stopped", "stop_limit_reached")):
        raise _refuse("freeze")
    if _live(children(session, row), "freeze"):
        raise _refuse("freeze_sent")
    return _freeze(session, actor, case, row, now)


def renew(session: Session, actor: Actor, order_id: int, *, now: datetime) -> FraudOrder:
    """Renew a running freeze (续冻): six more months from its end."""
    row, case = _parent(session, actor, order_id)
    if not (row.kind == "freeze" and row.result == "frozen"):
        raise _refuse("renew")
    if _live(children(session, row), "freeze"):
        raise _refuse("renew_sent")
    return _freeze(session, actor, case, row, now, renewal_of=row.order_no)


def release(
    session: Session, actor: Actor, order_id: int, reason: str, *, now: datetime
) -> FraudOrder:
    """Lift the stop or freeze an order made, with the reason (e.g. the account is not a
    fraudster's)."""
    require(actor, "fraud.stop")
    row = get_order(session, order_id)
    case = get_case(session, row.case_id)  # a closed case's holds may still be released
    if not (row.kind in ("stop", "freeze") and row.result in HOLDING):
        raise _refuse("release")
    if _live(children(session, row), "release"):
        raise _refuse("release_sent")
    order = ReleaseOrder(
        **_head(session, actor, case, "release", row.bank, now),
        payee_account=row.payee_account,
        release_of=row.order_no,
        reason=reason,
    )
    made = _store(
        session, actor, case, order, now=now, payee_name=row.payee_name,
        amount_fen=row.held_fen or row.amount_fen, parent=row,
    )  # fmt: skip
    finish(session)
    return made


def atm_revoke(session: Session, actor: Actor, transfer_id: int, *, now: datetime) -> FraudOrder:
    """Revoke an ATM transfer within 24 h of it (银发〔2016〕261号); 409 with the reason
    otherwise — the bank checks again on its own clock."""
    require(actor, "fraud.stop")
    t = session.get(FraudTransfer, transfer_id)
    if t is None:
        raise NotFound(msg("fraud.no_such_transfer"), code="no_such_transfer")
    case = open_case(session, t.case_id)
    if t.channel != "atm":
        raise _refuse("not_atm")
    until = atm_window_end(t)
    if now > until:
        raise _refuse("atm_too_late", until=until.isoformat())
    done = session.scalars(
        select(FraudOrder).where(
            FraudOrder.transfer_id == t.id,
            FraudOrder.kind == "atm_revoke",
            FraudOrder.status != REFUSED,
        )
    ).first()
    if done is not None and done.result not in ("not_revoked", "unknown_account"):
        raise _refuse("atm_revoke_sent")
    order = AtmRevocation(
        **_head(session, actor, case, "atm_revoke", t.payee_bank, now),
        check=_check(t),
        tx_serial_no=t.serial_no or UNKNOWN_SERIAL,
    )
    made = _store(
        session, actor, case, order, now=now, payee_name=t.payee_name, amount_fen=t.amount_fen,
        tx_time=t.tx_time, transfer_id=t.id,
    )  # fmt: skip
    finish(session)
    return made


def atm_window_end(t: FraudTransfer) -> datetime:
    return t.tx_time + timedelta(hours=load_rules().atm_revoke_hours)


def resend(session: Session, actor: Actor, order_id: int, *, now: datetime) -> FraudOrder:
    """Send an order again — the same sealed bytes, so a bank that did get it answers as
    before: after the bank was unavailable or refused it, or when a send was lost (still
    "sending" long after it was issued, e.g. across a restart)."""
    require(actor, "fraud.stop")
    row = get_order(session, order_id)
    if "resend" not in next_actions(row, [], now):
        raise _refuse("resend")
    row.status, row.error = SENDING, None
    audit.record(
        session, actor, "fraud.order_resent", "fraud_order", row.id,
        {"order_no": row.order_no, "tries": row.tries},
    )  # fmt: skip
    finish(session)
    return row


# --- the bank's answer -------------------------------------------------------------------


def answered(session: Session, row: FraudOrder, result: BankResult) -> None:
    row.status, row.error = ANSWERED, None
    row.result, row.mismatched = result.result, list(result.mismatched)
    row.answer = result.model_dump(mode="json")
    row.stopped_at, row.stop_until = result.stopped_at, result.stop_until
    row.frozen_until, row.answered_at = result.frozen_until, result.answered_at
    row.held_fen, row.returned_fen = result.balance_held_fen, result.returned_fen
    if result.result == "stopped":
        case = session.get(FraudCase, row.case_id)
        if case is not None and case.first_stop_at is None:
            case.first_stop_at = result.stopped_at or result.answered_at


# --- what an order allows next -----------------------------------------------------------


def next_actions(row: FraudOrder, kids: Sequence[FraudOrder], now: datetime) -> list[str]:
    if row.status in (UNAVAILABLE, REFUSED):
        return ["resend"]
    if row.status == SENDING:
        return ["resend"] if now - row.issued_at > desk().stale_sending else []
    out: list[str] = []
    released = bool(_live(kids, "release"))
    if row.kind == "stop":
        running = row.result == "stopped" and (row.stop_until is None or row.stop_until > now)
        if row.result == "stopped" and row.stop_count == 1 and not _live(kids, "stop"):
            out.append("second_stop")
        if row.result in ("stopped", "stop_limit_reached") and not _live(kids, "freeze"):
            out.append("freeze")
        if running and not released:
            out.append("release")
    elif row.kind == "freeze" and row.result == "frozen":
        running = row.frozen_until is None or row.frozen_until > now
        if running and not released and not _live(kids, "freeze"):
            out.append("renew_freeze")
        if running and not released:
            out.append("release")
    return out


def expires_soon(row: FraudOrder, kids: Sequence[FraudOrder], now: datetime) -> bool:
    """A hold ending within the alert window that no later order (second stop, freeze,
    renewal, release) follows up yet."""
    until = hold_until(row)
    if until is None or not now <= until <= now + desk().expiry_alert:
        return False
    follow = {"stop": ("stop", "freeze", "release"), "freeze": ("freeze", "release")}
    return not any(_live(kids, k) for k in follow.get(row.kind, ()))


def hold_until(row: FraudOrder) -> datetime | None:
    if row.status != ANSWERED:
        return None
    if row.kind == "stop" and row.result == "stopped":
        return row.stop_until
    if row.kind == "freeze" and row.result == "frozen":
        return row.frozen_until
    return None
