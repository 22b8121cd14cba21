"""The simulated world's truth: its own travel times, GPS and crews, apart from the platform's
model, so the day's report can say how far the platform's ETAs are from the trips."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from sqlalchemy import select

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.dispatch import service as dispatch
from pingan.dispatch.kpi import EtaAccuracy, eta_accuracy
from pingan.dispatch.recommend import Travel
from pingan.geo.city import City, sample_paths
from pingan.geo.coords import haversine_m
from pingan.geo.osm_import import import_osm
from pingan.geo.profiles import default_profiles_path, fly_profile, road_profile
from pingan.geo.travel_time import TravelTimes
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.incidents.lifecycle import Action
from pingan.incidents.models import Assignment
from pingan.sim import day as sim_day
from pingan.sim.day import SimConfig
from pingan.sim.run import simulation_for
from pingan.sim.world import FlyTruth, GpsTruth, ModeTruth, World, WorldSpec, load_spec
from pingan.units import service as units

READER = Actor.system("test")
FOUNTAIN = (109.7800, 39.5955)
THEATRE = (109.7862, 39.6150)
LAKESIDE = (109.7700, 39.5935)
T = datetime(2026, 10, 2, 2, 0, tzinfo=UTC)  # 10:00 local on the holiday


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return runtime.configure(Settings(data_dir=tmp_path_factory.mktemp("city"))).city.get()


# -- the world alone ---------------------------------------------------------------------------
def test_a_world_of_the_platforms_own_figures_takes_exactly_its_eta(city: City):
    world = World(WorldSpec(), city, "holiday", seed=1)
    for mode in ("drive", "walk", "bike"):
        for a, b in ((FOUNTAIN, THEATRE), (LAKESIDE, FOUNTAIN), (THEATRE, LAKESIDE)):
            eta = city.travel.roads[mode].route(a, b).eta_s
            assert world.journey(mode, a, b, T).cum_s[-1] == pytest.approx(eta, rel=2e-3)
    flight = world.journey("fly", FOUNTAIN, THEATRE, T)
    assert flight.cum_s[-1] == pytest.approx(
        city.travel.fly.time_s(haversine_m(*FOUNTAIN, *THEATRE))
    )


def test_the_default_world_drives_slower_than_predicted_and_stops_on_the_way(city: City):
    world = World(load_spec(), city, "holiday", seed=1)
    eta = city.travel.roads["drive"].route(FOUNTAIN, THEATRE).eta_s
    trip = world.journey("drive", FOUNTAIN, THEATRE, T)
    assert tuple(trip.coords[0]) == FOUNTAIN and tuple(trip.coords[-1]) == THEATRE
    assert trip.cum_s[-1] > eta + 30  # junctions, parking and the walk the platform leaves out
    assert np.all(np.diff(trip.cum_s) >= 0)
    waits = (np.diff(trip.cum_s) > 0) & np.all(np.diff(trip.coords, axis=0) == 0, axis=1)
    assert waits.sum() >= 3  # setting off, at least one junction, parking
    # the fountain show's evening traffic makes the same trip longer than at 04:00
    night, evening = T - timedelta(hours=6), T + timedelta(hours=9, minutes=30)
    spans = {
        when: statistics.mean(world.journey("drive", FOUNTAIN, THEATRE, when).cum_s[-1]
                              for _ in range(40))
        for when in (night, evening)
    }  # fmt: skip
    assert spans[evening] > 1.15 * spans[night]


def test_fixes_are_noisy_and_some_arrive_late_or_never(city: City):
    gps = GpsTruth(noise_m=3, multipath_share=0.05, multipath_m=20, late_share=0.05,
                   late_s=(20, 120), lost_share=0.03)  # fmt: skip
    world = World(WorldSpec(gps=gps), city, "holiday", seed=7)
    fixes = [world.measure(1, *FOUNTAIN, T + timedelta(seconds=i)) for i in range(20_000)]
    lost = [f for f in fixes if f.delivered_at is None]
    late = [f for f in fixes if f.delivered_at is not None and f.delivered_at > f.at]
    assert 0.025 < len(lost) / len(fixes) < 0.035
    assert 0.04 < len(late) / (len(fixes) - len(lost)) < 0.06
    assert all(20 <= (f.delivered_at - f.at).total_seconds() <= 120 for f in late)
    off = np.array([haversine_m(f.lon, f.lat, *FOUNTAIN) for f in fixes])
    assert 3.0 < np.median(off) < 4.5  # a few metres typical …
    assert 0.008 < np.mean(off > 30) < 0.03  # … and multipath tens of metres now and then
    # a late fix keeps the time it was measured and comes out only when due, in order
    for fix in late[:5]:
        world.hold(fix)
    due = sorted(late[:5], key=lambda f: f.delivered_at)
    assert world.released(due[0].delivered_at - timedelta(seconds=1)) == []
    assert world.released(due[-1].delivered_at) == due  # measured times kept
    # the platform's own model: every fix exact, at once
    exact = World(WorldSpec(), city, "holiday", seed=7).measure(1, *FOUNTAIN, T)
    assert (exact.lon, exact.lat, exact.delivered_at) == (*FOUNTAIN, T)


def test_a_busy_crew_acknowledges_later(city: City):
    world = World(load_spec(), city, "holiday", seed=3)
    rested = [world.ack_delay_s(1, T) for _ in range(300)]
    for minutes in (50, 30, 10, 5):  # four calls in the last hour (three count)
        world.handled(2, T - timedelta(minutes=minutes))
    world.handled(3, T - timedelta(hours=2))  # long ago: does not count
    busy = [world.ack_delay_s(2, T) for _ in range(300)]
    earlier = [world.ack_delay_s(3, T) for _ in range(300)]
    assert max(rested) <= 30 and max(earlier) <= 30
    assert statistics.mean(busy) > statistics.mean(rested) + 50  # 3 × 10–40 s more


def test_eta_accuracy_reads_bias_and_misses():
    e = eta_accuracy([30.0, -10.0, 50.0, 10.0])
    assert e == EtaAccuracy(4, 20.0, 20.0, pytest.approx(44.0))
    assert eta_accuracy([]) == EtaAccuracy(0, None, None, None)


# -- the day, measured against the world -------------------------------------------------------
STRETCH = timedelta(minutes=40)


def _day(tmp: Path, world: WorldSpec | None, city: City | None = None) -> list[tuple]:
    """A busy 40 minutes; each measured assignment: (ETA, travelled, unit kind), and the
    report's ETA figure."""
    settings = Settings(data_dir=tmp, database_url=None)
    build_demo(settings, sample_incidents=False)
    start = (utcnow() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    # ×3 of calls.yaml's rates: about the load ×15 of the earlier, visitors-only rates gave
    config = SimConfig(day_kind="holiday", start=start, end=start + STRETCH, speed=None,
                       tick_s=20, rate_scale=3, world=world)  # fmt: skip
    db = Database(settings.resolved_database_url)
    try:
        simulation_for(settings, db, config, city=city).run()
        with db.session() as session:
            report = dispatch.eta_report(session, READER, since=start, until=None)
            rows = session.execute(
                select(Assignment.eta_s, Assignment.en_route_at, Assignment.on_scene_at)
                .where(Assignment.eta_s.is_not(None), Assignment.arrival_check == "verified")
            ).all()  # fmt: skip
    finally:
        db.dispose()
    travelled = [(eta, (there - off).total_seconds()) for eta, off, there in rows]
    assert report.arrivals == len(travelled) >= 4
    return [report, travelled]


def test_measured_against_its_own_model_the_platforms_eta_error_is_zero(tmp_path):
    report, travelled = _day(tmp_path, WorldSpec())
    assert report.median_abs_s < 1.0 and abs(report.bias_s) < 5.0
    assert sum(abs(t - eta) < 1.0 for eta, t in travelled) >= 0.7 * len(travelled)
    # what is left: a unit sent while moving was one step (20 s) past its last fix
    assert all(abs(t - eta) <= 21.0 for eta, t in travelled)


def test_in_the_default_world_arrivals_are_not_trip_start_plus_eta(tmp_path):
    report, travelled = _day(tmp_path, None)
    assert report.median_abs_s > 20 and report.bias_s > 0  # later than predicted, mostly
    # most arrivals miss the estimate; with a handful in the stretch one may land on it by chance
    assert sum(abs(t - eta) > 5.0 for eta, t in travelled) > len(travelled) / 2


def _city_at(tmp: Path, base: City, factor: float) -> City:
    """The sample city as a platform whose speed profiles are `factor` × the shipped ones."""
    raw = yaml.safe_load(default_profiles_path().read_text(encoding="utf-8"))
    for name, profile in raw["profiles"].items():
        if name == "fly":
            profile["speed_kmh"] *= factor
        else:
            profile["highway"] = {k: v * factor for k, v in profile["highway"].items()}
    path = tmp / f"speeds-{factor:g}.yaml"  # profiles are cached by path
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    graphs = import_osm(sample_paths()[0], profiles_path=path)
    travel = Travel({m: TravelTimes(g) for m, g in graphs.items()}, fly_profile(path=path))
    return City(base.name, base.synthetic, base.licence, graphs, travel, base.key_areas)


# The truth for the next test: the shipped profiles' speeds and nothing else, so the only
# error left is the platform's profile being wrong.
SHIPPED = WorldSpec(
    modes={
        mode: ModeTruth(speeds_kmh=(p := road_profile(mode)).highway_kmh,
                        default_kmh=min(p.highway_kmh.values()),
                        off_road_kmh=p.connector_speed_kmh)
        for mode in ("drive", "walk", "bike")
    },
    fly=FlyTruth(speed_kmh=((f := fly_profile()).speed_kmh,) * 2,
                 launch_s=(f.launch_delay_s,) * 2),
)  # fmt: skip


@pytest.mark.parametrize(("factor", "sign"), [(2.0, 1), (0.5, -1)], ids=["too-fast", "too-slow"])
def test_a_wrong_speed_profile_shows_as_a_bias_of_its_sign(tmp_path, city: City, factor, sign):
    """What the self-measuring day could not catch: a platform that thinks units go twice as
    fast (or half as fast) as they do is told so by the report's bias."""
    report, travelled = _day(tmp_path, SHIPPED, _city_at(tmp_path, city, factor))
    assert sign * report.bias_s > 30
    # travelled ≈ factor × predicted on the roads (the walk from the kerb is not scaled)
    ratio = statistics.median(t / eta for eta, t in travelled)
    assert sign * np.log(ratio) > np.log(1.3)


# -- the arrival check meets the world's GPS ---------------------------------------------------
def test_an_arrival_whose_fix_is_lost_is_refused_then_pressed_again_and_verified(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    build_demo(settings, sample_incidents=False)
    db = Database(settings.resolved_database_url)
    sim = simulation_for(settings, db, SimConfig(day_kind="holiday", seed=7))
    sim.world.spec = WorldSpec(gps=GpsTruth(lost_share=1.0))  # every fix lost
    at = utcnow() - timedelta(minutes=10)
    scene = (109.7800, 39.5955 + 600 / 111_000)  # 600 m north of where the unit last reported
    try:
        with db.session() as session:
            unit = units.list_units(session, kind="patrol_car", status=["available"])[0][0]
            units.report_position(session, READER, unit.id, lon=109.7800, lat=39.5955, at=at)
            incident = incidents.create_incident(
                session, READER, sim.vault,
                incidents.NewIncident(type_code="disturbance", summary="测试", lon=scene[0],
                                      lat=scene[1], source=Source.CALL_110, received_at=at),
            )  # fmt: skip
            incidents.dispatch_units(session, READER, incident.id, [unit.id], at=at)
            for step in (Action.ACKNOWLEDGE, Action.EN_ROUTE):
                incidents.progress_unit(session, READER, incident.id, unit.id, step, at=at)
            session.commit()
            there = at + timedelta(minutes=2)
            sim_day._arrive(sim, session, incident.id, unit.id, scene, there)
            assert sim.figures.fixes_lost == 1 and sim.figures.arrivals_refused == 1
            (a,) = incidents.assignments(session, READER, incident.id)
            assert a.state == "en_route"  # the platform did not take it on trust
            retry = sim.trips[unit.id]
            assert retry.incident_id == incident.id and retry.position(there) == scene
            sim.world.spec = WorldSpec()  # the next fix gets through
            sim_day.unit_lifecycle(sim, session, retry.ends_at, 20.0)
            session.expire_all()
            (a,) = incidents.assignments(session, READER, incident.id)
            assert a.arrival_check == "verified" and a.on_scene_at == retry.ends_at
            assert 10 <= (a.on_scene_at - there).total_seconds() <= 30  # pressed again
    finally:
        db.dispose()
