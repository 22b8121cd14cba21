"""Guardian and claimant names are kept like phones: encrypted at rest, masked in lists and
reads, in clear only for the audited guardian-contact read (and the hand-over it serves)."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN, raw_table
from tests.services.conftest import GUARDIAN_ID, IMEI, ago, found_body
from tests.services.test_missing_api import API, missing_body

GUARDIAN = "张丽华"


def _profile(client, headers):
    body = {
        "kind": "elder",
        "name": "王大爷",
        "description": "男，白发，戴眼镜",
        "guardian_name": GUARDIAN,
        "guardian_phone": "13712345678",
        "guardian_id_number": GUARDIAN_ID,
    }
    r = client.post(f"{API}/profiles", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_missing_report_guardian_name_is_not_stored_in_clear(client, accounts, db):
    r = client.post(
        API, json=missing_body(guardian_name=GUARDIAN), headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 201, r.text
    stored = raw_table(db, "help_missing_reports")
    assert GUARDIAN not in stored and "张**" in stored


def test_missing_reports_show_the_guardian_name_masked(client, accounts):
    citizen, officer = accounts.headers(Role.CITIZEN), accounts.headers(Role.OFFICER)
    report = client.post(API, json=missing_body(guardian_name=GUARDIAN), headers=citizen).json()
    assert report["guardian_name_masked"] == "张**" and "guardian_name" not in report
    for r in (
        client.get(API, headers=officer),
        client.get(f"{API}/{report['id']}", headers=officer),
    ):
        assert r.status_code == 200 and GUARDIAN not in r.text and "张**" in r.text


def test_guardian_contact_read_shows_the_name_in_clear_and_is_audited(client, accounts):
    report = client.post(
        API, json=missing_body(guardian_name=GUARDIAN), headers=accounts.headers(Role.CITIZEN)
    ).json()
    r = client.get(f"{API}/{report['id']}/guardian", headers=accounts.headers(Role.OFFICER))
    assert r.json() == {"guardian_name": GUARDIAN, "guardian_phone": "13612345678"}
    audit = client.get(
        "/api/v1/audit?action=missing.guardian_read", headers=accounts.headers(Role.AUDITOR)
    ).json()
    assert audit["total"] == 1 and audit["items"][0]["actor"] == "officer1"
    assert GUARDIAN not in str(audit)


def test_at_risk_profile_guardian_name_is_encrypted_and_carried_into_the_report(
    client, accounts, db
):
    citizen = accounts.headers(Role.CITIZEN)
    profile = _profile(client, citizen)
    assert profile["guardian_name_masked"] == "张**"
    assert GUARDIAN not in raw_table(db, "help_at_risk_profiles")
    place = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "last_seen_at": ago(minutes=10)}
    report = client.post(f"{API}/profiles/{profile['id']}/report", json=place, headers=citizen)
    assert report.status_code == 201 and report.json()["guardian_name_masked"] == "张**"
    contact = client.get(
        f"{API}/{report.json()['id']}/guardian", headers=accounts.headers(Role.OFFICER)
    )
    assert contact.json()["guardian_name"] == GUARDIAN


def test_blank_guardian_name_is_refused(client, accounts):
    r = client.post(
        API, json=missing_body(guardian_name="  "), headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 422 and r.json()["code"] == "empty_name"


def test_claimant_name_is_encrypted_and_shown_masked(client, accounts, db):
    lf = "/api/v1/services/lost-found"
    item = client.post(
        f"{lf}/found",
        json=found_body(identifiers={"imei": IMEI}),
        headers=accounts.headers(Role.OFFICER),
    ).json()["item"]
    r = client.post(
        f"{lf}/items/{item['id']}/claims",
        json={"claimant_name": "欧阳娜娜", "identifiers": {"imei": IMEI}},
        headers=accounts.headers(Role.CITIZEN),
    )
    assert r.status_code == 201, r.text
    assert r.json()["claimant_name_masked"] == "欧***" and "欧阳娜娜" not in r.text
    assert "欧阳娜娜" not in raw_table(db, "help_claims")
