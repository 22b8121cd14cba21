"""Build a demo store: one account per role, units on Kangbashi's streets, sample incidents;
and start the simulated day beside it (`pingan demo`) or headless (`pingan simulate`).

The fleet is the sample roster's at the article's scale (sim/data/kangbashi_roster.yaml: 446
police officer-shifts a day, partners, robots), its roster stored for the days around today,
or — `fleet="small"` / PINGAN_DEMO_FLEET=small — the 18 units of DEMO_UNITS alone, for quick
runs and tests. DEMO_UNITS' call signs are part of both fleets.

Everything is written through the domain services, so the demo's audit trail and timelines
are the same as a real store's. Passwords are random and printed once by `pingan demo`.
This module and pingan.sim are the only ones that know the simulation (the product runs
without it: tests/test_boundaries.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import shapely

from pingan import store
from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.passwords import generate_password
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import SQLITE_SUFFIXES, Database
from pingan.geo.city import load_key_areas, sample_paths
from pingan.i18n import msg, text
from pingan.i18n.both import both
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.incidents.lifecycle import Action
from pingan.pii.vault import Vault
from pingan.rosters import service as rosters
from pingan.rosters.files import read_file
from pingan.sim.day import DaySimulation, SimConfig
from pingan.sim.run import (
    LIVELY,
    DayReport,
    live_config,
    lively_config,
    run_headless,
    simulation_for,
)
from pingan.sim.scenario import DAYS, DISPATCHER_DELAY_S
from pingan.units import service as units

if TYPE_CHECKING:
    from fastapi import FastAPI

    from pingan.fraud.localbank import LocalBanks

DAY_KINDS = tuple(DAYS)
SAMPLE_ROSTER = "kangbashi_roster.yaml"
SAMPLE_POSTS = "kangbashi_posts.yaml"


def sample_roster_path() -> Path:
    return sample_paths()[0].parent / SAMPLE_ROSTER


def _places() -> dict[str, tuple[str, float, float]]:
    """A point inside each key area of the sample city (name, lon, lat)."""
    areas, _ = load_key_areas(sample_paths()[1])
    out = {}
    for code, area in areas.items():
        p = shapely.Polygon(area.polygon).representative_point()
        out[code] = (area.name_zh, p.x, p.y)
    return out


PLACES = _places()

DEMO_UNITS = [
    ("PTU-01", "ptu", "music_fountain"),
    ("PTU-02", "ptu", "central_square"),
    ("巡A01", "patrol_car", "lakeside"),
    ("巡A02", "patrol_car", "shopping_street"),
    ("巡A03", "patrol_car", "museum"),
    ("步01", "foot_patrol", "music_fountain"),
    ("步02", "foot_patrol", "lakeside"),
    ("步03", "foot_patrol", "bridge_3"),
    ("步04", "foot_patrol", "central_square"),
    ("步05", "foot_patrol", "shopping_street"),
    ("交01", "traffic", "bridge_3"),
    ("交02", "traffic", "theatre"),
    ("犬01", "k9", "music_fountain"),
    ("机器人01", "patrol_robot", "lakeside"),
    ("机器人02", "patrol_robot", "central_square"),
    ("无人机01", "drone", "museum"),
    ("蓝朋友01", "volunteer", "music_fountain"),
    ("网格员01", "grid_worker", "shopping_street"),
]

# The demo's officer and volunteer accounts crew these units (they act only for them).
DEMO_BINDINGS = {"officer": "步01", "volunteer": "蓝朋友01"}

# The citizen account's person in the sample register (sim/data/trust/register.csv)
DEMO_IDENTITY = ("刘晓燕", "150602198803151027")

DEMO_ROLES = [
    ("admin", Role.ADMIN),
    ("commander", Role.COMMANDER),
    ("dispatcher", Role.DISPATCHER),
    ("officer", Role.OFFICER),
    ("volunteer", Role.VOLUNTEER),
    ("auditor", Role.AUDITOR),
    ("citizen", Role.CITIZEN),
    ("locksmith", Role.LOCKSMITH),
    ("lawyer", Role.LAWYER),  # video visits' defence lawyer (sim/data/visits.yaml)
    ("zhouli", Role.CITIZEN),  # video visits' family visitor: 周丽 of the sample register
    ("analyst", Role.ANALYST),  # family search: DNA analyst (sim/data/kinship/cases.yaml)
    ("reviewer", Role.REVIEWER),  # family search: the second reviewer of a match (复核)
]


def _store_has_users(db: Database) -> bool:
    from sqlalchemy import func, inspect, select

    if "users" not in inspect(db.engine).get_table_names():
        return False
    with db.session() as session:
        return session.execute(select(func.count()).select_from(User)).scalar_one() > 0


def _remove_sqlite_files(settings: Settings) -> None:
    """The store and its signed audit checkpoints (which would not match a new store)."""
    paths = [settings.data_dir / f"pingan.db{suffix}" for suffix in SQLITE_SUFFIXES]
    for path in [*paths, settings.resolved_audit_checkpoints_file]:
        if path.exists():
            path.unlink()


def roster_days_around(today: date | None = None) -> list[date]:
    """Two days back to one ahead (local): a simulated stretch of the last 24 hours may start
    in the night shift of the day before yesterday."""
    from pingan.dispatch.kpi import LOCAL_TZ

    today = today or utcnow().astimezone(LOCAL_TZ).date()
    return [today + timedelta(days=d) for d in (-2, -1, 0, 1)]


def build_demo(
    settings: Settings,
    *,
    reset: bool = False,
    sample_incidents: bool = True,
    fleet: str | None = None,
    roster_days: Sequence[date] | None = None,
) -> list[tuple[str, str, str]]:
    """Create the demo store; returns (username, role, one-time password), or [] if kept.

    ``fleet``: "article" or "small" (default: the setting); ``roster_days``: the days the
    sample roster is stored for (default: around today), article fleet only."""
    fleet = fleet or settings.demo_fleet
    if fleet not in ("article", "small"):
        raise ValueError(msg("cli.unknown_fleet", fleet=fleet))
    if reset:
        _remove_sqlite_files(settings)
    db, vault = store.open_store(settings)
    try:
        store.upgrade(db, settings, vault)
        if _store_has_users(db):
            return []
        days = None if fleet == "small" else list(roster_days or roster_days_around())
        accounts = _populate(db, vault, sample_incidents=sample_incidents, roster_days=days)
        if sample_incidents:
            fraud_sample(settings, db, vault)
            visits_sample(settings, db, vault)
            kinship_sample(db, vault)
        return accounts
    finally:
        db.dispose()


def visits_sample(settings: Settings, db: Database, vault: Vault) -> None:
    """The video visits' sample (sim/data/visits.yaml): facilities, detainees, visitors, ties,
    a consent and bookings, one of them starting minutes from now (sim/visits_world.py)."""
    from pingan.sim.visits_world import populate

    with db.session() as session:
        populate(session, vault, settings.data_dir, now=utcnow().replace(microsecond=0))


def kinship_sample(db: Database, vault: Vault) -> None:
    """The family search's sample (sim/data/kinship/cases.yaml): four cases of the "nation's
    children", their donors and consent, and the laboratory's simulated profiles imported
    through the profile import (sim/kinship_world.py)."""
    from pingan.sim.kinship_world import populate

    with db.session() as session:
        populate(session, vault, now=utcnow().replace(microsecond=0))


def use_demo_banks(settings: Settings, app: FastAPI) -> LocalBanks:
    """The demo server sends its stop orders to the in-process banks kept in its data folder:
    the bank simulator, for the demo only (an installation names real gateways in
    PINGAN_FRAUD_GATEWAYS_FILE)."""
    from pingan.fraud.sending import use_registry
    from pingan.sim.run import local_banks

    banks = local_banks(settings, app.state.db)
    use_registry(app, banks)
    return banks


def fraud_sample(settings: Settings, db: Database, vault: Vault) -> None:
    """The anti-fraud desk's sample (sim/fraud_world.py DEMO_CASES): the banks' books written
    into the in-process banks (<data dir>/fraud-banks: the bank simulator, for the demo only),
    three victims' reports taken by the demo officer earlier and their stop orders sent and
    answered — stopped, and not stopped where the victim misread a field — and one report
    taken minutes ago whose stop orders wait for the officer, its golden clock running.
    Then a few known fraud numbers and the operator's contacts from them, imported through
    the warnings service, which grades them into the warnings board's warnings."""
    from sqlalchemy import select

    from pingan.fraud import intake
    from pingan.fraud import orders as fraud_orders
    from pingan.fraud.localbank import bank_time
    from pingan.fraud.schemas import CaseIn
    from pingan.fraud.sending import Sender
    from pingan.sim.fraud_world import STOP_AFTER, demo_cases, merged
    from pingan.sim.run import local_banks

    now = utcnow().replace(microsecond=0)
    cases = demo_cases(now)
    banks = local_banks(settings, db)
    for ledger in merged(cases):
        banks.add(ledger)
    sender = Sender(db, banks)
    try:
        with db.session() as session:
            officer_id = session.scalars(select(User.id).where(User.username == "officer")).one()
        officer = Actor(officer_id, "officer", Role.OFFICER)
        for n, case in enumerate(cases):
            report = case.report
            body = CaseIn.model_validate({**report.body, "send": False})
            with db.session() as session:
                row, _ = intake.file_case(session, officer, vault, body, now=report.reported_at)
                if n == len(cases) - 1:
                    break  # the fresh one: the officer sends its stop orders
                at = report.reported_at + STOP_AFTER
                ids = [r.id for r in fraud_orders.create_stops(session, officer, row, now=at)]
            with bank_time(at + timedelta(seconds=4)):
                for order_id in ids:
                    sender.send_now(order_id)
    finally:
        sender.shutdown()
    with db.session() as session:
        _fraud_contacts(session, vault, now)


# Numbers a feed reported (source "feed") and the operator's records of their calls and
# messages to people of the city: who was called, how and for how long, minutes ago (the
# warnings service grades them: long and repeated calls high, a short one low).
DEMO_FRAUD_NUMBERS = {"10088610023": "authority", "10093370431": "investment",
                      "10060212255": "customer_service"}  # fmt: skip
DEMO_CONTACTS = [  # (number, person's phone, kind, seconds, minutes ago)
    ("10088610023", "13947731520", "call", 740, 95),
    ("10088610023", "13947731520", "call", 1260, 40),
    ("10088610023", "13947731520", "sms", 0, 38),
    ("10093370431", "13904776218", "call", 410, 180),
    ("10093370431", "13904776218", "app", 0, 150),
    ("10060212255", "13915528803", "call", 45, 20),
    ("10060212255", "13926610947", "sms", 0, 12),
]


def _fraud_contacts(session, vault: Vault, now) -> None:  # type: ignore[no-untyped-def]
    """The feed's known fraud numbers and the operator's contacts from them, imported by the
    demo dispatcher through the warnings service, which grades them into warnings."""
    from sqlalchemy import select

    from pingan.fraud.warnings import feed, numbers

    dispatcher_id = session.scalars(select(User.id).where(User.username == "dispatcher")).one()
    dispatcher = Actor(dispatcher_id, "dispatcher", Role.DISPATCHER)
    listed = "".join(f"{n},{kind},feed\n" for n, kind in DEMO_FRAUD_NUMBERS.items())
    numbers.import_csv(session, dispatcher, "number,fraud_type,source\n" + listed,
                       now=now - timedelta(days=2))  # fmt: skip
    items = [
        {"number": number, "person_phone": phone, "kind": kind, "duration_s": seconds,
         "at": (now - timedelta(minutes=ago)).isoformat()}
        for number, phone, kind, seconds, ago in DEMO_CONTACTS
    ]  # fmt: skip
    feed.import_feed(session, dispatcher, vault, items=items, now=now)


def _populate(
    db: Database,
    vault: Vault,
    *,
    sample_incidents: bool = True,
    roster_days: Sequence[date] | None = None,
) -> list[tuple[str, str, str]]:
    rng = random.Random(20260728)
    system = Actor.system("demo")
    accounts = []
    user_ids = {}
    with db.session() as session:
        for username, role in DEMO_ROLES:
            password = generate_password()
            user_ids[username] = auth_service.create_user(
                session,
                system,
                vault,
                username=username,
                password=password,
                role=role,
                phone="13800138000" if username == "citizen" else None,
            ).id
            accounts.append((username, role.value, password))
        unit_ids = {}
        for call_sign, kind, place in DEMO_UNITS:
            _, lon, lat = PLACES[place]
            jitter = (rng.uniform(-0.0008, 0.0008), rng.uniform(-0.0004, 0.0004))
            unit = units.create_unit(
                session,
                system,
                call_sign=call_sign,
                kind=kind,
                area_code=place,
                post=(lon + jitter[0], lat + jitter[1]),
            )
            unit_ids[call_sign] = unit.id
        if roster_days is not None:
            _roster_fleet(session, system, rng, unit_ids, roster_days)
        for username, call_sign in DEMO_BINDINGS.items():
            units.bind_user(
                session,
                system,
                unit_ids[call_sign],
                user_id=user_ids[username],
                note=both("demo.note.binding"),
            )
        _trust_sample(session, system, vault, user_ids["locksmith"])
        if sample_incidents:
            _sample_incidents(session, system, vault, unit_ids)
    return accounts


def _trust_sample(session, system: Actor, vault: Vault, locksmith_user: int) -> None:  # type: ignore[no-untyped-def]
    """The trust services' sample tables (sim/data/trust/README.md says who is who), loaded
    through the bureau's own imports, and the demo locksmith — a company's van, not on the
    police roster — filed as an officer would, bound to its own unit."""
    from pingan.trust.certificates import records
    from pingan.trust.identity import register
    from pingan.trust.unlock import entitlement, filing

    folder = sample_paths()[0].parent / "trust"
    now = utcnow()
    register.import_csv(
        session, system, vault, (folder / "register.csv").read_text("utf-8"), now=now
    )
    records.import_csv(session, system, vault, (folder / "records.csv").read_text("utf-8"), now=now)
    entitlement.import_csv(
        session, system, vault, (folder / "entitlements.csv").read_text("utf-8"), now=now
    )
    _, lon, lat = PLACES["shopping_street"]
    unit = units.create_unit(
        session, system, call_sign="开锁01", kind=filing.KIND, area_code="shopping_street",
        post=(lon + 0.0012, lat - 0.0006),
    )  # fmt: skip
    units.bind_user(
        session, system, unit.id, user_id=locksmith_user, note=both("demo.note.binding")
    )
    spec = filing.FilingSpec(
        filing_number="KS-150602-2026-0001", company="康巴什安居开锁服务部",
        certification="开锁技术职业技能等级证书（四级）", name="马立新",
        user_id=locksmith_user, unit_id=unit.id, clean_record_checked=True,
    )  # fmt: skip
    filing.file_locksmith(session, system, spec, now=now)


def _roster_fleet(session, system: Actor, rng: random.Random, unit_ids: dict[str, int],  # type: ignore[no-untyped-def]
                  days: Sequence[date]) -> None:  # fmt: skip
    """Register the sample roster's units not yet in the fleet (at their post, else in their
    area) and store the roster for each of ``days``."""
    from pingan.deployment.candidates import load_posts

    posts = {p.code: p for p in load_posts(sample_paths()[0].parent / SAMPLE_POSTS)}
    roster = read_file(sample_roster_path())
    shifts = {}
    for shift_code, lines in roster.shifts.items():
        placed = []
        for line in lines:
            post = posts.get(line.post_code or "")
            if post is not None:
                line = replace(line, post_lon=post.lon, post_lat=post.lat)
            placed.append(line)
            if line.call_sign in unit_ids:
                continue
            if post is not None:
                where = (post.lon + rng.uniform(-0.0002, 0.0002), post.lat)
            else:
                _, lon, lat = PLACES[line.area_code or "central_square"]
                where = (lon + rng.uniform(-0.0008, 0.0008), lat + rng.uniform(-0.0004, 0.0004))
            unit_ids[line.call_sign] = units.create_unit(
                session, system, call_sign=line.call_sign, kind=line.kind, crew_size=line.crew,
                area_code=line.area_code, post=where,
            ).id  # fmt: skip
        shifts[shift_code] = placed
    for day in days:
        rosters.replace_shifts(session, system, day, shifts)


def _arrive(session, system: Actor, incident, unit_id: int, at) -> None:  # type: ignore[no-untyped-def]
    """The crew's fix a few metres from the scene, then the arrival it confirms."""
    units.report_position(
        session, system, unit_id, lon=incident.lon + 0.0001, lat=incident.lat, at=at
    )
    incidents.progress_unit(session, system, incident.id, unit_id, Action.ON_SCENE, at=at)


def _sample_incidents(session, system: Actor, vault: Vault, unit_ids: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """A short evening at the fountain: one case closed, one on scene, one just received.

    Their times are scripted, so they are marked as samples (样例): listed like any incident,
    left out of the response KPIs and of the demand the deployment plans from."""
    now = utcnow()
    t0 = now - timedelta(minutes=50)
    _, lon, lat = PLACES["music_fountain"]
    closed = incidents.create_incident(
        session,
        system,
        vault,
        incidents.NewIncident(
            type_code="missing_person",
            summary="音乐喷泉东侧一名6岁男孩与家人走散，穿红色上衣",
            lon=lon + 0.0004,
            lat=lat,
            source=Source.CALL_110,
            area_code="music_fountain",
            address="康巴什区音乐喷泉东侧",
            reporter_name="王女士",
            reporter_phone="13912345678",
            received_at=t0,
            sample=True,
        ),
    )
    unit = unit_ids["步01"]
    incidents.dispatch_units(session, system, closed.id, [unit], at=t0 + timedelta(seconds=20))
    incidents.progress_unit(
        session, system, closed.id, unit, Action.ACKNOWLEDGE, at=t0 + timedelta(seconds=30)
    )
    incidents.progress_unit(
        session, system, closed.id, unit, Action.EN_ROUTE, at=t0 + timedelta(seconds=35)
    )
    _arrive(session, system, closed, unit, t0 + timedelta(seconds=95))
    incidents.resolve(
        session,
        system,
        closed.id,
        outcome="已在喷泉南侧找到孩子，交还家长",
        at=t0 + timedelta(minutes=12),
    )
    incidents.close(session, system, closed.id, note="家长确认")

    t1 = now - timedelta(minutes=8)
    _, lon, lat = PLACES["shopping_street"]
    busy = incidents.create_incident(
        session,
        system,
        vault,
        incidents.NewIncident(
            type_code="disturbance",
            summary="步行街商户与游客发生口角",
            lon=lon,
            lat=lat + 0.0003,
            source=Source.CALL_110,
            area_code="shopping_street",
            received_at=t1,
            sample=True,
        ),
    )
    car = unit_ids["巡A02"]
    incidents.dispatch_units(session, system, busy.id, [car], at=t1 + timedelta(seconds=40))
    incidents.progress_unit(
        session, system, busy.id, car, Action.ACKNOWLEDGE, at=t1 + timedelta(seconds=50)
    )
    incidents.progress_unit(
        session, system, busy.id, car, Action.EN_ROUTE, at=t1 + timedelta(seconds=55)
    )
    _arrive(session, system, busy, car, t1 + timedelta(seconds=230))

    _, lon, lat = PLACES["bridge_3"]
    incidents.create_incident(
        session,
        system,
        vault,
        incidents.NewIncident(
            type_code="breakdown",
            summary="三号桥北引道一辆小客车抛锚",
            lon=lon,
            lat=lat + 0.0005,
            source=Source.CALL_110,
            area_code="bridge_3",
            received_at=now - timedelta(minutes=2),
            sample=True,
        ),
    )


def live_day(
    day_kind: str,
    *,
    speed: float | None,
    rewind_minutes: float | None,
    auto_dispatch: bool,
    busy: float | None,
    **options: object,
) -> tuple[SimConfig, str]:
    """The simulated day `pingan demo` runs beside the server, and the line that says so.

    No speed and no rewind: the lively default (sim/run.py LIVELY), a busy evening replayed
    fast then live. Otherwise the clock the options ask for (live_config)."""
    delay = DISPATCHER_DELAY_S if auto_dispatch else None
    if busy is not None:
        options["rate_scale"] = busy
    if speed is None and rewind_minutes is None:
        config = lively_config(day_kind, dispatcher_delay_s=delay, **options)
        minutes = LIVELY["replay_h"] * 60 / LIVELY["speed"]
        opens, closes = LIVELY["opens_at_h"], LIVELY["opens_at_h"] + LIVELY["replay_h"]
        said = text(
            "demo.lively_started",
            day=msg(f"demo.day.{day_kind}"),
            speed=f"{LIVELY['speed']:g}",
            opens=f"{opens:02.0f}:00",
            closes=f"{closes:02.0f}:00",
            minutes=f"{minutes:.0f}",
        )
        return config, said
    speed = speed or 1.0
    config = live_config(
        day_kind, speed=speed, rewind_minutes=rewind_minutes, dispatcher_delay_s=delay, **options
    )
    rewound = (utcnow() - config.start).total_seconds() / 60 if config.start else 0.0
    fast = rewound / (speed - 1) if speed > 1 else 0.0
    day = msg(f"demo.day.{day_kind}")
    said = (
        text(
            "demo.fast_started",
            day=day,
            ago=f"{rewound:.0f}",
            speed=f"{speed:g}",
            fast=f"{fast:.0f}",
        )
        if speed > 1
        else text("demo.caught_up_started", day=day, ago=f"{rewound:.0f}")
    )
    return config, said


def start_day(settings: Settings, db: Database, config: SimConfig, devices,  # type: ignore[no-untyped-def]
              banks: LocalBanks | None = None) -> DaySimulation:  # fmt: skip
    """Run the simulated day in a background thread beside the server (`devices`: a getter
    of the server's device hub, once its lifespan started it; `banks`: the server's
    in-process banks, so an officer can act on the day's fraud cases from the browser)."""
    sim = simulation_for(settings, db, config, devices=devices, banks=banks)
    sim.start_thread()
    return sim


def simulate_day(
    settings: Settings,
    day_kind: str,
    hours: float,
    *,
    seed: int,
    busy: float,
    tick_s: float,
    speed: float | None,
) -> DayReport:
    """`pingan simulate`: the last `hours` of a day on a demo store, headless."""
    config = SimConfig(day_kind=day_kind, seed=seed, rate_scale=busy, tick_s=tick_s)
    return run_headless(settings, config, hours, speed=speed)
