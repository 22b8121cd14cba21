"""A short seeded holiday stretch through the deployment, help-service and device paths."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pingan.app import create_app
from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.deployment import service as deployment
from pingan.devices import service as devices
from pingan.devices.config import DeviceSettings
from pingan.devices.hub import DeviceHub
from pingan.services.models import Breakdown, CarFind, HelpItem, MissingReport
from pingan.sim.day import LOCAL, SimConfig
from pingan.sim.devices import DEVICE_KINDS, serial_for
from pingan.sim.run import DayReport, run_headless
from pingan.units import service as units

READER = Actor.system("test")
HOURS = 2.0
# help cases often enough that every service's flow runs to its end within two simulated
# minutes; 110 calls only a little busier than the day, so units also stand at their posts
CONFIG = SimConfig(day_kind="holiday", rate_scale=3, help_scale=60, tick_s=30)


def _daytime_start(now: datetime) -> datetime:
    """The latest stretch within the last day that starts between 10:00 and 17:30 local time,
    so the run sees daytime visitors whenever the tests run (and one shift's plan)."""
    local = (
        (now - timedelta(hours=HOURS, minutes=1)).astimezone(LOCAL).replace(second=0, microsecond=0)
    )
    opens, closes = local.replace(hour=10, minute=0), local.replace(hour=17, minute=30)
    if local < opens:
        local = closes - timedelta(days=1)
    return min(local, closes)


START = _daytime_start(utcnow())


@dataclass
class Day:
    settings: Settings
    report: DayReport
    hub: DeviceHub
    passwords: dict[str, str]


def _simulate(path: Path) -> Day:
    settings = Settings(data_dir=path, database_url=None)
    accounts = build_demo(settings, sample_incidents=False)
    db = Database(settings.resolved_database_url)
    hub = DeviceHub(db, DeviceSettings(device_state_interval_s=0.0))
    try:
        report = run_headless(settings, CONFIG, HOURS, start=START, hub=hub)
    finally:
        db.dispose()
    return Day(settings, report, hub, {name: pw for name, _, pw in accounts})


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    return _simulate(tmp_path_factory.mktemp("sim-day"))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot((a[0] - b[0]) * 85_000, (a[1] - b[1]) * 111_000)


def test_units_stand_on_the_approved_plans_posts(day: Day):
    db = Database(day.settings.resolved_database_url)
    try:
        with db.session() as session:
            plans, _ = deployment.list_plans(session, READER, day=None, limit=10, offset=0)
            approved = [p for p in plans if p.status == "approved"]
            assert approved and approved[0].approved_by == "commander"  # the duty commander
            posts = deployment.plan_posts(session, READER, approved[0].id)
            # every position a crew reported went through the units service and its audit
            fixes = session.execute(
                select(AuditRecord.object_id, AuditRecord.detail).where(
                    AuditRecord.action == "unit.position", AuditRecord.at >= approved[0].approved_at
                )
            ).all()
    finally:
        db.dispose()
    assert len(posts) >= 10 and day.report.figures.plans >= 1
    seen: dict[int, list[tuple[float, float]]] = {}
    for unit_id, detail in fixes:
        seen.setdefault(int(unit_id), []).append((detail["lon"], detail["lat"]))
    reached = []
    for post in posts:
        line = shapely.LineString(post.loop["coords"]) if post.loop else None
        reached.append(
            any(
                _metres(p, (post.lon, post.lat)) <= 30
                or (line is not None and line.distance(shapely.Point(p)) * 111_000 <= 30)
                for p in seen.get(post.unit_id, [])
            )
        )
    # each unit drove or walked to its post (a few were sent to calls on the way)
    assert sum(reached) >= 0.6 * len(posts), reached
    patrolled = [
        post
        for post in posts
        if post.loop
        and any(
            _metres(p, (post.lon, post.lat)) > 20
            and shapely.LineString(post.loop["coords"]).distance(shapely.Point(p)) * 111_000 <= 5
            for p in seen.get(post.unit_id, [])
        )
    ]
    assert patrolled  # foot posts walk their loop between calls (动中备勤)


def test_help_services_counts_come_from_the_stored_cases(day: Day):
    s = day.report.services
    assert s is not None
    db = Database(day.settings.resolved_database_url)
    try:
        with db.session() as session:

            def n(model, *where) -> int:  # type: ignore[no-untyped-def]
                return session.scalar(select(func.count()).select_from(model).where(*where))

            stored = {
                "lost_reports": n(HelpItem, HelpItem.kind == "lost"),
                "found_items": n(HelpItem, HelpItem.kind == "found"),
                "items_returned": n(
                    HelpItem, HelpItem.kind == "found", HelpItem.status == "returned"
                ),
                "missing_reported": n(MissingReport),
                "missing_found": n(MissingReport, MissingReport.status == "closed"),
                "cars_found": n(CarFind),
                "breakdowns_requested": n(Breakdown),
                "breakdowns_helped": n(Breakdown, Breakdown.status == "cleared"),
            }  # fmt: skip
    finally:
        db.dispose()
    assert all(v >= 1 for v in stored.values()), str(stored)  # every flow ran to its end
    assert {k: getattr(s, k) for k in stored} == stored
    # and the API the KPI board reads says the same
    with TestClient(create_app(day.settings)) as client:
        token = client.post(
            "/api/v1/auth/login",
            json={"username": "dispatcher", "password": day.passwords["dispatcher"]},
        ).json()["access_token"]
        r = client.get(
            "/api/v1/services/stats",
            params={"since": day.report.since.isoformat()},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in stored} == stored
    text = "\n".join(day.report.lines())
    assert f"找车 cars found {stored['cars_found']}" in text
    assert f"走失人员 missing reported {stored['missing_reported']}" in text
    assert "1分钟" in text and "客流告警" in text


def test_robots_and_drones_report_through_the_device_path(day: Day):
    db = Database(day.settings.resolved_database_url)
    try:
        with db.session() as session:
            everyone = units.list_units(session, limit=100)[0]
            machines = [u for u in everyone if u.kind in DEVICE_KINDS]
            assert machines
            for unit in machines:
                serial = serial_for(unit.id, unit.kind)
                live = day.hub.live.get(serial)
                assert live is not None and live.fix_at is not None  # in the live state
                assert devices.get_device(session, serial).unit_id == unit.id
                trail = devices.track(session, serial, since=day.report.since, limit=10_000)
                assert len(trail) >= 30  # a fix a simulated minute, written in batches
                assert unit.position_at is not None  # the binding moved the unit too
    finally:
        db.dispose()
    assert day.report.figures.telemetry > 0
