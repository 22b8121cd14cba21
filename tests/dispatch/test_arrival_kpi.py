"""The response report measures verified arrivals only and says how many were overridden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.auth.roles import Role
from tests.helpers import (
    FOUNTAIN,
    bind,
    create_incident,
    create_unit,
    report_fix,
    response_report,
)


def _sent(client, accounts, call_sign: str, received: datetime) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp, type="theft", received_at=received.isoformat())
    unit = create_unit(client, accounts.headers(Role.COMMANDER), call_sign)
    bind(client, accounts, unit["id"])
    base = f"/api/v1/incidents/{inc['id']}"
    at = (received + timedelta(seconds=5)).isoformat()
    assert client.post(
        f"{base}/dispatch", json={"unit_ids": [unit["id"]], "at": at}, headers=disp
    ).is_success
    return base, unit["id"]


def test_overridden_arrival_is_flagged_and_left_out_of_compliance(client, accounts):
    officer, disp = accounts.headers(Role.OFFICER), accounts.headers(Role.DISPATCHER)
    received = datetime.now(UTC) - timedelta(minutes=20)
    # verified: a fix at the scene when the unit says it arrived, 200 s after the call
    base, unit = _sent(client, accounts, "巡K1", received)
    arrived = received + timedelta(seconds=200)
    report_fix(client, officer, unit, FOUNTAIN, arrived)
    r = client.post(
        f"{base}/units/{unit}/on-scene", json={"at": arrived.isoformat()}, headers=officer
    )
    assert r.status_code == 200, r.text
    # a "10-second response" with the unit 2 km away: refused, then accepted by override
    base, unit = _sent(client, accounts, "巡K2", received)
    quick = (received + timedelta(seconds=10)).isoformat()
    report_fix(client, officer, unit, (FOUNTAIN[0] + 0.0234, FOUNTAIN[1]))
    refused = client.post(f"{base}/units/{unit}/on-scene", json={"at": quick}, headers=officer)
    assert refused.status_code == 409
    r = client.post(
        f"{base}/units/{unit}/on-scene",
        json={"at": quick, "override_reason": "定位漂移 / GPS drift"},
        headers=disp,
    )
    assert r.status_code == 200 and r.json()["arrival_check"] == "overridden"

    (row,) = response_report(client, accounts, received - timedelta(seconds=1))["rows"]
    assert (row["responded"], row["verified"], row["overridden"], row["unverified"]) == (2, 1, 1, 0)
    # the 10 s override does not count: the only measured arrival took 200 s
    assert row["within"]["tier1"] == 0 and row["within"]["tier5"] == 1
    assert row["p50_s"] == 200
