"""Two bookings for one terminal-slot: exactly one holds it, the other answers 409
`slot_taken` — through the unique slot claim on PostgreSQL, where both pass the checks."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.errors import DomainError
from pingan.visits import booking
from pingan.visits.models import VisitBooking, VisitDetainee, VisitSlotClaim
from tests.visits import rows
from tests.visits.booking_rows import (
    NOW,
    World,
    bj,
    past_booking,
    world_fixture,  # noqa: F401  (the `world` fixture)
)


def _book(w: World, relation: str, results: list, barrier: threading.Barrier | None = None):
    spec = booking.BookingSpec(relation_id=w.ids[relation], starts_at=bj(2, 10))
    with w.db.session() as s:
        if barrier is not None:
            barrier.wait()
        try:
            results.append(booking.book(s, w.actor(Role.CITIZEN), w.vault, spec, now=NOW).id)
        except DomainError as exc:
            results.append((exc.status, exc.code))


def test_two_concurrent_bookings_of_one_slot(world) -> None:
    """Two of 张三's ties (two detainees, both with consent) race for the one family terminal
    at 10:00: on either store one wins and the other is told the slot is taken."""
    with world.db.session() as s:
        d3 = s.get(VisitDetainee, world.ids["d3"])
        rows.consent(s, d3, by=world.ids["user_officer"], now=NOW - timedelta(days=1))
    results: list = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_book, args=(world, rel, results, barrier))
        for rel in ("rel_family", "rel_family_d3")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results, key=str).count((409, "slot_taken")) == 1, results
    with world.db.session() as s:
        claims = s.scalars(select(VisitSlotClaim)).all()
        assert len(claims) == 1
        live = s.scalars(select(VisitBooking)).all()
        assert [b.id for b in live] == [claims[0].booking_id]  # the loser stored nothing


def test_the_unique_claim_decides_when_both_passed_the_checks(world) -> None:
    """PostgreSQL: another transaction holds an uncommitted claim on the slot, so this
    booking sees the slot free, passes every check and waits on the unique index; when the
    other commits, this insert fails and the answer is 409 slot_taken, nothing stored."""
    if world.db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers: the second never reads the slot as free")
    other_id = past_booking(world, "confirmed", bj(2, 10), visitor_id=world.ids["family2"])
    results: list = []
    with world.db.session() as holder:
        holder.add(
            VisitSlotClaim(
                terminal_id=world.ids["t_family"], starts_at=bj(2, 10), booking_id=other_id
            )
        )
        holder.flush()  # the row lock on the index entry is held until commit
        racer = threading.Thread(target=_book, args=(world, "rel_family", results))
        racer.start()
        racer.join(timeout=2)
        assert racer.is_alive(), results  # waiting on the unique index
        holder.commit()
    racer.join(timeout=60)
    assert results == [(409, "slot_taken")]
    with world.db.session() as s:
        assert [b.id for b in s.scalars(select(VisitBooking))] == [other_id]
