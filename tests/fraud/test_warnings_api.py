"""Early warnings through the API on a pinned clock: fraud numbers, the contact feed (all or
nothing), grading into one open warning per person that only rises, assignment, the officer's
own tasks and the closed loop, masking, audit and the live event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.fraud.models import FraudContact, FraudNumber, FraudWarning
from pingan.fraud.warnings import numbers
from pingan.live.hub import LiveEvent
from pingan.live.router import visible
from tests.fraud.warn_world import API, FRAUD, OTHER, PERSON, feed, officer, pin, reported_case


@pytest.fixture
def clock(client, accounts):  # type: ignore[no-untyped-def]
    return pin(client)


@pytest.fixture
def boss(accounts):  # type: ignore[no-untyped-def]
    return accounts.headers(Role.COMMANDER)


@pytest.fixture
def known(client, clock, boss):  # type: ignore[no-untyped-def]
    """Two known fraud numbers."""
    csv = f"number,fraud_type,source\n{FRAUD},authority,feed\n+86 170-1234-5678,rebate,\n"
    r = client.post(f"{API}/numbers/import", json={"csv": csv}, headers=boss)
    assert r.status_code == 200 and r.json() == {"rows": 2, "added": 2, "known": 0}, r.text


def _import(client, headers, csv: str, status: int = 200):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/contacts/import", json={"csv": csv}, headers=headers)
    assert r.status_code == status, r.text
    return r.json()


def _warnings(client, headers, **params):  # type: ignore[no-untyped-def]
    r = client.get(f"{API}/warnings", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _one(client, headers):  # type: ignore[no-untyped-def]
    items = _warnings(client, headers)["items"]
    assert len(items) == 1, items
    return items[0]


# -- numbers ------------------------------------------------------------------------------------
def test_a_number_is_normalised_once_and_only_managers_add_numbers(client, clock, accounts, boss):  # type: ignore[no-untyped-def]
    r = client.post(
        f"{API}/numbers", json={"number": "+86 138-0013-8000", "fraud_type": "loan"}, headers=boss
    )
    assert r.status_code == 201, r.text
    assert r.json()["number"] == "13800138000" and r.json()["source"] == "officer"
    again = client.post(f"{API}/numbers", json={"number": "0086 13800138000"}, headers=boss)
    assert again.status_code == 409 and again.json()["code"] == "number_known"
    abroad = client.post(f"{API}/numbers", json={"number": "+1 (415) 555-0100"}, headers=boss)
    assert abroad.json()["number"] == "0014155550100"
    for bad in ("12a45", "1234", "1" * 21):
        r = client.post(f"{API}/numbers", json={"number": bad}, headers=boss)
        assert r.status_code == 422 and r.json()["code"] == "bad_number", bad
    r = client.post(f"{API}/numbers", json={"number": "95099", "fraud_type": "magic"}, headers=boss)
    assert r.status_code == 422 and r.json()["code"] == "bad_fraud_type"
    r = client.post(
        f"{API}/numbers", json={"number": "95099"}, headers=accounts.headers(Role.OFFICER)
    )
    assert r.status_code == 403
    listed = client.get(f"{API}/numbers?q=138", headers=accounts.headers(Role.AUDITOR)).json()
    assert [n["number"] for n in listed["items"]] == ["13800138000"]


def test_a_numbers_file_with_bad_rows_is_refused_whole_naming_each_row(client, clock, boss):  # type: ignore[no-untyped-def]
    csv = (
        "number,fraud_type,source\n95011111111,loan,feed\nabc,loan,feed\n"
        "95022222222,nope,\n95033333333,,police\n"
    )
    r = client.post(
        f"{API}/numbers/import", json={"csv": csv}, headers={**boss, "Accept-Language": "en"}
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_file"
    detail = r.json()["detail"]
    assert "row 3 [bad_number]" in detail and "row 4 [bad_fraud_type]" in detail
    assert "row 5 [bad_source]" in detail and "row 2" not in detail
    assert client.get(f"{API}/numbers", headers=boss).json()["total"] == 0
    r = client.post(f"{API}/numbers/import", json={"csv": "phone\n123\n"}, headers=boss)
    assert r.status_code == 422 and "bad_header" in r.json()["detail"]


def test_numbers_already_known_are_counted_not_added_again(client, clock, boss, known):  # type: ignore[no-untyped-def]
    csv = f"number,fraud_type,source\n{FRAUD},,\n95044444444,,\n95044444444,,\n"
    r = client.post(f"{API}/numbers/import", json={"csv": csv}, headers=boss)
    assert r.json() == {"rows": 3, "added": 1, "known": 2}


# -- the feed -----------------------------------------------------------------------------------
def test_a_feed_stores_known_contacts_sealed_and_lists_them_masked(
    client, db, vault, clock, boss, known
):  # type: ignore[no-untyped-def]
    now = clock.now
    csv = feed(
        (FRAUD, PERSON, "call", 75, now - timedelta(minutes=20)),
        ("95000000000", "13700000000", "call", 300, now - timedelta(minutes=10)),  # unknown
    )
    got = _import(client, boss, csv)
    assert got["rows"] == 2 and got["stored"] == 1 and got["unknown_numbers"] == 1
    assert len(got["created"]) == 1 and got["created"][0].startswith("YJ20261002-")
    w = _one(client, boss)
    assert w["grade"] == "high" and w["status"] == "new"
    assert [r["code"] for r in w["reasons"]] == ["long_call"] and w["reasons"][0]["text"]
    assert w["person_phone_masked"] == "139****5678" and w["numbers"] == [FRAUD]
    assert w["fraud_type"] == "authority"
    assert w["due_at"] == (now + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    body = client.get(f"{API}/warnings", headers=boss).text
    assert PERSON not in body
    with db.session() as s:
        contact = s.scalars(select(FraudContact)).one()
        assert (
            PERSON not in contact.person_phone_enc
            and vault.decrypt(contact.person_phone_enc) == PERSON
        )
        assert contact.person_phone_masked == "139****5678"
        details = " ".join(str(a.detail) for a in s.scalars(select(AuditRecord)))
        assert PERSON not in details
    again = _import(client, boss, csv)  # the same feed again: nothing new
    assert again["stored"] == 0 and again["duplicates"] == 1 and again["created"] == []


def test_a_json_feed_is_read_like_the_csv(client, clock, boss, known):  # type: ignore[no-untyped-def]
    at = (clock.now - timedelta(minutes=5)).isoformat()
    items = [{"number": OTHER, "person_phone": PERSON, "kind": "sms", "duration_s": 0, "at": at}]
    r = client.post(f"{API}/contacts/import", json={"items": items}, headers=boss)
    assert r.status_code == 200 and r.json()["stored"] == 1, r.text
    w = _one(client, boss)
    assert w["grade"] == "low" and w["fraud_type"] == "rebate"


def test_a_bad_feed_stores_nothing_and_names_each_bad_row(client, db, clock, boss, known):  # type: ignore[no-untyped-def]
    now = clock.now
    en = {**boss, "Accept-Language": "en"}
    csv = feed(
        (FRAUD, PERSON, "call", 75, now - timedelta(minutes=20)),  # fine
        (FRAUD, "12345", "call", 5, now),  # line 3: not a phone
        (FRAUD, PERSON, "fax", 5, now),  # line 4
        (FRAUD, PERSON, "call", -3, now),  # line 5
        (FRAUD, PERSON, "call", 5, "2026-10-02T09:00:00"),  # line 6: no offset
        (FRAUD, PERSON, "call", 5, now + timedelta(minutes=1)),  # line 7: in the future
    )
    r = client.post(
        f"{API}/contacts/import", json={"csv": csv}, headers={**boss, "Accept-Language": "en"}
    )
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    for line, code in (
        (3, "bad_phone"),
        (4, "bad_kind"),
        (5, "bad_duration"),
        (6, "bad_time"),
        (7, "time_in_future"),
    ):
        assert f"row {line} [{code}]" in detail, detail
    assert "row 2 " not in detail and "the file has 5 problems" in detail
    items = [
        {"number": FRAUD, "person_phone": PERSON, "kind": "sms", "at": now.isoformat()},
        "x",
        {"number": "1"},
    ]
    r = client.post(
        f"{API}/contacts/import", json={"items": items}, headers={**boss, "Accept-Language": "en"}
    )
    assert (
        r.status_code == 422
        and "row 2 [bad_item]" in r.json()["detail"]
        and "row 3 [bad_number]" in r.json()["detail"]
    )
    at = now.isoformat()
    negative = [
        {"number": FRAUD, "person_phone": PERSON, "kind": "call", "duration_s": -3, "at": at}
    ]
    r = client.post(f"{API}/contacts/import", json={"items": negative}, headers=en)
    assert r.status_code == 422 and "row 1 [bad_duration]" in r.json()["detail"]
    r = client.post(f"{API}/contacts/import", json={"csv": csv, "items": []}, headers=boss)
    assert r.status_code == 422 and r.json()["code"] == "feed_csv_or_items"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FraudContact)) == 0
        assert s.scalar(select(func.count()).select_from(FraudWarning)) == 0


# -- grading through the feed ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rows", "grade", "reason"),
    [
        ([("call", 60, 20)], "high", "long_call"),
        ([("sms", 0, 600), ("app", 0, 300), ("call", 3, 10)], "high", "repeated_contacts"),
        ([("call", 30, 20)], "medium", "medium_call"),
        ([("sms", 0, 600), ("sms", 0, 10)], "medium", "two_contacts"),
        ([("sms", 0, 10)], "low", "message"),
        ([("call", 4, 10)], "low", "short_call"),
    ],
)
def test_each_rule_grades_the_warning(client, clock, boss, known, rows, grade, reason):  # type: ignore[no-untyped-def]
    csv = feed(*((FRAUD, PERSON, k, d, clock.now - timedelta(minutes=m)) for k, d, m in rows))
    _import(client, boss, csv)
    w = _one(client, boss)
    assert w["grade"] == grade and w["reasons"][0]["code"] == reason


def test_a_number_tied_to_a_case_makes_a_message_high(client, db, vault, clock, boss, known):  # type: ignore[no-untyped-def]
    case_id = reported_case(db, vault, clock.now - timedelta(days=1))
    with db.session() as s:
        s.scalars(select(FraudNumber).where(FraudNumber.number == OTHER)).one().case_id = case_id
        s.commit()
    _import(client, boss, feed((OTHER, PERSON, "sms", 0, clock.now - timedelta(days=2))))
    w = _one(client, boss)
    assert (
        w["grade"] == "high"
        and w["reasons"][0]["code"] == "case_number"
        and w["case_id"] == case_id
    )


def test_contacts_older_than_the_lookback_raise_no_warning(client, clock, boss, known):  # type: ignore[no-untyped-def]
    got = _import(client, boss, feed((FRAUD, PERSON, "call", 300, clock.now - timedelta(days=8))))
    assert got["stored"] == 1 and got["created"] == []
    assert _warnings(client, boss)["total"] == 0


def test_one_open_warning_per_person_whose_grade_only_rises(client, clock, boss, known):  # type: ignore[no-untyped-def]
    _import(client, boss, feed((FRAUD, PERSON, "sms", 0, clock.now - timedelta(minutes=1))))
    low = _one(client, boss)
    assert low["grade"] == "low"
    clock.advance(hours=1)
    got = _import(
        client, boss, feed((OTHER, "139 1234 5678", "call", 120, clock.now - timedelta(minutes=1)))
    )
    assert got["upgraded"] == [low["warning_no"]] and got["created"] == []
    high = _one(client, boss)
    assert high["warning_no"] == low["warning_no"] and high["grade"] == "high"
    assert [r["code"] for r in high["reasons"]] == ["message", "long_call", "two_contacts"]
    assert high["numbers"] == sorted([FRAUD, OTHER])
    assert high["due_at"] < low["due_at"]  # a higher grade is due sooner
    clock.advance(days=3)  # the call falls out of the lookback: a new message cannot lower it
    _import(client, boss, feed((FRAUD, PERSON, "sms", 0, clock.now - timedelta(minutes=1))))
    assert _one(client, boss)["grade"] == "high"


# -- tasks and the closed loop -------------------------------------------------------------------
@pytest.fixture
def warning(client, clock, boss, known):  # type: ignore[no-untyped-def]
    _import(client, boss, feed((FRAUD, PERSON, "call", 30, clock.now - timedelta(minutes=5))))
    return _one(client, boss)


def test_assign_only_to_an_active_officer_and_only_by_managers(
    client, db, vault, clock, accounts, boss, warning
):  # type: ignore[no-untyped-def]
    url = f"{API}/warnings/{warning['id']}/assign"
    for who in ("dispatcher1", "nobody", "auditor1"):
        r = client.post(url, json={"officer": who}, headers=boss)
        assert r.status_code == 422 and r.json()["code"] == "not_an_officer", who
    r = client.post(url, json={"officer": "officer1"}, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403
    r = client.post(url, json={"officer": "officer1"}, headers=accounts.headers(Role.DISPATCHER))
    assert (
        r.status_code == 200
        and r.json()["status"] == "assigned"
        and r.json()["assigned_to"] == "officer1"
    )
    with db.session() as s:
        audit = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "fraud.warning_assigned")
        ).one()
        assert audit.actor == "dispatcher1" and audit.object_id == str(warning["id"])
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "fraud.warning")).all()
        assert [e.payload["change"] for e in events] == ["created", "assigned"]
        assert all(PERSON not in str(e.payload) for e in events)


def test_an_officer_works_only_their_own_tasks(client, db, vault, clock, accounts, boss, warning):  # type: ignore[no-untyped-def]
    other = officer(client, db, vault, "officer2")
    mine = accounts.headers(Role.OFFICER)
    client.post(
        f"{API}/warnings/{warning['id']}/assign", json={"officer": "officer1"}, headers=boss
    )
    assert [w["id"] for w in client.get(f"{API}/warnings/mine", headers=mine).json()["items"]] == [
        warning["id"]
    ]
    assert client.get(f"{API}/warnings/mine", headers=other).json()["items"] == []
    body = {"outcome": "dissuaded", "note": "已电话劝阻", "contacted_at": clock.now.isoformat()}
    r = client.post(f"{API}/warnings/{warning['id']}/outcome", json=body, headers=other)
    assert r.status_code == 403 and r.json()["code"] == "not_your_task"
    assert client.get(f"{API}/warnings/{warning['id']}/phone", headers=other).status_code == 403
    r = client.get(f"{API}/warnings/{warning['id']}/phone", headers=mine)
    assert r.status_code == 200 and r.json()["phone"] == PERSON
    r = client.post(
        f"{API}/warnings/{warning['id']}/outcome", json=body, headers=accounts.headers(Role.AUDITOR)
    )
    assert r.status_code == 403
    with db.session() as s:
        read = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "fraud.warning_phone_read")
        ).one()
        assert read.actor == "officer1"


def test_the_closed_loop_unreachable_then_dissuaded(client, clock, accounts, boss, warning):  # type: ignore[no-untyped-def]
    mine = accounts.headers(Role.OFFICER)
    url = f"{API}/warnings/{warning['id']}/outcome"
    client.post(
        f"{API}/warnings/{warning['id']}/assign", json={"officer": "officer1"}, headers=boss
    )
    created = clock.now
    clock.advance(minutes=10)

    def report(outcome: str, at, note: str = "拨打两次无人接听"):  # type: ignore[no-untyped-def]
        return client.post(
            url,
            json={"outcome": outcome, "note": note, "contacted_at": at.isoformat()},
            headers=mine,
        )

    r = report("unreachable", clock.now + timedelta(minutes=1))
    assert r.status_code == 422 and r.json()["code"] == "contacted_in_future"
    r = report("unreachable", created.replace(second=0) - timedelta(seconds=1))
    assert r.status_code == 422 and r.json()["code"] == "contacted_before_warning"
    r = report("unreachable", clock.now, note="  ")
    assert r.status_code == 422
    r = report("unreachable", clock.now)
    assert r.status_code == 200, r.text
    w = r.json()
    assert w["status"] == "assigned" and w["outcome"] == "unreachable" and w["attempts"] == 1
    clock.advance(minutes=20)
    w = report("dissuaded", clock.now, note="已电话劝阻，当事人停止转账").json()
    assert w["status"] == "closed" and w["outcome"] == "dissuaded" and w["attempts"] == 1
    assert w["closed_at"] is not None and w["overdue"] is False
    r = report("false_alarm", clock.now)
    assert r.status_code == 409 and r.json()["code"] == "warning_closed"
    r = client.post(
        f"{API}/warnings/{warning['id']}/assign", json={"officer": "officer1"}, headers=boss
    )
    assert r.status_code == 409
    assert client.get(f"{API}/warnings/mine?status=closed", headers=mine).json()["total"] == 1
    # a later contact opens a new warning; the closed one's contacts do not count again
    clock.advance(minutes=5)
    got = _import(client, boss, feed((FRAUD, PERSON, "sms", 0, clock.now - timedelta(minutes=1))))
    assert len(got["created"]) == 1 and got["created"][0] != warning["warning_no"]
    fresh = _warnings(client, boss, status="new")["items"][0]
    assert fresh["grade"] == "low" and [r["code"] for r in fresh["reasons"]] == ["message"]


def test_overdue_tasks_are_flagged_and_filtered(client, clock, boss, warning):  # type: ignore[no-untyped-def]
    assert warning["overdue"] is False and warning["grade"] == "medium"
    clock.advance(hours=4, minutes=1)
    late = _warnings(client, boss, overdue="true")
    assert late["total"] == 1 and late["items"][0]["overdue"] is True
    assert _warnings(client, boss, overdue="false")["total"] == 0
    assert _warnings(client, boss, grade="high")["total"] == 0
    assert _warnings(client, boss, grade="medium", status="new")["total"] == 1
    r = client.get(f"{API}/warnings?grade=urgent", headers=boss)
    assert r.status_code == 422


def test_a_manager_may_record_the_outcome_of_a_call_they_made(client, clock, accounts, warning):  # type: ignore[no-untyped-def]
    body = {
        "outcome": "already_lost",
        "note": "当事人已转账，转报案",
        "contacted_at": clock.now.isoformat(),
    }
    r = client.post(
        f"{API}/warnings/{warning['id']}/outcome",
        json=body,
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "closed"
        and r.json()["assigned_to"] == "dispatcher1"
    )


def test_the_case_intake_ties_a_number_to_its_case(client, db, vault, clock, boss, known):  # type: ignore[no-untyped-def]
    case_id = reported_case(db, vault, clock.now)
    with db.session() as s:
        numbers.link_case(
            s,
            Actor.system("intake"),
            number="+86 " + FRAUD,
            case_id=case_id,
            fraud_type=None,
            now=clock.now,
        )
        new = numbers.link_case(
            s,
            Actor.system("intake"),
            number="95066666666",
            case_id=case_id,
            fraud_type="loan",
            now=clock.now,
        )
        assert new.source == "case"
        s.commit()
    listed = {n["number"]: n for n in client.get(f"{API}/numbers", headers=boss).json()["items"]}
    assert listed[FRAUD]["case_id"] == case_id and listed[FRAUD]["source"] == "feed"
    assert listed["95066666666"]["case_id"] == case_id


def test_the_live_stream_shows_warnings_to_those_who_read_them() -> None:
    event = LiveEvent(1, "fraud.warning", {"warning_id": 1})
    for role, seen in (
        (Role.AUDITOR, True),
        (Role.OFFICER, True),
        (Role.CITIZEN, False),
        (Role.ADMIN, False),
    ):
        assert visible(Actor(1, "x", role), event) is seen, role
