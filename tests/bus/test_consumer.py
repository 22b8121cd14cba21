"""handle_once on both stores: once per consumer, in order per aggregate, from its start."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pingan.bus import outbox
from pingan.bus.consumer import Outcome, OutOfOrder, deliver, handle_once, register_consumer
from pingan.bus.models import OutboxEvent, ProcessedEvent
from pingan.bus.outbox import Event
from pingan.bus.registry import Registry
from pingan.db.engine import Database


def _events(db: Database, *types: str, aggregate: str = "42") -> list[Event]:
    with db.session() as session:
        rows = [outbox.publish(session, t, "incident", aggregate, {}) for t in types]
        session.commit()
        return [Event.from_row(r) for r in rows]


def _apply(db: Database, event: Event, applied: list[int], **kw) -> bool:  # type: ignore[no-untyped-def]
    with db.session() as session:
        done = handle_once(session, "c", event, lambda s, e: applied.append(e.aggregate_seq), **kw)
        session.commit()
        return done


def test_a_redelivered_event_is_applied_once(db: Database) -> None:
    (event,) = _events(db, "incident.received")
    applied: list[int] = []
    assert _apply(db, event, applied) is True
    assert _apply(db, event, applied) is False
    assert applied == [1]


def test_a_later_event_waits_for_the_earlier_one(db: Database) -> None:
    first, second = _events(db, "incident.received", "incident.dispatched")
    applied: list[int] = []
    with pytest.raises(OutOfOrder):
        _apply(db, second, applied)
    with db.session() as session:  # the failed attempt left no marker behind
        assert session.execute(select(func.count()).select_from(ProcessedEvent)).scalar() == 0
    assert _apply(db, first, applied) and _apply(db, second, applied)
    assert applied == [1, 2]


def test_events_the_consumer_does_not_subscribe_to_do_not_hold_it_back(db: Database) -> None:
    events = _events(db, "incident.received", "incident.en_route", "incident.closed")
    applied: list[int] = []
    patterns = ("incident.received", "incident.closed")
    assert _apply(db, events[0], applied, patterns=patterns)
    assert _apply(db, events[2], applied, patterns=patterns)
    assert applied == [1, 3]


def test_a_new_consumer_starts_after_the_events_already_written(db: Database) -> None:
    old = _events(db, "incident.received")[0]
    with db.session() as session:
        start = register_consumer(session, "late")
        assert register_consumer(session, "late") == start  # stable once registered
    new = _events(db, "incident.dispatched")[0]
    reg = Registry()
    applied: list[str] = []
    sub = reg.add("late", [">"], lambda s, e: applied.append(e.type))
    assert deliver(db, sub, old, start_id=start).outcome is Outcome.IGNORED
    assert deliver(db, sub, new, start_id=start).outcome is Outcome.DONE
    assert applied == ["incident.dispatched"]


def test_publish_numbers_each_aggregate_separately(db: Database) -> None:
    _events(db, "unit.status_changed", "unit.status_changed", aggregate="u1")
    _events(db, "unit.status_changed", aggregate="u2")
    with db.session() as session:
        rows = session.execute(
            select(OutboxEvent.aggregate_id, OutboxEvent.aggregate_seq).order_by(OutboxEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [("u1", 1), ("u1", 2), ("u2", 1)]
