"""No-shows and the suspension they bring, reminders once per booking by SMS, and both
timed jobs registered like the platform's others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pingan import jobs
from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.trust.identity.adapters import TestDoubleSms
from pingan.visits import booking
from pingan.visits.models import VisitBooking, VisitSession, VisitVisitor
from tests.visits.booking_rows import (
    API,
    NOW,
    bj,
    past_booking,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

SYSTEM = Actor.system("test")


def test_the_third_no_show_suspends_booking(world) -> None:
    missed = [past_booking(world, "confirmed", bj(-d, 10)) for d in (30, 20, 10)]
    attended = past_booking(world, "confirmed", bj(-5, 10))
    later = past_booking(world, "confirmed", bj(3, 10))  # not over yet
    with world.db.session() as s:
        s.add(
            VisitSession(
                booking_id=attended,
                room="room-attended",
                status="ended",
                opened_at=bj(-5, 10),
                started_at=bj(-5, 10),
            )
        )
        s.commit()
        assert booking.mark_no_shows(s, SYSTEM, now=NOW) == 3
        assert booking.mark_no_shows(s, SYSTEM, now=NOW) == 0
        states = {b.id: b.status for b in s.scalars(select(VisitBooking))}
        assert [states[i] for i in missed] == ["no_show"] * 3
        assert states[attended] == "confirmed" and states[later] == "confirmed"
        v = s.get(VisitVisitor, world.ids["family"])
        assert v.status == "suspended" and v.suspended_reason == "no_shows"
        assert v.suspended_until == NOW + timedelta(days=90)
        assert "visits.suspended" in set(s.scalars(select(AuditRecord.action)))
    r = world.book(relation_id=world.ids["rel_family_jls"], starts_at=bj(2, 10).isoformat())
    assert r.status_code == 403 and r.json()["code"] == "suspended"


def test_two_no_shows_do_not_suspend_and_old_ones_age_out(world) -> None:
    past_booking(world, "no_show", bj(-200, 10))  # outside the 180-day window
    past_booking(world, "confirmed", bj(-20, 10))
    past_booking(world, "confirmed", bj(-10, 10))
    with world.db.session() as s:
        assert booking.mark_no_shows(s, SYSTEM, now=NOW) == 2
        assert s.get(VisitVisitor, world.ids["family"]).status == "active"


def test_the_desk_records_a_no_show_only_after_the_slot(world) -> None:
    h = world.h(Role.OFFICER)
    b = world.book(relation_id=world.ids["rel_family_jls"], starts_at=bj(1, 10).isoformat()).json()
    r = world.client.post(f"{API}/bookings/{b['id']}/no-show", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "not_over_yet"
    world.clock.advance(days=2)
    r = world.client.post(f"{API}/bookings/{b['id']}/no-show", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "no_show", r.text
    r = world.client.post(f"{API}/bookings/{b['id']}/no-show", headers=world.h(Role.CITIZEN))
    assert r.status_code == 403


def test_one_reminder_per_booking_masked(world) -> None:
    soon = world.book(relation_id=world.ids["rel_family_jls"], starts_at=bj(1, 10).isoformat())
    later = world.book(
        Role.LAWYER, relation_id=world.ids["rel_lawyer"], starts_at=bj(3, 10).isoformat()
    )
    assert soon.status_code == 201 and later.status_code == 201, (soon.text, later.text)
    sms = TestDoubleSms()
    with world.db.session() as s:
        assert booking.send_reminders(s, world.vault, sms, now=NOW) == 0  # 25 h ahead
        at = NOW + timedelta(hours=2)
        assert booking.send_reminders(s, world.vault, sms, now=at) == 1
        assert booking.send_reminders(s, world.vault, sms, now=at + timedelta(hours=1)) == 0
        [(phone, text)] = sms.sent
        assert phone == "13912345678"
        assert soon.json()["booking_no"] in text and "10:00" in text and "张三" not in text
        detail = s.scalars(
            select(AuditRecord.detail).where(AuditRecord.action == "visits.reminded")
        ).one()
        assert detail["phone"] == "139****5678" and "13912345678" not in str(detail)
        row = s.get(VisitBooking, soon.json()["id"])
        assert row.reminded_at == at


def test_both_jobs_are_registered_and_run_a_turn(world) -> None:
    known = {j.name: j for j in jobs.load_jobs()}
    assert {"visits.reminders", "visits.no_shows"} <= set(known)
    assert jobs.run_turn(world.db, known["visits.no_shows"])
    assert jobs.run_turn(world.db, known["visits.reminders"])
