"""Fraud reports in the simulated day: each fraud call files a case through the anti-fraud
intake, its stop orders go to the in-process banks at the simulated time and are answered by
the bank's rule; the day's report counts what the banks answered. A seed gives the same
cases, answers and minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.fraud.models import FraudCase, FraudOrder
from pingan.sim.day import SimConfig, file_call
from pingan.sim.fraud_desk import DESK_DELAY_S, fraud_figures
from pingan.sim.run import fraud_line, simulation_for

CALLS = [(2, "lakeside"), (4, "music_fountain"), (7, "central_square"), (9, "shopping_street"),
         (11, "lakeside"), (13, "bridge_3")]  # (minutes after the start, key area)  # fmt: skip


def _start() -> datetime:
    return (utcnow() - timedelta(minutes=60)).replace(second=0, microsecond=0)


def _day(path: Path, start: datetime):  # type: ignore[no-untyped-def]
    """Six fraud calls in a quiet stretch of 25 simulated minutes from `start`; (figures,
    orders, cases, the simulation)."""
    settings = Settings(data_dir=path, database_url=None)
    build_demo(settings, sample_incidents=False)
    config = SimConfig(day_kind="holiday", start=start, end=start + timedelta(minutes=25),
                       speed=None, tick_s=20, rate_scale=0.0, seed=7)  # fmt: skip
    db = Database(settings.resolved_database_url)
    try:
        sim = simulation_for(settings, db, config)
        calls = [(start + timedelta(minutes=m), area) for m, area in CALLS]
        while sim.clock < config.end:  # the day's steps, with a fraud call where one is due
            while calls and calls[0][0] < sim.clock + timedelta(seconds=config.tick_s):
                at, area = calls.pop(0)
                with db.session() as session:
                    file_call(sim, session, at, "fraud", area, sim.point_in(area, sim.calls_rng))
            sim.step()
        with db.session() as session:
            figures = fraud_figures(session, start)
            orders = [
                (o.order_no, o.bank, o.status, o.result, tuple(o.mismatched), o.held_fen,
                 o.stopped_at, o.issued_at)
                for o in session.scalars(select(FraudOrder).order_by(FraudOrder.id))
            ]  # fmt: skip
            cases = [
                (
                    c.case_no,
                    c.fraud_type,
                    c.loss_fen,
                    c.reported_at,
                    c.golden_start,
                    c.source,
                    c.incident_id is not None,
                )
                for c in session.scalars(select(FraudCase).order_by(FraudCase.id))
            ]
        return figures, orders, cases, sim
    finally:
        db.dispose()


def test_fraud_calls_become_cases_whose_stop_orders_the_banks_answer(tmp_path):
    figures, orders, cases, sim = _day(tmp_path / "a", _start())
    assert figures.cases == len(cases) == len(CALLS) == sim.figures.fraud_cases
    assert len(orders) == sim.figures.fraud_orders == sum(figures.outcomes.values())
    assert all(status == "answered" for _, _, status, *_ in orders)  # none left sending
    # each case says it came from the simulated day, tied to the 110 call it came with
    assert all(source == "sim" and linked for *_, source, linked in cases)
    assert figures.outcomes.get("stopped", 0) >= 1 and figures.held_fen > 0
    for _, _, _, result, mismatched, held, stopped_at, issued_at in orders:
        if result == "not_stopped":  # a victim's slip: the field named, nothing held
            assert len(mismatched) == 1 and held == 0
        if result == "stopped":  # at the simulated time, never the wall clock
            assert stopped_at == issued_at < utcnow() - timedelta(minutes=30)
    low, high = DESK_DELAY_S
    assert all(low / 60 - 0.5 <= m <= high / 60 + 0.5 for m in figures.report_to_stop_min)
    assert any("反诈" in line for line in [fraud_line(figures)])


def test_a_seed_gives_the_same_cases_and_answers(tmp_path):
    start = _start()
    first = _day(tmp_path / "a", start)[:3]
    second = _day(tmp_path / "b", start)[:3]
    assert first == second
