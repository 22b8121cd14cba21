"""A unit sent by hand keeps the platform's own ETA, so every dispatch's prediction is measured
against the trip it made; the response report and its CLI give the ETA error."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from pingan.auth.roles import Role
from tests.helpers import (
    FOUNTAIN,
    bind,
    create_incident,
    create_unit,
    report_fix,
    response_report,
)

AWAY = (FOUNTAIN[0] + 0.009, FOUNTAIN[1] + 0.004)  # about 900 m off by road


def _route_eta(client, accounts, unit_id: int) -> float:  # type: ignore[no-untyped-def]
    r = client.get(
        f"/api/v1/units/{unit_id}/route",
        params={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200, r.text
    return r.json()["eta_s"]


def test_a_unit_sent_by_hand_is_measured_against_its_trip(client, accounts):
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    received = datetime.now(UTC) - timedelta(minutes=30)
    inc = create_incident(client, disp, type="theft", received_at=received.isoformat())
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡E1")
    bind(client, accounts, unit["id"])
    report_fix(client, officer, unit["id"], AWAY, received)
    predicted = _route_eta(client, accounts, unit["id"])
    assert predicted > 0

    base = f"/api/v1/incidents/{inc['id']}"
    sent = received + timedelta(seconds=20)
    r = client.post(
        f"{base}/dispatch", json={"unit_ids": [unit["id"]], "at": sent.isoformat()}, headers=disp
    )
    assert r.status_code == 200, r.text
    (assignment,) = r.json()["assignments"]
    assert assignment["eta_s"] == pytest.approx(predicted)

    off = sent + timedelta(seconds=10)
    for step in ("acknowledge", "en-route"):
        step_r = client.post(
            f"{base}/units/{unit['id']}/{step}", json={"at": off.isoformat()}, headers=officer
        )
        assert step_r.status_code == 200, step_r.text
    there = off + timedelta(seconds=predicted + 90)  # 90 s longer than the platform said
    report_fix(client, officer, unit["id"], FOUNTAIN, there)
    arrived = client.post(
        f"{base}/units/{unit['id']}/on-scene", json={"at": there.isoformat()}, headers=officer
    )
    assert arrived.status_code == 200 and arrived.json()["arrival_check"] == "verified"

    eta = response_report(client, accounts, received - timedelta(seconds=1))["eta"]
    assert eta["arrivals"] == 1
    assert eta["bias_s"] == pytest.approx(90, abs=1) and eta["median_abs_s"] == pytest.approx(
        90, abs=1
    )


def test_a_unit_without_a_place_is_sent_all_the_same_without_an_eta(client, accounts):
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp, type="theft")
    unit = create_unit(
        client, accounts.headers(Role.COMMANDER), "步E2", kind="foot_patrol", post_lon=None,
        post_lat=None,
    )  # fmt: skip
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp
    )
    assert r.status_code == 200, r.text
    assert r.json()["assignments"][0]["eta_s"] is None
    empty = client.get("/api/v1/reports/response", headers=accounts.headers(Role.COMMANDER))
    assert empty.json()["eta"] == {
        "arrivals": 0, "bias_s": None, "median_abs_s": None, "p90_abs_s": None
    }  # fmt: skip


def _pingan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pingan.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_the_response_report_command_says_when_there_is_no_store_and_prints_the_eta_error(
    tmp_path,
):
    data = str(tmp_path / "data")
    for report in (["report", "response"], ["report", "services"]):
        fresh = _pingan(*report, "--data-dir", data)
        assert fresh.returncode == 2 and "pingan db upgrade" in fresh.stderr, fresh.stderr
        assert "Traceback" not in fresh.stderr
    assert _pingan("db", "upgrade", "--data-dir", data).returncode == 0
    out = _pingan("report", "response", "--data-dir", data)
    assert out.returncode == 0, out.stderr
    assert "预计到达误差" in out.stdout and "0 次到场" in out.stdout  # a bare machine: Chinese
