"""The demo's video-visit sample (sim/data/visits.yaml, sim/visits_world.py): the facility opens
a few minutes after the demo starts whatever the hour (merged into its hours, moved past
midnight when too late), and `build_demo` writes the sample through the visits services — a
family visit starting within minutes, approved; a lawyer's visit; one waiting for approval; one
held last week — on a pinned clock."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pingan.config import Settings
from pingan.demo import build_demo
from pingan.sim.visits_world import BEIJING, demo_opening, open_at, proof_png, with_opening
from pingan.visits.models import VisitBooking, VisitRelation, VisitVisitor
from tests.clock import pinned_clock

HOURS = {"1": [["09:00", "11:30"], ["14:00", "17:00"]]}  # Tuesdays


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


def test_the_opening_starts_minutes_after_the_demo_on_a_five_minute_boundary() -> None:
    o = demo_opening(_at(8, 10, 12), 30)  # Tuesday 10:12
    assert (o.weekday, o.start, o.end) == (1, time(10, 20), time(12, 20))
    assert o.starts_at == _at(8, 10, 20)
    merged = with_opening(HOURS, o)
    assert merged["1"] == [["09:00", "12:20"], ["14:00", "17:00"]]
    assert HOURS["1"] == [["09:00", "11:30"], ["14:00", "17:00"]]  # the data is left as it was


def test_an_opening_too_close_to_midnight_moves_to_the_next_day() -> None:
    o = demo_opening(_at(8, 23, 40), 30)
    assert (o.weekday, o.start, o.end) == (2, time(0, 0), time(2, 0))
    assert with_opening(HOURS, o)["2"] == [["00:00", "02:00"]]
    late = demo_opening(_at(8, 22, 50), 30)  # 22:55 + two slots still fits
    assert (late.start, late.end) == (time(22, 55), time(23, 59))


def test_a_named_time_falls_on_the_nearest_open_day() -> None:
    assert open_at(HOURS, date(2026, 12, 8), time(10, 0), 1) == _at(8, 10, 0)
    assert open_at(HOURS, date(2026, 12, 9), time(10, 0), 1) == _at(15, 10, 0)
    assert open_at(HOURS, date(2026, 12, 7), time(10, 0), -1) == _at(1, 10, 0)
    with pytest.raises(ValueError):
        open_at(HOURS, date(2026, 12, 8), time(12, 0), 1)  # never open at noon


def test_the_proof_stand_in_is_a_png() -> None:
    import base64

    assert base64.b64decode(proof_png()).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_demo_writes_the_sample_through_the_services(tmp_path: Path) -> None:
    start = _at(8, 10, 12)  # a Tuesday morning
    with pinned_clock(start):
        settings = Settings(data_dir=tmp_path, database_url=None)
        accounts = {user for user, _, _ in build_demo(settings, fleet="small")}
    assert {"lawyer", "zhouli", "citizen"} <= accounts
    from pingan import store

    db, _ = store.open_store(settings)
    try:
        with db.session() as s:
            bookings = {b.booking_no: b for b in s.scalars(select(VisitBooking))}
            roles = {v.id: v.role for v in s.scalars(select(VisitVisitor))}
            ties = list(s.scalars(select(VisitRelation)))
    finally:
        db.dispose()
    assert sorted(roles.values()) == ["family", "lawyer"]  # the demo citizen is not registered
    assert len(ties) == 3 and {t.status for t in ties} == {"accepted"}
    by = sorted(bookings.values(), key=lambda b: b.starts_at)
    past, soon, lawyer, waiting = by
    assert past.starts_at < start < soon.starts_at <= start + timedelta(minutes=30)
    assert soon.status == "confirmed" and soon.kind == "family" and soon.monitored
    assert len(soon.party) == 1 and soon.party[0]["relation"] == "child"
    assert lawyer.kind == "lawyer" and lawyer.status == "confirmed"
    assert lawyer.starts_at <= start + timedelta(hours=48)
    assert not lawyer.recorded and not lawyer.monitored
    assert waiting.status == "pending_approval" and waiting.approval_id is not None
    held = importlib.util.find_spec("pingan.visits.sessions") is not None
    assert past.status == ("completed" if held else "confirmed")
    assert (tmp_path / "visit_proofs").is_dir()
