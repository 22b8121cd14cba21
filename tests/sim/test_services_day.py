"""A short seeded holiday stretch through the deployment, help-service and device paths."""

from __future__ import annotations

import math
from collections.abc import Iterator
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
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.deployment import service as deployment
from pingan.devices import service as devices
from pingan.devices.config import DeviceSettings
from pingan.devices.hub import DeviceHub
from pingan.services.models import Breakdown, CarFind, HelpItem, MissingReport
from pingan.sim.day import SimConfig
from pingan.sim.devices import DEVICE_KINDS, serial_for
from pingan.sim.run import DayReport, run_headless
from pingan.units import service as units
from tests.clock import local_time, pinned_clock

READER = Actor.system("test")
HOURS = 2.0
# help cases often enough that every service's flow runs to its end within two simulated
# minutes; 110 calls at the day's own rates (sim/data/calls.yaml), so units also stand at
# their posts
CONFIG = SimConfig(day_kind="holiday", rate_scale=1, help_scale=60, tick_s=30)


# fixed starting hours: the morning, the afternoon, and one that runs into the evening shift's
# re-plan; each is the same stretch whenever the tests run
STARTS = {"10:00": local_time(10), "13:30": local_time(13, 30), "17:30": local_time(17, 30)}


@dataclass
class Day:
    settings: Settings
    report: DayReport
    hub: DeviceHub
    passwords: dict[str, str]


def _simulate(path: Path, start: datetime) -> Day:
    settings = Settings(data_dir=path, database_url=None)
    accounts = build_demo(settings, sample_incidents=False)
    db = Database(settings.resolved_database_url)
    hub = DeviceHub(db, DeviceSettings(device_state_interval_s=0.0))
    try:
        report = run_headless(settings, CONFIG, HOURS, start=start, hub=hub)
    finally:
        db.dispose()
    return Day(settings, report, hub, {name: pw for name, _, pw in accounts})


@pytest.fixture
def fixed_now() -> Iterator[None]:
    """This module's clock is the day's own (see `day`), not the package's fixed afternoon."""
    yield


@pytest.fixture(scope="module", params=list(STARTS), ids=lambda hour: f"start-{hour}")
def day(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    start = STARTS[request.param]
    # the clock stands just after the stretch, as if the run had happened live
    with pinned_clock(start + timedelta(hours=HOURS, minutes=1)):
        yield _simulate(tmp_path_factory.mktemp("sim-day"), start)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot((a[0] - b[0]) * 85_000, (a[1] - b[1]) * 111_000)


def _reached(post, fixes: list[tuple[float, float]]) -> bool:  # type: ignore[no-untyped-def]
    line = shapely.LineString(post.loop["coords"]) if post.loop else None
    return any(
        _metres(p, (post.lon, post.lat)) <= 30
        or (line is not None and line.distance(shapely.Point(p)) * 111_000 <= 30)
        for p in fixes
    )


# A plan is judged once its units had this share of the stretch (half an hour of two) to get
# to their posts. The run goes faster than the clock, so the stored times cannot say how long a
# plan stood; fixes arrive every simulated step, so the share of the fixes does.
SETTLE_SHARE = 0.25
RELEASES = ("incident.resolved", "incident.cancelled", "incident.merged")
CALLS = ("incident.dispatched", *RELEASES)


def _busy_between(records: list, begins: int, ends: float) -> set[int]:  # type: ignore[type-arg]
    """Units on a call at some moment between two audit positions (a unit sent to a call
    leaves its post, as it should): on one at `begins`, or sent while the span lasted."""
    busy: set[int] = set()
    for record in records:
        if record.seq >= ends:
            break
        if record.action == "incident.dispatched":
            busy.add(record.detail["unit_id"])
        elif record.action in RELEASES and record.seq < begins:
            busy -= set(record.detail.get("released_units") or [])
    return busy


def test_units_stand_on_the_approved_plans_posts(day: Day):
    """Each approved plan that stood long enough had its units at their posts while it was in
    force (until the next one took over or the stretch ended), except units a call took away;
    a plan approved near the end of the stretch is not judged."""
    db = Database(day.settings.resolved_database_url)
    try:
        with db.session() as session:
            approvals = session.execute(
                select(AuditRecord.seq, AuditRecord.object_id)
                .where(AuditRecord.action == "deployment.approve")
                .order_by(AuditRecord.seq)
            ).all()
            assert approvals and day.report.figures.plans >= 1
            records = session.execute(
                select(AuditRecord.seq, AuditRecord.action, AuditRecord.object_id,
                       AuditRecord.detail)
                .where(AuditRecord.action.in_(("unit.position", *CALLS)))
                .order_by(AuditRecord.seq)
            ).all()  # fmt: skip
            fixes = [r for r in records if r.action == "unit.position"]
            windows = []
            for i, (seq, plan_id) in enumerate(approvals):
                plan = deployment.get_plan(session, READER, int(plan_id))
                assert plan.approved_by == "commander"  # the duty commander
                ends = approvals[i + 1].seq if i + 1 < len(approvals) else math.inf
                during = [f for f in fixes if seq < f.seq < ends]
                posts = deployment.plan_posts(session, READER, plan.id)
                windows.append((plan.id, posts, seq, ends, during))
    finally:
        db.dispose()
    judged = [w for w in windows if len(w[4]) >= SETTLE_SHARE * len(fixes)]
    assert judged, [(plan_id, len(during)) for plan_id, *_, during in windows]
    patrolled, stood_there = [], 0
    for plan_id, posts, begins, ends, during in judged:
        assert len(posts) >= 10, plan_id
        busy = _busy_between(records, begins, ends)
        stood = {int(f.object_id): f for f in fixes if f.seq < begins}  # where it was then
        seen: dict[int, list[tuple[float, float]]] = {}
        for fix in [*stood.values(), *during]:
            seen.setdefault(int(fix.object_id), []).append((fix.detail["lon"], fix.detail["lat"]))
        reached = [_reached(post, seen.get(post.unit_id, [])) for post in posts]
        # each unit drove or walked to its post, or a call took it elsewhere
        excused = [post.unit_id in busy for post in posts]
        accounted = sum(r or e for r, e in zip(reached, excused, strict=True))
        assert accounted >= 0.8 * len(posts), (plan_id, reached, excused)
        stood_there += sum(reached)
        patrolled += [
            post
            for post in posts
            if post.loop
            and any(
                _metres(p, (post.lon, post.lat)) > 20
                and shapely.LineString(post.loop["coords"]).distance(shapely.Point(p)) * 111_000
                <= 5
                for p in seen.get(post.unit_id, [])
            )
        ]
    assert stood_there >= 4  # busy as the stretch is, units did stand on their posts
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
    # what the matching achieved, not a share set beforehand: not every report ends well
    assert stored["items_returned"] < stored["lost_reports"], str(stored)
    assert stored["missing_found"] <= stored["missing_reported"], str(stored)
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
    assert f"找车 {stored['cars_found']}" in text
    assert f"走失人员 报告 {stored['missing_reported']}" in text
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
