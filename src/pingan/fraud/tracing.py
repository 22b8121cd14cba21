"""The money trail of a case: ask the banks of the stopped accounts where the money went next,
store what they report (FraudOnward, once per bank and serial number), and rank the accounts
it reached with the FIFO, time-respecting trail (`pingan.fraud.trail`) — by the amount of the
victim's money that reached each, then the most recent — as proposals for the next stop.

The banks are asked before the request's own session touches the store: a slow bank must not
hold the store's write lock (SQLite) while the background sender waits for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.engine import Database
from pingan.db.insert_ignore import insert_ignore
from pingan.db.tx import finish
from pingan.errors import DomainError, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.fraud import orders as ops
from pingan.fraud import trail
from pingan.fraud.gateway import BankRefused, BankUnavailable
from pingan.fraud.intake import get_case, open_case, transfer_row, transfers_of
from pingan.fraud.messages import OnwardReport
from pingan.fraud.models import FraudOnward, FraudOrder, FraudTransfer
from pingan.fraud.schemas import Proposal, TrailPublic, TransferIn
from pingan.fraud.sending import Sender, StoredSeal
from pingan.fraud.synth import Transfers
from pingan.i18n import msg, text

ASKED = frozenset({"stopped", "already_stopped", "frozen", "stop_limit_reached"})


@dataclass(frozen=True, slots=True)
class Ask:
    bank: str
    account: str
    since: datetime
    sealed: str  # any of the case's orders to that bank (the gateway wants a sealer)


def _asks(session: Session, case_id: int) -> list[Ask]:
    """The accounts under a stop or freeze, each from the first time the victim's money (or a
    traced hop) reached it."""
    rows = ops.orders_of(session, [case_id])[case_id]
    first: dict[tuple[str, str], datetime] = {}
    for t in transfers_of(session, case_id):
        key = (t.payee_bank, t.payee_account)
        first[key] = min(first.get(key, t.tx_time), t.tx_time)
    asks: dict[tuple[str, str], Ask] = {}
    for o in rows:
        key = (o.bank, o.payee_account)
        if o.status == ops.ANSWERED and o.result in ASKED and key in first and key not in asks:
            asks[key] = Ask(o.bank, o.payee_account, first[key], o.sealed)
    return list(asks.values())


def refresh(
    db: Database, session: Session, actor: Actor, sender: Sender, case_id: int, *, now: datetime
) -> TrailPublic:
    """Ask each stopped account's bank for its onward transfers and store the new ones."""
    require(actor, "fraud.stop")
    with db.session(read_only=True) as reading:
        open_case(reading, case_id)
        asks = _asks(reading, case_id)
    reports: list[OnwardReport] = []
    errors: list[str] = []
    for ask in asks:
        try:
            gw = sender.registry.gateway(ask.bank, StoredSeal(ask.sealed), policy=sender.policy)
            try:
                reports.append(gw.onward_transfers(ask.account, ask.since))
            finally:
                getattr(gw, "close", lambda: None)()
        except BankUnavailable as exc:
            errors.append(text(exc.message.code, **exc.message.params))
        except BankRefused as exc:
            errors.append(
                text("fraud.bank_refused", bank=exc.bank, status=exc.status, code=exc.code)
            )
        except DomainError as exc:
            errors.append(exc.detail)
    rows = [
        {"case_id": case_id, "bank": r.bank, "serial_no": t.serial_no, "channel": t.channel,
         "payer_account": t.payer_account, "payee_account": t.payee_account, "payee_name": None,
         "payee_bank": t.payee_bank, "amount_fen": t.amount_fen, "booked_at": t.booked_at,
         "fetched_at": now}
        for r in reports for t in r.transfers
    ]  # fmt: skip
    new = insert_ignore(session, FraudOnward.__table__, rows)  # type: ignore[arg-type]
    audit.record(
        session, actor, "fraud.trail_refresh", "fraud_case", case_id,
        {"asked": len(asks), "reported": len(rows), "new": new, "failed": len(errors)},
    )  # fmt: skip
    finish(session)
    out = proposals(session, actor, case_id)
    return out.model_copy(update={"errors": errors})


def _onward(session: Session, case_id: int) -> list[FraudOnward]:
    return list(
        session.scalars(
            select(FraudOnward).where(FraudOnward.case_id == case_id).order_by(FraudOnward.id)
        )
    )


def _ranked(
    transfers: Sequence[FraudTransfer], onward: Sequence[FraudOnward]
) -> list[tuple[str, int, datetime, int]]:
    """(account, traced fen, last arrival, hops) for every account the victim's payments
    reached beyond the first one, best first."""
    victim = [t for t in transfers if t.hop == 0]
    if not victim:
        return []
    edges = [(t.payer_account, t.payee_account, t.tx_time, t.amount_fen) for t in victim]
    edges += [(o.payer_account, o.payee_account, o.booked_at, o.amount_fen) for o in onward]
    order = sorted(range(len(edges)), key=lambda i: (edges[i][2], i))
    names: dict[str, int] = {}
    for src, dst, _, _ in edges:
        names.setdefault(src, len(names))
        names.setdefault(dst, len(names))
    start = min(e[2] for e in edges)
    row_of = {i: r for r, i in enumerate(order)}
    cols = Transfers(
        src=np.array([names[edges[i][0]] for i in order], dtype=np.int32),
        dst=np.array([names[edges[i][1]] for i in order], dtype=np.int32),
        t=np.array([int((edges[i][2] - start).total_seconds()) for i in order], dtype=np.int64),
        amount=np.array([edges[i][3] for i in order], dtype=np.int64),
        channel=np.zeros(len(edges), dtype=np.int8),
    )
    index = trail.build_index(cols, np.zeros(len(names), dtype=np.int8))
    account = {v: k for k, v in names.items()}
    got: dict[int, list[int]] = {}  # account -> [fen, last_t, hops]
    for i in range(len(victim)):
        for c in trail.trace_transfer(index, row_of[i]).candidates:
            if c.hops == 0:
                continue
            e = got.setdefault(c.account, [0, c.last_t, c.hops])
            e[0] += c.amount
            e[1], e[2] = max(e[1], c.last_t), min(e[2], c.hops)
    ranked = sorted(got.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return [(account[a], e[0], start + timedelta(seconds=e[1]), e[2]) for a, e in ranked]


def proposals(session: Session, actor: Actor, case_id: int) -> TrailPublic:
    require(actor, "fraud.read")
    get_case(session, case_id)
    transfers, onward = transfers_of(session, case_id), _onward(session, case_id)
    total = sum(t.amount_fen for t in transfers if t.hop == 0) or 1
    ordered = {
        o.payee_account
        for o in session.scalars(
            select(FraudOrder).where(FraudOrder.case_id == case_id, FraudOrder.kind == "stop")
        )
    }
    last: dict[str, FraudOnward] = {o.payee_account: o for o in onward}
    fetched = session.scalar(
        select(func.max(FraudOnward.fetched_at)).where(FraudOnward.case_id == case_id)
    )
    out = [
        Proposal(
            account=acc,
            bank=last[acc].payee_bank if acc in last else None,
            name=last[acc].payee_name if acc in last else None,
            amount_fen=fen,
            last_at=at,
            hop=hops,
            score=round(fen / total, 3),
            ordered=acc in ordered,
        )
        for acc, fen, at, hops in _ranked(transfers, onward)
    ]
    return TrailPublic(proposals=out, fetched_at=fetched)


def stop_account(
    session: Session, actor: Actor, case_id: int, account: str, name: str | None, *, now: datetime
) -> FraudOrder:
    """A stop order for a proposed account: the largest reported transfer into it becomes a
    hop of the case (hop + 1 of the account it left, `from_onward_id`), and its four fields
    are the order's. The bank's onward report carries no account name: where the stored row
    has none, the officer gives it (`name`)."""
    require(actor, "fraud.stop")
    case = open_case(session, case_id)
    listed = proposals(session, actor, case_id).proposals
    found = next((p for p in listed if p.account == account), None)
    if found is None:
        raise NotFound(msg("fraud.not_proposed"), code="not_proposed")
    into = [o for o in _onward(session, case_id) if o.payee_account == account]
    best = max(into, key=lambda o: (o.amount_fen, o.booked_at, o.id))
    payee_name = best.payee_name or name
    if not payee_name:
        raise Bad(msg("fraud.name_needed"), code="name_needed")
    checked = TransferIn(
        channel=best.channel, payer_account=best.payer_account, payer_bank=best.bank,  # type: ignore[arg-type]
        payee_account=best.payee_account, payee_name=payee_name,
        payee_bank=best.payee_bank or best.bank, amount_fen=best.amount_fen,
        tx_time=best.booked_at, serial_no=best.serial_no,
    )  # fmt: skip
    hop = session.scalars(
        select(FraudTransfer).where(
            FraudTransfer.case_id == case.id, FraudTransfer.from_onward_id == best.id
        )
    ).first()
    if hop is None:
        hop = transfer_row(case.id, checked, now, hop=found.hop, from_onward_id=best.id)
        session.add(hop)
        session.flush()
    return ops.create_stops(session, actor, case, [hop.id], now=now)[0]
