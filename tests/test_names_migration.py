"""Migration 0015 on both stores: plain names written before it are encrypted by
`db upgrade` (which hands the key in), and a migration without the key stops, changing nothing."""

from __future__ import annotations

import pytest

from pingan import store
from pingan.auth.roles import Role
from pingan.db import migrate
from tests.helpers import create_incident, raw_table
from tests.services.conftest import GUARDIAN_ID, IMEI, found_body
from tests.services.test_missing_api import API, missing_body

BEFORE = "0014_audit_keyed"
NAMES = {
    "incidents": "李小明",
    "help_missing_reports": "张丽华",
    "help_at_risk_profiles": "赵建国",
    "help_claims": "欧阳娜娜",
}


def _store_with_names(client, accounts) -> dict:
    """One of each: an incident, a missing report, an at-risk profile, a claim."""
    citizen, officer = accounts.headers(Role.CITIZEN), accounts.headers(Role.OFFICER)
    inc = create_incident(
        client, accounts.headers(Role.DISPATCHER), reporter_name=NAMES["incidents"]
    )
    report = client.post(
        API, json=missing_body(guardian_name=NAMES["help_missing_reports"]), headers=citizen
    ).json()
    profile = {
        "kind": "elder",
        "name": "王大爷",
        "description": "男，白发",
        "guardian_name": NAMES["help_at_risk_profiles"],
        "guardian_phone": "13712345678",
        "guardian_id_number": GUARDIAN_ID,
    }
    assert client.post(f"{API}/profiles", json=profile, headers=citizen).status_code == 201
    lf = "/api/v1/services/lost-found"
    item = client.post(f"{lf}/found", json=found_body(identifiers={"imei": IMEI}), headers=officer)
    claim = {"claimant_name": NAMES["help_claims"], "identifiers": {"imei": IMEI}}
    r = client.post(f"{lf}/items/{item.json()['item']['id']}/claims", json=claim, headers=citizen)
    assert r.status_code == 201, r.text
    return {"incident": inc["id"], "report": report["id"]}


def test_db_upgrade_encrypts_names_stored_in_clear_before_it(client, accounts, db, settings, vault):
    ids = _store_with_names(client, accounts)
    migrate.downgrade(db.engine, BEFORE, vault=vault)  # the store as 0014 kept it: plain names
    try:
        for table, name in NAMES.items():
            assert name in raw_table(db, table), table
    finally:
        store.upgrade(db, settings, vault)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    for table, name in NAMES.items():
        stored = raw_table(db, table)
        assert name not in stored and f"{name[0]}*" in stored, table
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    contact = client.get(f"/api/v1/incidents/{ids['incident']}/reporter", headers=disp).json()
    assert contact["reporter_name"] == NAMES["incidents"]
    guardian = client.get(f"{API}/{ids['report']}/guardian", headers=officer).json()
    assert guardian["guardian_name"] == NAMES["help_missing_reports"]
    assert (
        client.get(f"{API}/{ids['report']}", headers=officer).json()["guardian_name_masked"]
        == "张**"
    )


def test_name_migration_without_the_key_stops_on_a_store_with_names(client, accounts, db, vault):
    _store_with_names(client, accounts)
    migrate.downgrade(db.engine, BEFORE, vault=vault)
    try:
        with pytest.raises(RuntimeError, match="pingan db upgrade"):
            migrate.upgrade(db.engine)
        assert NAMES["incidents"] in raw_table(db, "incidents")
    finally:
        migrate.upgrade(db.engine, vault=vault)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
