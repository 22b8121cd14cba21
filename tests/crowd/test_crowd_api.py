"""Crowd monitoring over HTTP on both stores: a build-up warns before it crosses, ingest is
idempotent and tolerant of late readings, bad readings are refused, silence is not empty."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.crowd import service
from pingan.crowd.models import CountReading
from pingan.geo.city import load_city

START = datetime.now(UTC)  # set afresh before each test (below)


@pytest.fixture(autouse=True)
def _start_now() -> None:
    """Readings end just before the test runs: a start fixed when the module is collected
    would make the newest reading stale (status "unknown") on a slow run."""
    global START
    START = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1300)


def reading(t: float, count: float, source="cam-b3", kind="camera", area="bridge_3", **extra):
    return {
        "source_id": source,
        "area_code": area,
        "kind": kind,
        "at": (START + timedelta(seconds=t)).isoformat(),
        "count": count,
        **extra,
    }


def post(client, accounts, *readings, lang: str | None = None):
    lang_header = {"Accept-Language": lang} if lang else {}
    return client.post(
        "/api/v1/crowd/readings",
        json={"readings": list(readings)},
        headers={**accounts.headers(Role.OFFICER), **lang_header},
    )


def test_a_build_up_warns_minutes_before_the_level_is_reached(client, accounts, db):
    alerts = []
    for step in range(0, 130):
        t = step * 10
        r = post(client, accounts, reading(t, 5000 + 5 * t))
        assert r.status_code == 200, r.text
        alerts += [(t, a) for a in r.json()["alerts"]]
    warnings = [(t, a) for t, a in alerts if a["kind"] == "early_warning"]
    changes = [(t, a) for t, a in alerts if a["kind"] == "level_changed"]
    assert [a["level"] for _, a in changes] == ["yellow", "orange", "red"]
    first_orange = next(t for t, a in changes if a["level"] == "orange")
    orange_warning = next(t for t, a in warnings if a["level"] in ("orange", "red"))
    assert first_orange - orange_warning >= 300  # five minutes' notice at least
    assert (
        "分钟" in warnings[0][1]["text_zh"]
        and "unless inflow is reduced" in warnings[0][1]["text_en"]
    )
    assert "建议" in changes[1][1]["text_zh"]
    status = {
        a["area_code"]: a
        for a in client.get("/api/v1/crowd/areas", headers=accounts.headers(Role.DISPATCHER)).json()
    }
    assert status["bridge_3"]["level"] == "red" and status["bridge_3"]["count"] > 9000
    assert status["museum"]["level"] == "unknown" and status["museum"]["count"] is None
    with db.session() as s:
        kinds = {e.type for e in s.execute(select(OutboxEvent)).scalars()}
    assert {"crowd.level_changed", "crowd.early_warning"} <= kinds
    hist = client.get(
        "/api/v1/crowd/areas/bridge_3/history",
        params={"since": START.isoformat()},
        headers=accounts.headers(Role.DISPATCHER),
    ).json()
    assert len(hist) == 130 and hist[-1]["level"] == "red"


def test_ingest_is_idempotent_and_keeps_late_readings(client, accounts, db):
    batch = [reading(0, 100), reading(10, 110), reading(20, 120)]
    assert post(client, accounts, *batch).json()["accepted"] == 3
    again = post(client, accounts, *batch).json()
    assert again["accepted"] == 0 and again["duplicates"] == 3
    late = post(client, accounts, reading(5, 105)).json()
    assert late["accepted"] == 1
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(CountReading)).scalar_one() == 4
    hist = client.get(
        "/api/v1/crowd/areas/bridge_3/history",
        params={"since": START.isoformat()},
        headers=accounts.headers(Role.DISPATCHER),
    ).json()
    assert [h["count"] for h in hist] == [120]  # judged once at the newest; the late one not


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (reading(0, 10, area="atlantis"), "unknown area"),
        (reading(0, -5), "non-negative"),
        (reading(0, 10**6), "sensor suspect"),
        ({**reading(0, 10), "at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "future"),
        (reading(0, 10, kind="tarot"), "unknown kind"),
        (reading(0, 10, entered=-1), "non-negative"),
    ],
)
def test_bad_readings_are_refused_and_nothing_is_stored(client, accounts, db, bad, why):
    r = post(client, accounts, reading(0, 50, source="ok-1"), bad, lang="en")
    assert r.status_code == 422 and why in r.json()["detail"]
    zh = post(client, accounts, reading(0, 50, source="ok-1"), bad)
    assert zh.json()["code"] == r.json()["code"] and "#1: " in zh.json()["detail"]
    assert re.search(r"[\u4e00-\u9fff]", zh.json()["detail"]) and why not in zh.json()["detail"]
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(CountReading)).scalar_one() == 0


def test_a_source_cannot_switch_area(client, accounts):
    post(client, accounts, reading(0, 10))
    r = post(client, accounts, reading(10, 10, area="museum"))
    assert r.status_code == 422 and r.json()["code"] == "source_mismatch"


def test_a_silent_sensor_is_an_alert_and_never_an_empty_area(client, accounts, db, tmp_path):
    post(client, accounts, reading(0, 800), reading(0, 780, source="wifi-b3", kind="wifi"))
    city = load_city(cache_dir=tmp_path)
    with db.session() as s:
        alerts = service.check_silent(s, city, now=START + timedelta(minutes=10))
        assert {a.data["source_id"] for a in alerts} == {"cam-b3", "wifi-b3"}
        assert "不是空" in alerts[0].text_zh
        assert service.check_silent(s, city, now=START + timedelta(minutes=20)) == []  # once
    status = {
        a["area_code"]: a
        for a in client.get("/api/v1/crowd/areas", headers=accounts.headers(Role.DISPATCHER)).json()
    }
    assert status["bridge_3"]["level"] == "unknown" and status["bridge_3"]["count"] is None
    assert set(status["bridge_3"]["silent_sources"]) == {"cam-b3", "wifi-b3"}
    page = client.get(
        "/api/v1/crowd/alerts?area=bridge_3", headers=accounts.headers(Role.DISPATCHER)
    ).json()
    assert page["total"] >= 2
