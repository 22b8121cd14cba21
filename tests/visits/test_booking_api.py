"""Booking through the API on both stores: the grid, the allowed cases, each refusal with its
code, the desk's decision, cancellation, the lawyer's 48-hour arrangement and fair share."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.visits.models import VisitBooking, VisitSlotClaim, VisitVisitor
from tests.visits.booking_rows import (
    API,
    NOW,
    SUN_QI,
    WANG_WU,
    ZHAO_LIU,
    bj,
    past_booking,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

BOOKING_KEYS = {
    "id",
    "booking_no",
    "facility",
    "terminal",
    "detainee",
    "visitor",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "party",
    "recorded",
    "monitored",
    "approval_id",
    "created_at",
    "cancelled_at",
    "cancel_reason",
    "can_cancel",
}


def _iso(at) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _same(a: str, b: datetime) -> bool:
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == b


def test_the_grid_of_a_day_by_kind(world) -> None:
    day = "2026-12-10"
    h = world.h(Role.CITIZEN)
    q = {"facility_id": world.ids["kss"], "date": day}
    family = world.client.get(f"{API}/slots", params={**q, "kind": "family"}, headers=h).json()
    assert len(family) == 5 + 6
    assert _same(family[0]["starts_at"], bj(2, 9)) and _same(family[0]["ends_at"], bj(2, 9, 30))
    assert {s["free"] for s in family} == {1}
    assert family[0]["terminals"] == [world.ids["t_family"]]
    lawyer = world.client.get(
        f"{API}/slots", params={**q, "kind": "lawyer"}, headers=world.h(Role.LAWYER)
    ).json()
    assert [s["terminals"] for s in lawyer] == [[world.ids["t_lawyer"]]] * 4  # 9, 10, 14, 15
    assert _same(lawyer[2]["starts_at"], bj(2, 14)) and _same(lawyer[2]["ends_at"], bj(2, 15))
    r = world.client.get(f"{API}/slots", params={**q, "kind": "nobody"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "unknown_kind"


def test_a_family_visit_with_consent_waits_for_the_desk_then_is_confirmed(world) -> None:
    r = world.book(
        starts_at=_iso(bj(2, 10)),
        party=[{"name": "王五", "id_number": WANG_WU, "relation": "child"}],
    )
    assert r.status_code == 201, r.text
    b = r.json()
    assert set(b) == BOOKING_KEYS
    assert b["booking_no"] == "HJ20261208-0001"
    assert b["status"] == "pending_approval" and b["kind"] == "family"
    assert b["recorded"] is True and b["monitored"] is True
    assert b["approval_id"] == world.ids["consent"] and b["can_cancel"] is True
    assert b["facility"] == {
        "id": world.ids["kss"],
        "code": "KSS1",
        "name": "测试监管场所KSS1",
        "kind": "detention_centre",
    }
    assert b["terminal"]["id"] == world.ids["t_family"]
    assert b["detainee"] == {
        "id": world.ids["d1"],
        "detainee_no": "KSS-2026-001",
        "name_masked": "刘**",
    }
    assert b["visitor"] == {"id": world.ids["family"], "role": "family", "name_masked": "张*"}
    assert b["party"] == [
        {"name_masked": "王*", "relation": "child", "id_masked": b["party"][0]["id_masked"]}
    ]
    assert WANG_WU not in r.text and "王五" not in r.text
    assert _same(b["ends_at"], bj(2, 10, 30))

    day = {"facility_id": world.ids["kss"], "kind": "family", "date": "2026-12-10"}
    slots = world.client.get(f"{API}/slots", params=day, headers=world.h(Role.CITIZEN)).json()
    taken = next(s for s in slots if _same(s["starts_at"], bj(2, 10)))
    assert taken["free"] == 0 and taken["terminals"] == []

    r = world.client.post(
        f"{API}/bookings/{b['id']}/decide",
        json={"decision": "approve", "reason": ""},
        headers=world.h(Role.OFFICER),
    )
    assert r.status_code == 200 and r.json()["status"] == "confirmed", r.text
    again = world.client.post(
        f"{API}/bookings/{b['id']}/decide",
        json={"decision": "approve"},
        headers=world.h(Role.OFFICER),
    )
    assert again.status_code == 409 and again.json()["code"] == "bad_state"

    with world.db.session() as s:
        row = s.get(VisitBooking, b["id"])
        assert row.assurance["level"] == 2 and row.assurance["method"] == "face"
        assert row.assurance["verification_id"]
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.object_id == str(b["id"])))
        assert {"visits.booked", "visits.decided"} <= set(actions)
        events = s.scalars(
            select(OutboxEvent.type).where(OutboxEvent.aggregate_type == "visit_booking")
        )
        assert set(events) == {"visits.booking"}

    mine = world.client.get(f"{API}/bookings/mine", headers=world.h(Role.CITIZEN)).json()
    assert [x["id"] for x in mine["items"]] == [b["id"]]
    desk = world.client.get(
        f"{API}/bookings",
        params={"facility_id": world.ids["kss"], "date": "2026-12-10", "status": "confirmed"},
        headers=world.h(Role.AUDITOR),
    ).json()
    assert desk["total"] == 1 and desk["items"][0]["can_cancel"] is False  # the auditor only reads
    other = world.client.get(f"{API}/bookings/{b['id']}", headers=world.h(Role.LAWYER))
    assert other.status_code == 404


def test_the_desk_refuses_a_pending_booking_and_frees_its_slot(world) -> None:
    b = world.book(starts_at=_iso(bj(2, 10))).json()
    r = world.client.post(
        f"{API}/bookings/{b['id']}/decide",
        json={"decision": "refuse", "reason": "办案需要"},
        headers=world.h(Role.COMMANDER),
    )
    assert r.json()["status"] == "refused"
    with world.db.session() as s:
        assert s.scalars(select(VisitSlotClaim)).all() == []


def test_a_family_visit_at_a_kss_without_consent_is_refused(world) -> None:
    r = world.book(relation_id=world.ids["rel_family_d3"], starts_at=_iso(bj(2, 10)))
    assert r.status_code == 403 and r.json()["code"] == "needs_consent", r.text
    with world.db.session() as s:
        assert s.scalars(select(VisitSlotClaim)).all() == []


def test_a_family_visit_at_a_jls_needs_no_consent_and_is_confirmed(world) -> None:
    r = world.book(relation_id=world.ids["rel_family_jls"], starts_at=_iso(bj(1, 14, 30)))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "confirmed" and r.json()["approval_id"] is None


def test_a_fourth_person_is_refused(world) -> None:
    party = [
        {"name": "王五", "id_number": WANG_WU, "relation": "child"},
        {"name": "赵六", "id_number": ZHAO_LIU, "relation": "parent"},
        {"name": "孙七", "id_number": SUN_QI, "relation": "sibling"},
    ]
    r = world.book(starts_at=_iso(bj(2, 10)), party=party)
    assert r.status_code == 422 and r.json()["code"] == "too_many_persons", r.text
    assert world.book(starts_at=_iso(bj(2, 10)), party=party[:2]).status_code == 201
    bad = world.book(
        relation_id=world.ids["rel_family_jls"],
        starts_at=_iso(bj(2, 10)),
        party=[{"name": "王五", "id_number": WANG_WU, "relation": "friend"}],
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_party_relation"


def test_a_booking_beyond_the_monthly_quota_is_refused(world) -> None:
    past_booking(world, "completed", bj(-6, 10))  # 2 December
    past_booking(world, "no_show", bj(-3, 10), visitor_id=world.ids["family2"])  # another visitor
    r = world.book(starts_at=_iso(bj(2, 10)))
    assert r.status_code == 409 and r.json()["code"] == "over_quota", r.text


def test_a_visit_cancelled_inside_24_hours_counts_against_the_quota(world) -> None:
    """The desk cancelled a visit on its last day: the slot is lost to other families, so the
    visit counts; a cancellation days ahead frees it."""
    past_booking(world, "completed", bj(-6, 10))
    late = past_booking(
        world, "cancelled", bj(-3, 10), cancelled_at=bj(-3, 10) - timedelta(hours=3)
    )
    r = world.book(starts_at=_iso(bj(2, 10)))
    assert r.status_code == 409 and r.json()["code"] == "over_quota", r.text
    with world.db.session() as s:
        s.get(VisitBooking, late).cancelled_at = bj(-5, 10)
        s.commit()
    assert world.book(starts_at=_iso(bj(2, 10))).status_code == 201
    nxt = world.book(starts_at=_iso(bj(24, 10)))  # 1 January: a new month, but the horizon
    assert nxt.json()["code"] == "beyond_horizon"


def test_one_live_family_booking_per_detainee(world) -> None:
    assert world.book(starts_at=_iso(bj(2, 10))).status_code == 201
    r = world.book(starts_at=_iso(bj(3, 10)))
    assert r.status_code == 409 and r.json()["code"] == "already_booked"


def test_times_outside_the_grid_and_too_long_are_refused(world) -> None:
    cases = {
        "outside_hours": {"starts_at": _iso(bj(2, 12))},
        "in_the_past": {"starts_at": _iso(bj(0, 8, 30))},
        "too_long": {"starts_at": _iso(bj(2, 9)), "minutes": 60},
    }
    for code, body in cases.items():
        r = world.book(**body)
        assert r.json()["code"] == code, (code, r.text)


def test_a_lawyer_booking_with_monitoring_or_recording_is_refused(world) -> None:
    base = {"relation_id": world.ids["rel_lawyer"], "starts_at": _iso(bj(1, 10))}
    r = world.book(Role.LAWYER, **base, monitored=True)
    assert r.status_code == 422 and r.json()["code"] == "lawyer_monitoring_forbidden"
    r = world.book(Role.LAWYER, **base, recorded=True)
    assert r.status_code == 422 and r.json()["code"] == "lawyer_recording_forbidden"
    r = world.book(Role.LAWYER, relation_id=world.ids["rel_lawyer"], recorded=True)
    assert r.json()["code"] == "lawyer_recording_forbidden"
    ok = world.book(Role.LAWYER, **base, recorded=False, monitored=False)
    assert ok.status_code == 201, ok.text
    assert ok.json()["recorded"] is False and ok.json()["monitored"] is False
    assert ok.json()["status"] == "confirmed"


def test_a_lawyer_is_arranged_the_earliest_slot_within_48_hours(world) -> None:
    r = world.book(Role.LAWYER, relation_id=world.ids["rel_lawyer"])
    assert r.status_code == 201, r.text
    b = r.json()
    assert _same(b["starts_at"], bj(0, 10)) and _same(b["ends_at"], bj(0, 11))
    assert b["terminal"]["id"] == world.ids["t_lawyer"] and b["kind"] == "lawyer"
    # the day's lawyer slots are 4 on one terminal: one lawyer may hold a quarter of them
    r = world.book(Role.LAWYER, relation_id=world.ids["rel_lawyer"], starts_at=_iso(bj(0, 14)))
    assert r.status_code == 409 and r.json()["code"] == "over_fair_share", r.text
    r = world.book(Role.LAWYER, relation_id=world.ids["rel_lawyer"])
    assert _same(r.json()["starts_at"], bj(1, 9)), r.text  # the next day is free again


def test_no_lawyer_slot_within_48_hours_is_409_and_the_desk_is_told(world) -> None:
    for days in (0, 1, 2):  # another firm holds every lawyer slot for three days
        for hour in (9, 10, 14, 15):
            past_booking(
                world,
                "confirmed",
                bj(days, hour),
                kind="lawyer",
                visitor_id=world.ids["lawyer"],
                terminal_id=world.ids["t_lawyer"],
                claim=True,
            )
    r = world.book(Role.LAWYER, relation_id=world.ids["rel_lawyer"])
    assert r.status_code == 409 and r.json()["code"] == "cannot_arrange_within_48h", r.text
    with world.db.session() as s:
        told = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "visits.booking")).all()
        assert [e.payload["event"] for e in told] == ["cannot_arrange"]


def test_cancelling_inside_24_hours_is_the_desks(world) -> None:
    b = world.book(relation_id=world.ids["rel_family_jls"], starts_at=_iso(bj(1, 10))).json()
    world.clock.advance(hours=2)  # 23 hours before the start
    h = world.h(Role.CITIZEN)
    mine = world.client.get(f"{API}/bookings/{b['id']}", headers=h).json()
    assert mine["can_cancel"] is False
    r = world.client.post(f"{API}/bookings/{b['id']}/cancel", json={"reason": ""}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "too_late_to_cancel", r.text
    desk = world.h(Role.OFFICER)
    r = world.client.post(f"{API}/bookings/{b['id']}/cancel", json={"reason": ""}, headers=desk)
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = world.client.post(
        f"{API}/bookings/{b['id']}/cancel", json={"reason": "所内停电检修"}, headers=desk
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    assert r.json()["cancel_reason"] == "所内停电检修" and r.json()["cancelled_at"]
    with world.db.session() as s:
        assert s.scalars(select(VisitSlotClaim)).all() == []


def test_the_visitor_cancels_24_hours_ahead(world) -> None:
    b = world.book(relation_id=world.ids["rel_family_jls"], starts_at=_iso(bj(1, 10))).json()
    assert b["can_cancel"] is True
    r = world.client.post(
        f"{API}/bookings/{b['id']}/cancel", json={"reason": "改期"}, headers=world.h(Role.CITIZEN)
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = world.book(relation_id=world.ids["rel_family_jls"], starts_at=_iso(bj(1, 10)))
    assert again.status_code == 201  # the slot and the live-booking allowance are free again
    other = world.client.post(
        f"{API}/bookings/{b['id']}/cancel", json={"reason": "x"}, headers=world.h(Role.LAWYER)
    )
    assert other.status_code == 404


def test_a_suspended_visitor_is_refused(world) -> None:
    with world.db.session() as s:
        v = s.get(VisitVisitor, world.ids["family"])
        v.status, v.suspended_until, v.suspended_reason = (
            "suspended",
            NOW + timedelta(days=5),
            "no_shows",
        )
        s.commit()
    r = world.book(starts_at=_iso(bj(2, 10)))
    assert r.status_code == 403 and r.json()["code"] == "suspended"
    world.clock.advance(days=6)  # the suspension has run out
    assert world.book(starts_at=_iso(bj(8, 10))).status_code == 201


def test_booking_needs_identity_level_2(world) -> None:
    world.clock.advance(days=40)  # the face check (30 days) has lapsed
    r = world.book(starts_at=_iso(bj(42, 10)))
    assert r.status_code == 403 and r.json()["code"] == "assurance_too_low"


def test_someone_elses_tie_is_not_found(world) -> None:
    r = world.book(relation_id=world.ids["rel_lawyer"], starts_at=_iso(bj(2, 10)))
    assert r.status_code == 404 and r.json()["code"] == "no_such_relation"
