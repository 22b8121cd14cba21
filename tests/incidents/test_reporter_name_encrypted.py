"""The reporter's name is kept like the phone: encrypted at rest, masked in reads, shown in
clear only through the audited reporter-contact read."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import create_incident, raw_table

NAME = "李小明"


def test_reporter_name_is_not_stored_in_clear(client, accounts, db):
    create_incident(client, accounts.headers(Role.DISPATCHER), reporter_name=NAME)
    stored = raw_table(db, "incidents")
    assert NAME not in stored and "李**" in stored


def test_incident_list_and_read_show_the_reporter_name_masked(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp, reporter_name=NAME)
    assert inc["reporter_name_masked"] == "李**" and "reporter_name" not in inc
    listed = client.get("/api/v1/incidents", headers=disp)
    one = client.get(f"/api/v1/incidents/{inc['id']}", headers=disp)
    for r in (listed, one):
        assert r.status_code == 200 and NAME not in r.text and "李**" in r.text


def test_reporter_contact_read_shows_the_name_in_clear_and_is_audited(client, accounts):
    inc = create_incident(client, accounts.headers(Role.DISPATCHER), reporter_name=f" {NAME} ")
    r = client.get(
        f"/api/v1/incidents/{inc['id']}/reporter", headers=accounts.headers(Role.DISPATCHER)
    )
    assert r.status_code == 200 and r.json()["reporter_name"] == NAME
    audit = client.get(
        "/api/v1/audit?action=incident.read_pii", headers=accounts.headers(Role.AUDITOR)
    ).json()
    assert audit["total"] == 1 and audit["items"][0]["object_id"] == str(inc["id"])
    assert NAME not in str(audit)


def test_incident_without_a_reporter_name_stores_none(client, accounts):
    inc = create_incident(client, accounts.headers(Role.DISPATCHER), reporter_name=None)
    assert inc["reporter_name_masked"] is None
    r = client.get(
        f"/api/v1/incidents/{inc['id']}/reporter", headers=accounts.headers(Role.DISPATCHER)
    )
    assert r.json()["reporter_name"] is None
