"""A batch of fixes stores what sending them one by one stores: the newest fix per unit, one
audit record per applied fix in order on an intact chain, and nothing when one is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.base import utcnow
from pingan.errors import Forbidden, NotFound, ValidationFailed
from pingan.units import service as units
from pingan.units.service import PositionFix

SYSTEM = Actor.system("test-fixes")
LON, LAT = 109.78, 39.60


def _units(db, n: int) -> list[int]:
    with db.session() as session:
        return [
            units.create_unit(session, SYSTEM, call_sign=f"批{i:02d}", kind="patrol_car").id
            for i in range(n)
        ]


def test_a_batch_keeps_the_newest_fix_per_unit_and_audits_each_applied_fix(db):
    a, b = _units(db, 2)
    t0 = utcnow() - timedelta(minutes=10)
    fixes = [
        PositionFix(a, LON, LAT, t0),
        PositionFix(b, LON + 0.001, LAT, t0),
        PositionFix(a, LON + 0.002, LAT, t0 + timedelta(seconds=15)),
        PositionFix(a, LON + 0.009, LAT, t0 + timedelta(seconds=5)),  # late: ignored
    ]
    with db.session() as session:
        units.report_positions(session, SYSTEM, fixes)
    with db.session() as session:
        ua, ub = units.get_unit(session, a), units.get_unit(session, b)
        assert (ua.lon, ua.position_at) == (pytest.approx(LON + 0.002), t0 + timedelta(seconds=15))
        assert (ub.lon, ub.position_at) == (pytest.approx(LON + 0.001), t0)
        records, total = audit.list_records(session, action="unit.position", limit=10)
        assert total == 3
        assert [r.object_id for r in reversed(records)] == [str(a), str(b), str(a)]
        assert audit.verify(session).ok


def _units_named(db, prefix: str, n: int) -> list[int]:
    with db.session() as session:
        return [
            units.create_unit(session, SYSTEM, call_sign=f"{prefix}{i:02d}", kind="foot_patrol").id
            for i in range(n)
        ]


def _stored(session, ids: list[int]) -> list[tuple]:
    return [(u.lon, u.lat, u.position_at) for u in (units.get_unit(session, i) for i in ids)]


def test_a_batch_stores_what_single_reports_store(db):
    batched, single = _units_named(db, "批", 3), _units_named(db, "单", 3)
    t0 = utcnow() - timedelta(minutes=5)
    steps = [(i % 3, LON + i / 1000, t0 + timedelta(seconds=(7 * i) % 11)) for i in range(9)]
    with db.session() as session:
        units.report_positions(
            session, SYSTEM, [PositionFix(batched[k], lon, LAT, at) for k, lon, at in steps]
        )
        for k, lon, at in steps:
            units.report_position(session, SYSTEM, single[k], lon=lon, lat=LAT, at=at)
    with db.session() as session:
        assert _stored(session, batched) == _stored(session, single)


def test_one_refused_fix_refuses_the_whole_batch(db):
    a, b = _units(db, 2)
    good = PositionFix(a, LON, LAT, utcnow() - timedelta(minutes=1))
    future = PositionFix(b, LON, LAT, utcnow() + timedelta(hours=1))
    with db.session() as session, pytest.raises(ValidationFailed):
        units.report_positions(session, SYSTEM, [good, future])
    with db.session() as session, pytest.raises(NotFound):
        units.report_positions(session, SYSTEM, [good, PositionFix(99_999, LON, LAT)])
    with db.session() as session:
        assert units.get_unit(session, a).position_at is None
        assert audit.list_records(session, action="unit.position")[1] == 0


def test_an_officer_may_batch_only_fixes_of_bound_units(db):
    (a,) = _units(db, 1)
    officer = Actor(user_id=12345, username="officer-x", role=Role.OFFICER)
    with db.session() as session, pytest.raises(Forbidden):
        units.report_positions(session, officer, [PositionFix(a, LON, LAT)])


def test_the_fleet_rows_carry_kind_status_post_and_fix(db):
    a, b = _units(db, 2)
    at = utcnow() - timedelta(minutes=2)
    with db.session() as session:
        units.report_position(session, SYSTEM, a, lon=LON, lat=LAT, at=at)
        units.set_duty(session, SYSTEM, b, on_duty=False)
    with db.session() as session:
        rows = units.fleet(session)
        assert [(r.id, r.kind, r.status) for r in rows] == [
            (a, "patrol_car", "available"),
            (b, "patrol_car", "off_duty"),
        ]
        assert (rows[0].lon, rows[0].position_at) == (pytest.approx(LON), at)
        assert [r.id for r in units.fleet(session, status=["available"])] == [a]
