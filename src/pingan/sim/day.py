"""A simulated Kangbashi day, driven through the platform's own services.

Every change goes through a domain service with a system actor (`sim-*`, or the demo's
dispatcher and commander accounts for plans), so the store, the audit trail, the outbox
events and therefore the live map see exactly what they would see from real devices, callers
and officers. The simulation owns nothing but its random stream, the trips of units it is
moving, where each unit belongs (the approved plan's post) and the later steps of open help
cases; everything else it reads back from the store each tick,
so a dispatcher working in the browser at the same time is simply followed (a unit sent by
hand drives along the road like any other).

Activities are one function each (`ACTIVITIES`): the shift's deployment plan and its
re-plans (sim/deploy.py), the help services (sim/helpdesk.py), robots and drones reporting as
devices (sim/devices.py), crowd counts, 110 calls, the dispatcher and the officers here.

Time: the simulation clock runs from `start` at `speed` × wall time and never passes the wall
clock (services refuse future timestamps): a run that reaches the present goes on in real
time. `speed=None` runs as fast as the store allows.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.crowd import service as crowd
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.dispatch import service as dispatch
from pingan.dispatch.service import PoolCache
from pingan.errors import Conflict, DomainError
from pingan.geo.city import City
from pingan.geo.coords import haversine_m
from pingan.geo.graph import haversine_m_array
from pingan.i18n import msg, text
from pingan.i18n.both import both
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.incidents.lifecycle import Action
from pingan.pii.vault import Vault
from pingan.sim import cover, deploy, duty, fraud_desk, helpdesk, visitors
from pingan.sim.devices import DEVICE_KINDS, HubGetter, ensure_devices, send_fix
from pingan.sim.scenario import (
    CLOSE_DELAY_S,
    DISPATCHER_DELAY_S,
    DWELL_H,
    HANDLING_S,
    OUTCOMES,
    PATROL_REST_S,
    RATES_PER_1000,
    REPORTS,
    RESIDENT_CALLS_PER_DAY,
    RESIDENT_HOURLY,
    SURGE,
    WALK_UP,
    day_for,
)
from pingan.sim.world import Fix, Journey, World, WorldSpec, load_spec
from pingan.units import service as units
from pingan.units.catalogue import unit_kinds

log = logging.getLogger(__name__)
LOCAL = timezone(timedelta(hours=8))  # Asia/Shanghai, no daylight saving
ACTIVE = ["received", "dispatched", "acknowledged", "en_route", "on_scene", "resolved"]
AT_POST_M = 25.0  # a released unit closer than this to its post is home


@dataclass(frozen=True)
class SimConfig:
    """What to simulate: which kind of day, from when, how fast and with which seed."""

    day_kind: str = "normal"  # normal (≈20,000 visitors) or holiday (≈50,000)
    seed: int = visitors.DEFAULT_SEED
    start: datetime | None = None  # None: now
    end: datetime | None = None  # None: run until stopped
    speed: float | None = 1.0  # × wall time; None: as fast as possible
    rewind_speed: float | None = None  # × wall time while behind the present; None: flat out
    tick_s: float = 10.0  # simulated seconds per step
    dispatcher_delay_s: float | None = DISPATCHER_DELAY_S  # None: leave dispatching to people
    rate_scale: float = 1.0  # multiplies every incident rate (a busier demo evening)
    help_scale: float | None = None  # multiplies the help-service rates; None: rate_scale
    world: WorldSpec | None = None  # the world's truth (sim/world.py); None: data/world.yaml
    # The world's local hours run this far ahead of the timestamps it writes: the default
    # demo opens on the same busy evening at any hour of the wall clock (run.lively_config).
    clock_shift_h: float = 0.0
    moveups: bool = False  # the dispatcher accepts cover moves (sim/cover.py)


@dataclass
class Trip:
    """A unit moving along a path: positions are interpolated by time between its points
    (a point repeated with a later time is a wait: a junction, parking, a launch)."""

    coords: np.ndarray  # (k, 2) lon, lat
    cum_s: np.ndarray  # (k,) seconds after `started` at which each point is reached
    started: datetime
    incident_id: int | None  # None: going back to its post, or patrolling its loop

    @classmethod
    def along(cls, coords: np.ndarray, started: datetime, duration_s: float,
              incident_id: int | None) -> Trip:  # fmt: skip
        """At a steady pace (a patrol loop at the plan's time)."""
        cum_m = _cum_m(coords)
        share = cum_m / cum_m[-1] if cum_m[-1] > 0 else np.linspace(0.0, 1.0, len(cum_m))
        return cls(coords, share * duration_s, started, incident_id)

    @classmethod
    def of(cls, journey: Journey, started: datetime, incident_id: int | None) -> Trip:
        return cls(journey.coords, journey.cum_s, started, incident_id)

    @property
    def duration_s(self) -> float:
        return float(self.cum_s[-1])

    @property
    def ends_at(self) -> datetime:
        return self.started + timedelta(seconds=self.duration_s)

    @cached_property
    def length_m(self) -> float:
        return float(_cum_m(self.coords)[-1])

    def speed_mps(self) -> float:
        return self.length_m / max(self.duration_s, 1.0)

    def position(self, t: datetime) -> tuple[float, float]:
        elapsed = (t - self.started).total_seconds()
        lon = float(np.interp(elapsed, self.cum_s, self.coords[:, 0]))
        lat = float(np.interp(elapsed, self.cum_s, self.coords[:, 1]))
        return lon, lat

    def arrived(self, t: datetime) -> bool:
        return t >= self.ends_at


def _cum_m(coords: np.ndarray) -> np.ndarray:
    step = haversine_m_array(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return np.concatenate([[0.0], np.cumsum(step)])


@dataclass
class Figures:
    """What the run did (the report reads the store, not these)."""

    readings: int = 0
    incidents: int = 0
    dispatched: int = 0
    positions: int = 0
    telemetry: int = 0  # robot and drone fixes through the device ingest path
    plans: int = 0
    replans: int = 0
    help_cases: int = 0
    plate_reads: int = 0
    refused: int = 0
    fixes_late: int = 0  # delivered after later ones (the world's GPS, sim/world.py)
    fixes_lost: int = 0  # measured but never delivered
    arrivals_refused: int = 0  # 到场 the platform's fix check refused: pressed again later
    moveups: int = 0  # cover moves the dispatcher accepted (sim/cover.py)
    fraud_cases: int = 0  # fraud reports filed with the anti-fraud desk (sim/fraud_desk.py)
    fraud_orders: int = 0  # their stop orders sent to the in-process banks
    uncovered_minutes: dict[str, int] = field(default_factory=dict)  # tier -> area-minutes


@dataclass
class DaySimulation:
    """One simulated stretch of a day over one store."""

    db: Database
    vault: Vault
    city: City
    pools: PoolCache
    config: SimConfig
    posts_path: Path | None = None  # the city's configured posts (PINGAN_CITY_POSTS)
    osm_path: Path | None = None  # the city's OSM file (PINGAN_CITY_OSM): the world's roads
    photo_dir: Path = Path("help_photos")
    devices: HubGetter | None = None  # the process's device hub, once it runs
    fraud: fraud_desk.FraudDesk | None = None  # the in-process banks fraud cases are paid into
    after_tick: Callable[[], None] | None = None  # e.g. drain the relay (headless runs)
    rng: random.Random = field(init=False)
    # the calls' own stream (type, time, place, summary, source): the same seed and start
    # file the same calls whatever the units do, so runs that differ only in dispatch
    # (move-ups, fleet) compare like for like
    calls_rng: random.Random = field(init=False)
    world: World = field(init=False)
    trips: dict[int, Trip] = field(default_factory=dict)
    # (incident id, unit id) -> when its next step is due
    due: dict[tuple[int, int], datetime] = field(
        default_factory=dict
    )  # (incident, unit) -> next step
    figures: Figures = field(default_factory=Figures)
    clock: datetime = field(init=False)
    started_at: datetime = field(init=False)
    # deployment: the approved plan and where each unit belongs (sim/deploy.py)
    homes: dict[int, deploy.Home] = field(default_factory=dict)
    plan_id: int | None = None
    plan_key: tuple | None = None
    duty_key: tuple | None = None  # the shift whose roster is on duty (sim/duty.py)
    off_when_free: set[int] = field(default_factory=set)
    last_replan: datetime | None = None
    next_crowd_check: datetime = field(init=False)
    rest_until: dict[int, datetime] = field(default_factory=dict)
    helpdesk: helpdesk.HelpQueue = field(default_factory=helpdesk.HelpQueue)
    next_anpr: datetime = field(init=False)
    serials: dict[int, str] = field(default_factory=dict)  # unit -> its device
    cover_seen: dict[tuple, datetime] = field(default_factory=dict)  # proposal -> first seen
    ready: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.config.seed)
        self.calls_rng = random.Random(f"{self.config.seed}:calls")
        self.world = World(
            self.config.world or load_spec(), self.city, self.config.day_kind,
            self.config.seed, self.osm_path, timedelta(hours=self.config.clock_shift_h),
        )  # fmt: skip
        self.clock = (self.config.start or utcnow()).replace(microsecond=0)
        self.started_at = self.next_crowd_check = self.next_anpr = self.clock
        self._polygons = {
            code: shapely.Polygon(a.polygon) for code, a in self.city.key_areas.items()
        }
        self._day = day_for(self.config.day_kind)
        series = visitors.hourly_visitors(
            self._day, self._day + timedelta(days=1), self.config.seed
        )
        self._arrivals = {c: series.counts[c].astype(float) for c in series.counts}
        self._next_reading = self.clock

    # -- time -------------------------------------------------------------------------------
    def local_hour(self, t: datetime) -> float:
        """Hours since the world's local midnight, as a float (the visitor profile's clock;
        the config's clock shift ahead of the timestamps)."""
        lt = (t + timedelta(hours=self.config.clock_shift_h)).astimezone(LOCAL)
        return lt.hour + lt.minute / 60 + lt.second / 3600

    def arrivals_per_hour(self, code: str, t: datetime) -> float:
        """Visitors arriving per hour in an area at time t (linear between hour midpoints)."""
        series = self._arrivals.get(code)
        if series is None:
            return 0.0
        h = self.local_hour(t) - 0.5
        lo = math.floor(h)
        w = h - lo
        return float(series[lo % 24] * (1 - w) + series[(lo + 1) % 24] * w)

    def occupancy(self, code: str, t: datetime) -> float:
        """People present: arrivals over the usual stay, plus any scripted build-up."""
        present = sum(
            self.arrivals_per_hour(code, t - timedelta(hours=DWELL_H * k / 4)) * DWELL_H / 4
            for k in range(4)
        )
        return present + surge(code, self.local_hour(t), self.config.day_kind, self.city)

    # -- helpers used by the activities -----------------------------------------------------
    def point_in(self, code: str, rng: random.Random | None = None) -> tuple[float, float]:
        poly = self._polygons[code]
        minx, miny, maxx, maxy = poly.bounds
        rng = rng or self.rng
        for _ in range(100):
            p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if poly.contains(shapely.Point(p)):
                return p
        q = poly.representative_point()
        return q.x, q.y

    def camera_at(self, code: str) -> tuple[float, float]:
        """Where an area's car-park camera stands (a fixed point inside the area)."""
        q = self._polygons[code].representative_point()
        return q.x, q.y

    def home_of(self, unit) -> deploy.Home | None:  # type: ignore[no-untyped-def]
        """A cover standby point while one is set, else the approved plan's post, else the
        unit's own post."""
        if unit.cover_lon is not None:
            return deploy.Home(unit.cover_lon, unit.cover_lat)
        home = self.homes.get(unit.id)
        if home is None and unit.post_lon is not None:
            home = deploy.Home(unit.post_lon, unit.post_lat)
        return home

    def poisson(self, mean: float, rng: random.Random | None = None) -> int:
        """Knuth's method: a seeded draw from our own stream (numpy's would need its own seed)."""
        limit, k, p = math.exp(-mean), 0, 1.0
        rng = rng or self.rng
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1

    # -- running ----------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one tick: every activity sees the interval [clock, clock + tick)."""
        t = self.clock
        dt = self.config.tick_s
        for activity in ACTIVITIES:
            with self.db.session() as session:
                try:
                    activity(self, session, t, dt)
                except DomainError as exc:  # a refused step is logged, never fatal
                    session.rollback()
                    self.figures.refused += 1
                    log.info("simulation step refused (%s): %s", activity.__name__, exc.detail)
        if self.after_tick:
            self.after_tick()
        self.clock = t + timedelta(seconds=dt)

    def run(self) -> Figures:
        """Run until `end` (or `stop()`), pacing against the wall clock at `speed`."""
        pace: float | None = -1.0
        wall0, sim0 = time.monotonic(), self.clock
        while not self._stop.is_set():
            if self.config.end and self.clock >= self.config.end:
                break
            target = self.clock + timedelta(seconds=self.config.tick_s)
            now_pace = self.config.rewind_speed if target < utcnow() else self.config.speed
            if now_pace != pace:  # replaying the past, or live: pace from here
                pace, wall0, sim0 = now_pace, time.monotonic(), self.clock
            if pace is not None:
                wall_due = wall0 + (target - sim0).total_seconds() / pace
                if self._stop.wait(max(0.0, wall_due - time.monotonic())):
                    break
            lag = (target - utcnow()).total_seconds()
            if lag > 0 and self._stop.wait(lag):  # never ahead of the wall clock
                break
            self.step()
        return self.figures

    def stop(self) -> None:
        self._stop.set()

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._run_logged, name="pingan-sim", daemon=True)
        thread.start()
        return thread

    def _run_logged(self) -> None:
        try:
            self.run()
        except Exception:
            log.exception("simulation stopped by an error")


def surge(code: str, local_hour: float, day_kind: str, city: City) -> float:
    """The scripted crowd build-up: people pressing onto the bridge after the fountain show."""
    spec = SURGE.get(day_kind)
    if spec is None or code != spec["area"] or code not in city.key_areas:
        return 0.0
    start, rise, hold, fall = spec["start_h"], spec["rise_h"], spec["hold_h"], spec["fall_h"]
    peak = spec["capacity_share"] * (city.key_areas[code].instant_capacity or 0)
    x = local_hour - start
    if x < 0 or x > rise + hold + fall:
        return 0.0
    if x < rise:
        return peak * x / rise
    if x < rise + hold:
        return peak
    return peak * (1 - (x - rise - hold) / fall)


# -- actors ------------------------------------------------------------------------------------
COUNTERS = Actor.system("sim-counters")
CALLERS = Actor.system("sim-callers")
DISPATCHER = Actor.system("sim-dispatcher")
OFFICERS = Actor.system("sim-officers")
TEAM = Actor.system("sim-commander")
REPLAY_OVERLAP = both("sim.note.replay_overlap")  # an override reason: stored as text


def setup(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Once: robots' and drones' devices registered and bound, the tow service on file."""
    if sim.ready or (sim.devices is not None and sim.devices() is None):
        return  # done, or the server's device hub is not up yet: next tick
    sim.ready = True
    commander = deploy.staff(session, "commander", Role.COMMANDER, TEAM)
    ensure_devices(sim, session, commander)
    helpdesk.ensure_tow_service(sim, session, commander)


# -- activities: (sim, session, t, dt) -> None, one kind of simulated activity each ------------
def count_readings(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Gate and camera counts per key area, once a simulated minute (crowd ingest service)."""
    if t < sim._next_reading:
        return
    sim._next_reading = t + timedelta(seconds=60)
    readings = []
    for code in sim.city.key_areas:
        present = sim.occupancy(code, t)
        arriving = sim.arrivals_per_hour(code, t) / 60
        entered = sim.poisson(arriving) if arriving < 500 else round(arriving)
        exited = max(0, round(entered * sim.rng.uniform(0.85, 1.1)))
        camera = max(0.0, present * sim.rng.gauss(1.0, 0.04))
        readings += [
            crowd.NewReading(f"sim-cam-{code}", code, "camera", t, round(camera)),
            crowd.NewReading(
                f"sim-gate-{code}", code, "gate", t, round(present), entered=entered, exited=exited
            ),
        ]
    crowd.ingest(session, COUNTERS, sim.city, readings)
    session.commit()
    sim.figures.readings += len(readings)


def new_incidents(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Calls for help at the rates visitors bring them (incidents service, as 110 takes them)."""
    scale = sim.config.rate_scale
    for code in sim.city.key_areas:
        arriving = sim.arrivals_per_hour(code, t) * dt / 3600
        for type_code, per_1000 in RATES_PER_1000.items():
            for _ in range(sim.poisson(arriving * per_1000 / 1000 * scale, sim.calls_rng)):
                _report(sim, session, t, type_code, code)
    hour_share = RESIDENT_HOURLY[int(sim.local_hour(t)) % 24]
    for type_code, per_day in RESIDENT_CALLS_PER_DAY.items():  # residents' calls, by hour
        for _ in range(sim.poisson(per_day * hour_share * dt / 3600 * scale, sim.calls_rng)):
            code = sim.calls_rng.choice(sorted(sim.city.key_areas))
            _report(sim, session, t, type_code, code)


def _report(sim: DaySimulation, session: Session, t: datetime, type_code: str, code: str) -> None:
    at = t + timedelta(seconds=sim.calls_rng.uniform(0, sim.config.tick_s))
    place = sim.point_in(code, sim.calls_rng)
    file_call(sim, session, min(at, utcnow()), type_code, code, place)


def file_call(sim: DaySimulation, session: Session, at: datetime, type_code: str, code: str,
              place: tuple[float, float]) -> int:  # fmt: skip
    """One call for help at a place: to the officer in sight, or to 110 (its incident id)."""
    lon, lat = place
    area = sim.city.key_areas[code]
    summary = sim.calls_rng.choice(REPORTS[type_code]).format(area=area.name_zh)
    source = sim.calls_rng.choice([Source.CALL_110, Source.CALL_110, Source.WALK_IN])
    officer = _officer_in_sight(sim, session, lon, lat)  # who is near: the units' stream
    walk_up = officer is not None and sim.rng.random() < WALK_UP["share"]
    if walk_up:
        lon, lat, summary = officer.lon, officer.lat, "现场求助：" + summary
    incident = incidents.create_incident(
        session,
        CALLERS,
        sim.vault,
        incidents.NewIncident(
            type_code=type_code,
            summary=summary,
            lon=lon,
            lat=lat,
            source=Source.OFFICER if walk_up else source,
            area_code=code,
            address=f"康巴什区{area.name_zh}",
            received_at=at,
        ),
    )
    sim.figures.incidents += 1
    if walk_up:
        _taken_on_the_spot(sim, session, incident.id, officer, at)
    if type_code == "fraud":  # the victim's report goes to the anti-fraud desk too
        fraud_desk.on_fraud_call(sim, session, at, code, incident.id)
    return incident.id


def _officer_in_sight(sim: DaySimulation, session: Session, lon: float, lat: float):  # type: ignore[no-untyped-def]
    """The nearest free officer on foot within sight of the place (where they really are,
    not where their last fix says), if any."""
    free = units.fleet(session, status=["available"])
    near = [
        (haversine_m(*here, lon, lat), u.id, u)
        for u in free
        if u.kind in WALK_UP["kinds"] and (here := _true_position(sim, u)) is not None
    ]
    near = [n for n in near if n[0] <= WALK_UP["within_m"]]
    return min(near)[2] if near else None


def _taken_on_the_spot(sim: DaySimulation, session: Session, incident_id: int, officer,  # type: ignore[no-untyped-def]
                       at: datetime) -> None:  # fmt: skip
    """The officer takes the report where they stand: assigned, acknowledged and on scene at
    once (the few steps to the spot aside), through the lifecycle a dispatched unit follows."""
    here = _halt(sim, officer, at)  # stops walking the patrol loop
    note = msg("sim.note.on_the_spot", call_sign=officer.call_sign)
    incidents.dispatch_units(session, DISPATCHER, incident_id, [officer.id], note=note, at=at)
    session.commit()
    sim.figures.dispatched += 1
    _progress(sim, session, incident_id, officer.id, Action.ACKNOWLEDGE, at)
    _progress(sim, session, incident_id, officer.id, Action.EN_ROUTE, at)
    there = at + timedelta(seconds=sim.rng.uniform(*WALK_UP["reach_s"]))
    _arrive(sim, session, incident_id, officer.id, here or (officer.lon, officer.lat), there)


def dispatcher(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """The duty dispatcher: sends the recommended units for waiting incidents (dispatch service)."""
    delay = sim.config.dispatcher_delay_s
    if delay is None:
        return
    waiting, _ = incidents.list_incidents(
        session, DISPATCHER, incidents.IncidentFilter(states=["received"]), limit=100
    )
    for incident in sorted(waiting, key=lambda i: (i.priority, i.received_at)):
        if (t - incident.received_at).total_seconds() < delay:
            continue
        at = max(t, incident.received_at)
        rec = dispatch.recommend_for_incident(
            session, DISPATCHER, sim.city, sim.pools, incident.id, at=at
        ).recommendation
        picks = [int(p.unit_id) for p in rec.picks]
        if not picks:
            continue  # nobody free: it waits, and the KPI shows it
        zh = text("sim.note.recommended", "zh_CN", picks="; ".join(p.text_zh for p in rec.picks))
        en = text("sim.note.recommended", "en", picks="; ".join(p.text_en for p in rec.picks))
        note = f"{zh} / {en}"
        etas = {int(p.unit_id): p.eta_s for p in rec.picks}
        incidents.dispatch_units(
            session, DISPATCHER, incident.id, picks, note=note[:500], at=at, etas=etas
        )
        session.commit()
        sim.figures.dispatched += 1


def unit_lifecycle(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Officers on each assignment: acknowledge, set off, arrive, resolve, close."""
    open_incidents, _ = incidents.list_incidents(
        session, OFFICERS, incidents.IncidentFilter(states=ACTIVE), limit=500
    )
    for incident in open_incidents:
        if incident.state == "resolved":
            _close_when_due(sim, session, t, incident)
            continue
        arrived_all = True
        for a in incidents.assignments(session, OFFICERS, incident.id):
            if a.released_at is not None:
                continue
            key = (incident.id, a.unit_id)
            last = max(x for x in (a.dispatched_at, a.acknowledged_at, a.en_route_at) if x)
            if a.state == "dispatched":
                arrived_all = False
                if key not in sim.due:  # the crew stops where it is to take the call
                    _halt(sim, units.get_unit(session, a.unit_id), a.dispatched_at)
                    ack_s = sim.world.ack_delay_s(a.unit_id, a.dispatched_at)
                    sim.due[key] = last + timedelta(seconds=ack_s)
                due = sim.due[key]
                if t >= due:
                    _progress(
                        sim, session, incident.id, a.unit_id, Action.ACKNOWLEDGE, max(t, last)
                    )
            elif a.state == "acknowledged":
                arrived_all = False
                _progress(sim, session, incident.id, a.unit_id, Action.EN_ROUTE, max(t, last))
                _start_trip(sim, session, a.unit_id, (incident.lon, incident.lat), max(t, last),
                            incident.id)  # fmt: skip
            elif a.state == "en_route":
                arrived_all = False
                trip = sim.trips.get(a.unit_id)
                if trip is None or trip.incident_id != incident.id:
                    trip = _start_trip(sim, session, a.unit_id, (incident.lon, incident.lat),
                                       max(t, last), incident.id)  # fmt: skip
                if trip is None or trip.arrived(t + timedelta(seconds=dt)):
                    arrive = trip.ends_at if trip else t
                    arrive = min(max(arrive, last), utcnow())
                    sim.trips.pop(a.unit_id, None)
                    _arrive(sim, session, incident.id, a.unit_id, (incident.lon, incident.lat),
                            arrive)  # fmt: skip
        if incident.state == "on_scene" and arrived_all:
            _resolve_when_due(sim, session, t, incident)


def _progress(sim: DaySimulation, session: Session, incident_id: int, unit_id: int,
              action: Action, at: datetime) -> None:  # fmt: skip
    incidents.progress_unit(session, OFFICERS, incident_id, unit_id, action, at=min(at, utcnow()))
    session.commit()
    sim.due.pop((incident_id, unit_id), None)


def _arrive(sim: DaySimulation, session: Session, incident_id: int, unit_id: int,
            place: tuple[float, float], at: datetime) -> None:  # fmt: skip
    """The crew's terminal measures its fix at the scene, then the crew presses 到场 (an
    arrival is checked against the unit's last fix, as for real crews). The world's GPS may
    deliver that fix late, lose it or put it tens of metres off: an arrival the check refuses
    is pressed again a little later, after a new fix (counted in `arrivals_refused`).

    A replay of the past can meet a unit whose stored fix is later than the replayed moment
    (the demo's sample incidents): that fix stands, so the duty dispatcher confirms the
    arrival with the reason, and the KPI counts it as overridden rather than verified.
    """
    at = min(at, utcnow())
    sim.world.positions[unit_id] = place
    later = units.get_unit(session, unit_id).position_at
    if later is not None and later > at:
        incidents.progress_unit(session, DISPATCHER, incident_id, unit_id, Action.ON_SCENE, at=at,
                                override_reason=REPLAY_OVERLAP)  # fmt: skip
        session.commit()
        sim.due.pop((incident_id, unit_id), None)
        return
    _position(sim, session, unit_id, "", *place, at)  # the terminal's fix, not a device's
    try:
        _progress(sim, session, incident_id, unit_id, Action.ON_SCENE, at)
    except Conflict as exc:
        if exc.code != "arrival_not_verified":
            raise
        session.rollback()
        sim.figures.arrivals_refused += 1
        log.info("arrival refused, pressed again (unit %s): %s", unit_id, exc.detail)
        again = np.asarray([place, place], dtype=float)
        sim.trips[unit_id] = Trip(again, np.asarray([0.0, sim.world.retry_s()]), at, incident_id)
        return
    sim.world.handled(unit_id, at)


def _resolve_when_due(sim: DaySimulation, session: Session, t: datetime, incident) -> None:  # type: ignore[no-untyped-def]
    key = (incident.id, 0)
    low, high = HANDLING_S.get(incident.type_code, HANDLING_S["other"])
    due = sim.due.setdefault(
        key, incident.on_scene_at + timedelta(seconds=sim.rng.uniform(low, high))
    )
    if t < due:
        return
    outcome = sim.rng.choice(OUTCOMES.get(incident.type_code, OUTCOMES["other"]))
    incidents.resolve(
        session, OFFICERS, incident.id, outcome=outcome, at=min(max(t, due), utcnow())
    )
    session.commit()
    sim.due.pop(key, None)


def _close_when_due(sim: DaySimulation, session: Session, t: datetime, incident) -> None:  # type: ignore[no-untyped-def]
    if sim.config.dispatcher_delay_s is None:
        return  # closing is the dispatcher's call
    key = (incident.id, -1)
    due = sim.due.setdefault(
        key, incident.resolved_at + timedelta(seconds=sim.rng.uniform(*CLOSE_DELAY_S))
    )
    if t >= due:
        incidents.close(session, DISPATCHER, incident.id, note=msg("sim.note.closed"))
        session.commit()
        sim.due.pop(key, None)


def _true_position(sim: DaySimulation, unit) -> tuple[float, float] | None:  # type: ignore[no-untyped-def]
    """Where the unit really is: the world's record, else (a unit the day has not moved yet)
    its stored position or post, which start out exact."""
    here = sim.world.positions.get(unit.id)
    if here is not None:
        return here
    if unit.lon is not None and unit.lat is not None:
        return unit.lon, unit.lat
    return (unit.post_lon, unit.post_lat) if unit.post_lon is not None else None


def _halt(sim: DaySimulation, unit, at: datetime) -> tuple[float, float] | None:  # type: ignore[no-untyped-def]
    """Stop the unit's trip where it has got to by `at`; its true position."""
    trip = sim.trips.pop(unit.id, None)
    if trip is not None:
        sim.world.positions[unit.id] = trip.position(at)
    return _true_position(sim, unit)


def _start_trip(sim: DaySimulation, session: Session, unit_id: int, target: tuple[float, float],
                t: datetime, incident_id: int | None) -> Trip | None:  # fmt: skip
    """Set off from where the unit really is, by its mode's roads (drones fly), timed by the
    world: the platform's ETA is what it predicted, not how long the trip takes."""
    unit = units.get_unit(session, unit_id)
    origin = _halt(sim, unit, t)
    if origin is None:
        return None
    kind = unit_kinds().get(unit.kind)
    journey = sim.world.journey(kind.mode if kind else "drive", origin, target, t)
    trip = Trip.of(journey, t, incident_id)
    sim.trips[unit_id] = trip
    return trip


def _position(sim: DaySimulation, session: Session, unit_id: int, kind: str, lon: float,
              lat: float, t: datetime, speed_mps: float | None = None,
              batch: list[Fix] | None = None) -> None:  # fmt: skip
    """A unit's true position as its equipment measures and sends it (the world's GPS: noise,
    late or lost); `batch`: crews' fixes are collected there and written together."""
    at = min(t, utcnow())
    sim.world.positions[unit_id] = (lon, lat)
    fix = sim.world.measure(unit_id, lon, lat, at, speed_mps)
    if fix.delivered_at is None:
        sim.figures.fixes_lost += 1
    elif fix.delivered_at > at:
        sim.world.hold(fix)
        sim.figures.fixes_late += 1
    else:
        _send(sim, session, kind, fix, batch)


def _send(sim: DaySimulation, session: Session, kind: str, fix: Fix,
          batch: list[Fix] | None = None) -> None:  # fmt: skip
    """A fix as the platform receives it: robots and drones as devices (ingest path), crews
    through their terminals (units service), now or with the rest of `batch`."""
    if kind in DEVICE_KINDS and fix.unit_id in sim.serials:
        send_fix(sim, fix.unit_id, fix.lon, fix.lat, fix.at, fix.speed_mps)
    elif batch is not None:
        batch.append(fix)
    else:
        _send_crews(sim, session, [fix])


def _send_crews(sim: DaySimulation, session: Session, fixes: list[Fix]) -> None:
    """Crews' fixes through the units service, in order, in one transaction (the stored
    result is that of sending them one by one: an older fix than the stored one is ignored)."""
    if not fixes:
        return
    units.report_positions(
        session, OFFICERS, [units.PositionFix(f.unit_id, f.lon, f.lat, f.at) for f in fixes]
    )
    session.commit()
    sim.figures.positions += len(fixes)


def movement(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Positions of units: moving to a call, back to the post or round the patrol loop, and
    standing still (less often); late fixes when their delivery time comes."""
    standing = units.fleet(session)
    kinds = {u.id: u.kind for u in standing}
    batch: list[Fix] = []  # the crews' fixes of this tick: written together below
    for fix in sim.world.released(t):  # late fixes, with the time they were measured
        _send(sim, session, kinds.get(fix.unit_id, ""), fix, batch)
    for unit in standing:  # still units report too, less often
        moving = unit.id in sim.trips
        if not moving and sim.world.reports_standing(unit.id, t):
            here = _true_position(sim, unit)
            if here is not None:
                _position(sim, session, unit.id, unit.kind, *here, t, batch=batch)
    for unit_id, trip in list(sim.trips.items()):
        lon, lat = trip.position(min(t, utcnow()))
        _position(sim, session, unit_id, kinds.get(unit_id, ""), lon, lat, t, trip.speed_mps(),
                  batch)  # fmt: skip
        if trip.incident_id is None and trip.arrived(t):
            sim.trips.pop(unit_id)
            if unit_id in sim.homes:  # a loop or the way home ends at the post: rest a while
                sim.rest_until[unit_id] = t + timedelta(seconds=sim.rng.uniform(*PATROL_REST_S))
    _send_crews(sim, session, batch)


def back_to_post(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Free units go back to their plan's post, and walk its patrol loop when they have one
    (动中备勤); a call interrupts either (the dispatch trip replaces it)."""
    for unit in units.fleet(session, status=["available"]):
        home = sim.home_of(unit)
        here = _true_position(sim, unit)
        if unit.id in sim.trips or home is None or here is None:
            continue
        away = haversine_m(here[0], here[1], home.lon, home.lat)
        if away > AT_POST_M:
            _start_trip(sim, session, unit.id, (home.lon, home.lat), t, None)
        elif home.loop is not None and t >= sim.rest_until.get(unit.id, t):
            sim.trips[unit.id] = Trip.along(home.loop, t, max(home.loop_s, 60.0), None)


def robots_and_drones(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Patrol robots circle their posts and drones hover, reporting every simulated minute
    through the device ingest path."""
    if int(t.timestamp()) // 60 == int((t - timedelta(seconds=dt)).timestamp()) // 60:
        return
    for unit in units.fleet(session, status=["available"]):
        if unit.kind not in DEVICE_KINDS or unit.post_lon is None or unit.id in sim.trips:
            continue
        radius = 60.0 if unit.kind == "patrol_robot" else 150.0
        angle = (t.timestamp() / 600.0 + unit.id) % (2 * math.pi)
        lon = unit.post_lon + radius * math.cos(angle) / 85_000
        lat = unit.post_lat + radius * math.sin(angle) / 111_000
        _position(sim, session, unit.id, unit.kind, lon, lat, t, radius / 600.0)


ACTIVITIES: tuple[Callable[[DaySimulation, Session, datetime, float], None], ...] = (
    setup,
    duty.roster_duty,
    deploy.plan_shift,
    count_readings,
    deploy.replan_for_crowds,
    helpdesk.plate_reads,
    new_incidents,
    fraud_desk.send_stops,
    helpdesk.help_services,
    dispatcher,
    cover.cover_moves,
    unit_lifecycle,
    back_to_post,
    movement,
    robots_and_drones,
)
