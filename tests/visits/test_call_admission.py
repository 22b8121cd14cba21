"""Who may join a call, as which side, when: `POST /visits/bookings/{id}/session`; ending
and warning (`POST /visits/sessions/{id}/end|warn`), with their events and audit records."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.visits.models import VisitBooking, VisitSession, VisitSessionEvent
from pingan.visits.rules import rules
from tests.visits import call_rows
from tests.visits.call_rows import (
    START,
)


def join(client, accounts, role, booking, side=None):
    body = {"side": side} if side else {}
    return client.post(
        f"/api/v1/visits/bookings/{booking}/session", json=body, headers=accounts.headers(role)
    )


def test_each_side_joins_one_session_of_the_booking(client, accounts, call_world, db):
    v = join(client, accounts, Role.CITIZEN, call_world.family_booking)
    assert v.status_code == 200, v.text
    t = join(client, accounts, Role.OFFICER, call_world.family_booking)
    m = join(client, accounts, Role.COMMANDER, call_world.family_booking)
    assert (v.json()["side"], t.json()["side"], m.json()["side"]) == (
        "visitor", "terminal", "monitor",
    )  # fmt: skip
    assert len({v.json()["session_id"], t.json()["session_id"], m.json()["session_id"]}) == 1
    body = v.json()
    assert body["recorded"] and body["monitored"] and body["ice_servers"] == []
    assert body["detainee_name"] == "王*明" and body["socket_path"] == "/api/v1/visits/signal"
    assert body["token"] and body["token"] != t.json()["token"]
    with db.session() as s:
        call = s.scalar(select(VisitSession))
        assert call.identity_check["method"] == "face" and call.status == "open"
        assert call.terminal_officer_id == accounts.ids[Role.OFFICER]
        assert call.monitor_officer_id == accounts.ids[Role.COMMANDER]
        admits = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "visits.session_admit")
        ).all()
        assert [a.actor for a in admits] == ["citizen1", "officer1", "commander1"]


def test_the_visitor_must_have_verified_again_shortly_before(client, accounts, db, vault):
    client.app.state.clock = lambda: START
    window = rules().identity_fresh_min
    with db.session() as s:
        call_world = call_rows.make(
            s, vault, family_user=accounts.ids[Role.CITIZEN], lawyer_user=accounts.ids[Role.LAWYER],
            fresh_at=START - timedelta(minutes=window + 1),
        )  # fmt: skip
    r = join(client, accounts, Role.CITIZEN, call_world.family_booking)
    assert r.status_code == 409 and r.json()["code"] == "reverify_needed", r.text
    # an L1 (real name only) just now does not count; an L3 in person does
    with db.session() as s:
        person = s.scalar(select(call_rows.RegisterPerson).where(
            call_rows.RegisterPerson.name_masked == "张*"))  # fmt: skip
        call_rows.verify(s, call_world.family_user, person, level=1, method="id_name", at=START)
        s.commit()
    assert join(client, accounts, Role.CITIZEN, call_world.family_booking).status_code == 409
    with db.session() as s:
        person = s.scalar(select(call_rows.RegisterPerson).where(
            call_rows.RegisterPerson.name_masked == "张*"))  # fmt: skip
        call_rows.verify(s, call_world.family_user, person, level=3, method="in_person", at=START)
        s.commit()
    r = join(client, accounts, Role.CITIZEN, call_world.family_booking)
    assert r.status_code == 200, r.text


def test_only_the_bookings_own_visitor_joins_as_visitor(client, accounts, call_world):
    r = join(client, accounts, Role.LAWYER, call_world.family_booking)
    assert r.status_code == 404 and r.json()["code"] == "booking_not_found"
    r = join(client, accounts, Role.AUDITOR, call_world.family_booking, "monitor")
    assert r.status_code == 403


def test_the_monitor_is_refused_on_a_lawyers_call(client, accounts, call_world, db):
    r = join(client, accounts, Role.OFFICER, call_world.lawyer_booking, "monitor")
    assert r.status_code == 403 and r.json()["code"] == "lawyer_call_not_monitored"
    assert join(client, accounts, Role.LAWYER, call_world.lawyer_booking).status_code == 200
    assert join(client, accounts, Role.OFFICER, call_world.lawyer_booking).status_code == 200
    with db.session() as s:  # a family booking made without monitoring is refused its own way
        s.get(VisitBooking, call_world.family_booking).monitored = False
        s.commit()
    r = join(client, accounts, Role.COMMANDER, call_world.family_booking)
    assert r.status_code == 403 and r.json()["code"] == "not_monitored"


def test_the_call_opens_join_early_min_before_the_start_and_closes_at_the_end(
    client, accounts, call_world
):
    early = rules().join_early_min
    client.app.state.clock = lambda: START - timedelta(minutes=early + 1)
    r = join(client, accounts, Role.OFFICER, call_world.family_booking)
    assert r.status_code == 409 and r.json()["code"] == "too_early"
    client.app.state.clock = lambda: START - timedelta(minutes=early)
    assert join(client, accounts, Role.OFFICER, call_world.family_booking).status_code == 200
    client.app.state.clock = lambda: START + timedelta(minutes=30)
    r = join(client, accounts, Role.OFFICER, call_world.family_booking)
    assert r.status_code == 409 and r.json()["code"] == "call_over"


def test_a_cancelled_booking_has_no_call(client, accounts, call_world, db):
    with db.session() as s:
        s.get(VisitBooking, call_world.family_booking).status = "cancelled"
        s.commit()
    r = join(client, accounts, Role.OFFICER, call_world.family_booking)
    assert r.status_code == 409 and r.json()["code"] == "booking_not_joinable"


def test_the_monitor_warns_and_ends_with_a_reason(client, accounts, call_world, db):
    sid = join(client, accounts, Role.OFFICER, call_world.family_booking).json()["session_id"]
    url = f"/api/v1/visits/sessions/{sid}"
    r = client.post(
        f"{url}/warn", json={"note": "请勿谈论案情"}, headers=accounts.headers(Role.COMMANDER)
    )
    assert r.status_code == 200 and r.json()["kind"] == "warned", r.text
    # a side cannot end with the monitor's reasons, and a stranger not at all
    r = client.post(
        f"{url}/end", json={"reason": "violation"}, headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 403
    r = client.post(
        f"{url}/end", json={"reason": "completed"}, headers=accounts.headers(Role.LAWYER)
    )
    assert r.status_code == 403 and r.json()["code"] == "not_a_side"
    r = client.post(
        f"{url}/end", json={"reason": "violation", "note": "谈论案情"},
        headers=accounts.headers(Role.COMMANDER),
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["end_reason"] == "violation", r.text
    again = client.post(
        f"{url}/end", json={"reason": "officer_ended"}, headers=accounts.headers(Role.COMMANDER)
    )
    assert again.status_code == 409 and again.json()["code"] == "session_ended"
    r = join(client, accounts, Role.CITIZEN, call_world.family_booking)
    assert r.status_code == 409  # the booking is completed: no new call
    detail = client.get(url, headers=accounts.headers(Role.AUDITOR)).json()
    assert [e["kind"] for e in detail["events"]] == ["warned", "ended"]
    with db.session() as s:
        assert s.get(VisitBooking, call_world.family_booking).status == "completed"
        actions = s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)).all()
        assert actions[-2:] == ["visits.session_warn", "visits.session_end"]


def test_the_monitor_can_neither_warn_nor_end_a_lawyers_call(client, accounts, call_world):
    sid = join(client, accounts, Role.LAWYER, call_world.lawyer_booking).json()["session_id"]
    url = f"/api/v1/visits/sessions/{sid}"
    h = accounts.headers(Role.COMMANDER)
    r = client.post(f"{url}/warn", json={"note": "x"}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "lawyer_call_not_monitored"
    r = client.post(f"{url}/end", json={"reason": "officer_ended"}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "lawyer_call_not_monitored"
    # the lawyer ends it as a side
    r = client.post(
        f"{url}/end", json={"reason": "completed"}, headers=accounts.headers(Role.LAWYER)
    )
    assert r.status_code == 200 and r.json()["end_reason"] == "completed"


def test_events_are_kept_in_order(client, accounts, call_world, db):
    sid = join(client, accounts, Role.OFFICER, call_world.family_booking).json()["session_id"]
    client.post(
        f"/api/v1/visits/sessions/{sid}/warn",
        json={"note": "一"},
        headers=accounts.headers(Role.OFFICER),
    )
    with db.session() as s:
        kinds = s.scalars(select(VisitSessionEvent.kind).order_by(VisitSessionEvent.id)).all()
    assert kinds == ["warned"]
