"""The simulated day's fraud reports: the victim's call becomes a case, its stop orders go to
the banks, and the banks answer by their rule.

When a call of type "fraud" comes in (day.file_call), the world draws the case behind it
(sim/fraud_world.py: what the victim paid, to whom, and the banks' books, written into the
in-process banks) and the victim's report is filed through the anti-fraud intake at the
call's time. The desk officer checks it and sends the stop orders a few minutes later
(`DESK_DELAY_S`): through the same order service and sender as an officer's, to the in-process
banks (pingan.fraud.localbank — the bank simulator, never a real bank), with the bank's clock
at the simulated time. The banks answer stopped, or not stopped naming the field the victim
got wrong; what they answer is read back from the store for the day's report (`fraud_figures`).

The case's draws come from a stream of their own (seeded from the day's seed), so a seed
gives the same cases, and adding fraud cases changes nothing else the day does.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.errors import DomainError
from pingan.fraud import intake
from pingan.fraud import orders as fraud_orders
from pingan.fraud.localbank import LocalBanks, bank_time
from pingan.fraud.models import FraudCase, FraudOrder
from pingan.fraud.schemas import CaseIn
from pingan.fraud.sending import Sender
from pingan.sim.fraud_world import draw_channels, draw_slip, make_case

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation

log = logging.getLogger(__name__)
DESK = Actor.system("sim-fraud-desk")  # the anti-fraud desk officer who takes the report
DESK_DELAY_S = (60.0, 300.0)  # from the call to the stop orders sent: the report checked
CHANNELS_DRAWN = (1, 1, 1, 2, 2, 3)  # payments per case


@dataclass(order=True)
class _Due:
    due: datetime
    seq: int
    case_id: int = field(compare=False)


@dataclass
class FraudDesk:
    """The in-process banks the day's cases are paid into, and the stop orders waiting to be
    sent (case id, when)."""

    banks: LocalBanks
    seed: int
    rng: random.Random = field(init=False)
    waiting: list[_Due] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:fraud")

    def later(self, due: datetime, case_id: int) -> None:
        heapq.heappush(self.waiting, _Due(due, next(self.counter), case_id))

    def due(self, t: datetime) -> list[int]:
        out = []
        while self.waiting and self.waiting[0].due <= t:
            out.append(heapq.heappop(self.waiting).case_id)
        return out


def on_fraud_call(
    sim: DaySimulation, session: Session, at: datetime, area_code: str, incident_id: int
) -> None:
    """A fraud call at `at`: the world's case behind it, its books into the banks, the
    victim's report filed, the stop orders queued for the desk."""
    desk = sim.fraud
    if desk is None:
        return
    rng = desk.rng
    n = rng.choice(CHANNELS_DRAWN)
    channels = draw_channels(rng, n)
    case = make_case(rng, at, channels=channels, slip=draw_slip(rng, n), area_code=area_code)
    for part in case.ledgers:
        desk.banks.add(part)
    body = CaseIn.model_validate({**case.report.body, "send": True})
    try:
        row, _ = intake.file_case(
            session, DESK, sim.vault, body, now=at, source="sim", incident_id=incident_id
        )
    except DomainError as exc:
        session.rollback()
        sim.figures.refused += 1
        log.info("fraud report refused: %s", exc.detail)
        return
    sim.figures.fraud_cases += 1
    desk.later(at + timedelta(seconds=rng.uniform(*DESK_DELAY_S)), row.id)


def send_stops(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Stop orders of the cases whose report has been checked, sent and answered at once
    (the in-process banks answer in the caller's thread, at the simulated time)."""
    desk = sim.fraud
    if desk is None:
        return
    for case_id in desk.due(t + timedelta(seconds=dt)):
        at = min(t, utcnow())
        try:
            case = intake.open_case(session, case_id)
            rows = fraud_orders.create_stops(session, DESK, case, now=at)
        except DomainError as exc:
            session.rollback()
            sim.figures.refused += 1
            log.info("fraud stop orders refused: %s", exc.detail)
            continue
        session.commit()
        sender = Sender(sim.db, desk.banks)
        try:
            with bank_time(at):
                for row in rows:
                    sender.send_now(row.id)
        finally:
            sender.shutdown()
        sim.figures.fraud_orders += len(rows)


# -- the day's figures, read back from the store -------------------------------------------
@dataclass(frozen=True)
class FraudFigures:
    cases: int
    outcomes: dict[str, int]  # stopped / not_stopped / unavailable / other
    held_fen: int
    report_to_stop_min: tuple[float, ...]  # per case with a stop: call → the bank's stop

    def median_min(self) -> float | None:
        found = sorted(self.report_to_stop_min)
        if not found:
            return None
        mid = len(found) // 2
        return found[mid] if len(found) % 2 else (found[mid - 1] + found[mid]) / 2

    def as_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "outcomes": self.outcomes, "held_fen": self.held_fen,
                "report_to_stop_min": list(self.report_to_stop_min)}  # fmt: skip


def outcome(order: FraudOrder) -> str:
    if order.status in (fraud_orders.UNAVAILABLE, fraud_orders.REFUSED):
        return "unavailable"
    if order.result in ("stopped", "not_stopped"):
        return order.result
    return "other" if order.status == fraud_orders.ANSWERED else order.status


def fraud_figures(session: Session, since: datetime, until: datetime | None = None) -> FraudFigures:
    """Cases reported in [since, until) and their stop orders: what the banks answered, the
    money they hold and how long from the report to each case's first stop."""
    q = select(FraudCase).where(FraudCase.reported_at >= since)
    if until is not None:
        q = q.where(FraudCase.reported_at < until)
    cases = {c.id: c for c in session.scalars(q)}
    orders = list(
        session.scalars(
            select(FraudOrder)
            .where(FraudOrder.case_id.in_(cases), FraudOrder.kind == "stop")
            .order_by(FraudOrder.id)
        )
    )
    outcomes = Counter(outcome(o) for o in orders)
    held = sum(o.held_fen or 0 for o in orders if o.result == "stopped")
    first: dict[int, datetime] = {}
    for o in orders:
        if o.result == "stopped" and o.stopped_at is not None:
            first[o.case_id] = min(first.get(o.case_id, o.stopped_at), o.stopped_at)
    minutes = tuple(
        round((at - cases[cid].reported_at).total_seconds() / 60, 1)
        for cid, at in sorted(first.items())
    )
    return FraudFigures(len(cases), dict(sorted(outcomes.items())), held, minutes)
