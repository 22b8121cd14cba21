"""The simulated day's help services (便民服务), each step through its service.

Visitors report lost items and finders hand them in (some phones with their IMEI, so the
identifier matches); owners find their item among the matches, prove ownership and both
sides confirm the hand-over. Guardians report lost children and elders (the service opens
the incident the dispatcher works), a volunteer or officer registers the person found, and
the guardian takes them back after the ID check. Car-park cameras read plates all day;
owners who forget where they parked ask at a kiosk. Drivers whose car breaks down ask for
help; the dispatcher sends the traffic police or the tow service, and the road is cleared.

A case's later steps are queued with their due time (`HelpQueue`), drawn from the seeded
stream when the case starts, so a seed gives the same day.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import string
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.errors import DomainError
from pingan.incidents import service as incidents
from pingan.pii.id_number import check_character
from pingan.services import breakdown, lost_found, missing, parking
from pingan.services.identifiers import luhn_ok
from pingan.sim.scenario import (
    BREAKDOWNS,
    CARS_PER_VISITOR,
    GIVEN_NAMES,
    HELP_DELAY_S,
    HELP_PER_1000,
    HELP_PER_DAY,
    LOST_FOUND_SHARE,
    LOST_ITEMS,
    MISSING_PEOPLE,
    PLATE_MISREAD_SHARE,
    SURNAMES,
    TOW_SHARE,
)

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation

log = logging.getLogger(__name__)
VISITORS = Actor.system("sim-visitors")  # citizens at a kiosk or on the phone
HELPERS = Actor.system("sim-officers")  # officers, volunteers and desk staff
DESK = Actor.system("sim-dispatcher")
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # no I or O on plates
MISREADS = {"8": "B", "0": "D", "5": "S", "2": "Z", "1": "I"}
PARKED_KEPT = 400  # plates remembered per car park (the owners who may come asking)


@dataclass(order=True)
class Step:
    due: datetime
    seq: int
    name: str = field(compare=False)
    case: dict[str, Any] = field(compare=False)


@dataclass
class HelpQueue:
    """Later steps of open cases, soonest first; ties keep the order they were queued in."""

    steps: list[Step] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    parked: dict[str, deque[str]] = field(default_factory=dict)  # area -> plates read there
    tow_id: int | None = None

    def later(self, due: datetime, name: str, case: dict[str, Any]) -> None:
        heapq.heappush(self.steps, Step(due, next(self.counter), name, case))

    def due(self, t: datetime) -> list[Step]:
        out = []
        while self.steps and self.steps[0].due <= t:
            out.append(heapq.heappop(self.steps))
        return out


# -- made-up but valid personal data (validated by the services like any other) -------------
def phone(sim: DaySimulation) -> str:
    return "139" + "".join(sim.rng.choice(string.digits) for _ in range(8))


def id_number(sim: DaySimulation, born: date) -> str:
    first17 = f"150603{born:%Y%m%d}{sim.rng.randrange(1000):03d}"  # 150603: Kangbashi
    return first17 + check_character(first17)


def imei(sim: DaySimulation) -> str:
    body = "86" + "".join(sim.rng.choice(string.digits) for _ in range(12))
    return next(body + d for d in string.digits if luhn_ok(body + d))


def plate(sim: DaySimulation) -> str:
    return "蒙K" + "".join(sim.rng.choice(PLATE_CHARS) for _ in range(5))


def misread(sim: DaySimulation, value: str) -> str:
    spots = [i for i, c in enumerate(value) if i >= 2 and c in MISREADS]
    if not spots:
        return value
    i = sim.rng.choice(spots)
    return value[:i] + MISREADS[value[i]] + value[i + 1 :]


def person_name(sim: DaySimulation) -> str:
    return sim.rng.choice(SURNAMES) + sim.rng.choice(GIVEN_NAMES)


def _born(sim: DaySimulation, t: datetime, age: tuple[int, int]) -> date:
    return date(t.year - sim.rng.randint(*age), sim.rng.randint(1, 12), sim.rng.randint(1, 28))


def _after(sim: DaySimulation, t: datetime, step: str) -> datetime:
    return t + timedelta(seconds=sim.rng.uniform(*HELP_DELAY_S[step]))


def _stamp(t: datetime) -> datetime:
    return min(t, utcnow())


# -- activity ------------------------------------------------------------------------------
def help_services(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """New help cases at their rates, then every queued step that has come due."""
    q = sim.helpdesk
    scale = sim.config.rate_scale if sim.config.help_scale is None else sim.config.help_scale
    for code in sim.city.key_areas:
        arriving = sim.arrivals_per_hour(code, t) * dt / 3600
        for kind, per_1000 in HELP_PER_1000.items():
            for _ in range(sim.poisson(arriving * per_1000 / 1000 * scale)):
                _guarded(sim, session, STARTS[kind], t, code)
    for kind, per_day in HELP_PER_DAY.get(sim.config.day_kind, {}).items():
        for _ in range(sim.poisson(per_day * dt / 86400 * scale)):
            _guarded(sim, session, STARTS[kind], t, sim.rng.choice(sorted(sim.city.key_areas)))
    for step in q.due(t + timedelta(seconds=dt)):
        _guarded(sim, session, STEPS[step.name], t, step.case)


def _guarded(sim: DaySimulation, session: Session, fn, t: datetime, arg) -> None:  # type: ignore[no-untyped-def]
    """A refused step ends its own case only; the others go on."""
    try:
        fn(sim, session, t, arg)
    except DomainError as exc:
        session.rollback()
        sim.figures.refused += 1
        log.info("help step refused (%s): %s", fn.__name__, exc.detail)


def plate_reads(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Car-park ANPR cameras, once a simulated minute (parking ingest)."""
    if t < sim.next_anpr:
        return
    sim.next_anpr = t + timedelta(seconds=60)
    reads = []
    for code in sorted(sim.city.key_areas):
        cars = sim.poisson(sim.arrivals_per_hour(code, t) / 60 * CARS_PER_VISITOR)
        lon, lat = sim.camera_at(code)
        parked = sim.helpdesk.parked.setdefault(code, deque(maxlen=PARKED_KEPT))
        for _ in range(cars):
            value = plate(sim)
            parked.append(value)
            seen = misread(sim, value) if sim.rng.random() < PLATE_MISREAD_SHARE else value
            reads.append(
                parking.ReadSpec(
                    plate=seen,
                    camera_id=f"sim-anpr-{code}",
                    lon=lon,
                    lat=lat,
                    at=_stamp(t),
                    confidence=round(sim.rng.uniform(0.85, 0.99), 2),
                    place=f"{sim.city.key_areas[code].name_zh}停车场",
                )
            )
    if reads:
        sim.figures.plate_reads += parking.ingest(session, HELPERS, reads)


# -- lost and found --------------------------------------------------------------------------
def _item_spec(sim: DaySimulation, kind: str, t: datetime, code: str, item: tuple,
               number: str | None) -> lost_found.ItemSpec:  # fmt: skip
    category, lost_text, found_text, colour, brand, hidden, _ = item
    lon, lat = sim.point_in(code)
    area = sim.city.key_areas[code]
    lost = kind == "lost"
    return lost_found.ItemSpec(
        kind=kind,
        category=category,
        description=lost_text if lost else found_text,
        lon=lon,
        lat=lat,
        at=_stamp(t),
        colour=colour,
        brand=brand if lost else None,
        identifiers={"imei": number} if number else {},
        hidden_details=hidden,
        place=area.name_zh,
        area_code=code,
        holder=None if lost else "康巴什警务站",
        storage=None if lost else f"{area.name_zh}警务亭失物柜",
        contact_phone=phone(sim) if lost else None,
    )


def start_lost(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    item = sim.rng.choice(LOST_ITEMS)
    number = imei(sim) if item[6] and sim.rng.random() < 0.6 else None
    lost_at = t - timedelta(seconds=sim.rng.uniform(300, 1800))
    row, _ = lost_found.register(
        session, VISITORS, sim.vault, sim.city, sim.photo_dir,
        _item_spec(sim, "lost", lost_at, code, item, number),
    )  # fmt: skip
    sim.figures.help_cases += 1
    if sim.rng.random() < LOST_FOUND_SHARE:
        case = {"lost_id": row.id, "item": item, "imei": number, "area": code}
        sim.helpdesk.later(_after(sim, t, "found"), "hand_in", case)


def start_found(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    """An item handed in whose owner never reports it: it waits in the public listing."""
    item = sim.rng.choice(LOST_ITEMS)
    lost_found.register(
        session, HELPERS, sim.vault, sim.city, sim.photo_dir,
        _item_spec(sim, "found", t, code, item, None),
    )  # fmt: skip
    sim.figures.help_cases += 1


def hand_in(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    row, _ = lost_found.register(
        session, HELPERS, sim.vault, sim.city, sim.photo_dir,
        _item_spec(sim, "found", t, case["area"], case["item"], case["imei"]),
    )  # fmt: skip
    sim.helpdesk.later(_after(sim, t, "claim"), "claim", {**case, "found_id": row.id})


def claim(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The owner looks through the matches for their report and claims the one that is
    theirs (a wrong pick is refused by the proof check and they try the next)."""
    best = lost_found.matches(session, VISITORS, case["lost_id"])
    proof = {"imei": case["imei"]} if case["imei"] else None
    for m in best[:3]:
        try:
            row = lost_found.claim(
                session, VISITORS, sim.vault, m.item_id, claimant_name=person_name(sim),
                identifiers_given=proof, details=case["item"][5], lost_item_id=case["lost_id"],
            )  # fmt: skip
        except DomainError:
            session.rollback()
            continue
        sim.helpdesk.later(_after(sim, t, "handover"), "handover", {"claim_id": row.id})
        return


def handover(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    lost_found.confirm_handover(session, HELPERS, case["claim_id"], "holder")
    lost_found.confirm_handover(session, VISITORS, case["claim_id"], "claimant")


# -- missing people --------------------------------------------------------------------------
def start_missing(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    kind, age, description, clothing = sim.rng.choice(MISSING_PEOPLE)
    lon, lat = sim.point_in(code)
    guardian = id_number(sim, _born(sim, t, (28, 50)))
    row = missing.report(
        session,
        VISITORS,
        sim.vault,
        sim.city,
        sim.photo_dir,
        missing.MissingSpec(
            kind=kind,
            name=person_name(sim),
            description=description,
            lon=lon,
            lat=lat,
            last_seen_at=_stamp(t - timedelta(seconds=sim.rng.uniform(300, 1200))),
            guardian_name=person_name(sim),
            guardian_phone=phone(sim),
            guardian_id_number=guardian,
            age=age,
            clothing=clothing,
            area_code=code,
        ),
        reported_at=_stamp(t),
    )
    sim.figures.help_cases += 1
    case = {"report_id": row.id, "kind": kind, "age": age, "guardian": guardian,
            "text": f"{description}，{clothing}", "lon": lon, "lat": lat}  # fmt: skip
    sim.helpdesk.later(_after(sim, t, "person_found"), "person_found", case)


def person_found(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    drift = (sim.rng.uniform(-0.002, 0.002), sim.rng.uniform(-0.0015, 0.0015))
    person, _ = missing.register_found_person(
        session,
        HELPERS,
        kind=case["kind"],
        description=f"独自一人，{case['text']}",
        lon=case["lon"] + drift[0],
        lat=case["lat"] + drift[1],
        at=_stamp(t),
        apparent_age=case["age"],
    )
    sim.helpdesk.later(_after(sim, t, "guardian"), "guardian", {**case, "person_id": person.id})


def guardian(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    missing.close(
        session, HELPERS, sim.vault, case["report_id"],
        guardian_id_number=case["guardian"], found_person_id=case["person_id"],
    )  # fmt: skip


# -- finding a parked car ----------------------------------------------------------------------
def start_car_find(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    """An owner at the kiosk: the desk checks the licence, then the owner asks where."""
    parked = sim.helpdesk.parked.get(code)
    if not parked:
        return
    value = sim.rng.choice(list(parked))
    owner = id_number(sim, _born(sim, t, (22, 65)))
    parking.register_owner(session, HELPERS, sim.vault, plate=value, owner_id_number=owner)
    lon, lat = sim.point_in(code)
    parking.find_car(
        session, VISITORS, sim.vault, sim.city, plate=value, lon=lon, lat=lat,
        owner_id_number=owner,
    )  # fmt: skip
    sim.figures.help_cases += 1


# -- breakdowns --------------------------------------------------------------------------------
def start_breakdown(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    vehicle, problem = sim.rng.choice(BREAKDOWNS)
    lon, lat = sim.point_in(code)
    row = breakdown.request(
        session, VISITORS, sim.vault, sim.city, lon=lon, lat=lat, vehicle=vehicle,
        problem=problem, plate=plate(sim), phone=phone(sim), area_code=code,
    )  # fmt: skip
    sim.figures.help_cases += 1
    to = "tow" if sim.helpdesk.tow_id is not None and sim.rng.random() < TOW_SHARE else "police"
    case = {"breakdown_id": row.id, "to": to}
    sim.helpdesk.later(_after(sim, t, "breakdown_dispatch"), "breakdown_dispatch", case)


def breakdown_dispatch(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    if sim.config.dispatcher_delay_s is None:
        return  # dispatching is left to the people at the desk
    row = breakdown.dispatch(
        session, DESK, sim.vault, case["breakdown_id"], to=case["to"],
        tow_service_id=sim.helpdesk.tow_id if case["to"] == "tow" else None, at=_stamp(t),
    )  # fmt: skip
    case = {**case, "incident_id": row.incident_id}
    sim.helpdesk.later(_after(sim, t, "breakdown_clear"), "breakdown_clear", case)


def breakdown_clear(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """Cleared once the tow truck is done, or once the traffic police resolved the call."""
    if case["incident_id"] is not None:
        state = incidents.get_incident(session, DESK, case["incident_id"]).state
        if state not in ("resolved", "closed"):
            sim.helpdesk.later(t + timedelta(minutes=5), "breakdown_clear", case)
            return
    breakdown.clear(session, HELPERS, case["breakdown_id"], at=_stamp(t))


def ensure_tow_service(sim: DaySimulation, session: Session, commander: Actor) -> None:
    """The bureau's contracted tow service, registered once (tow-service registry)."""
    tows = breakdown.list_tows(session, commander)
    if not tows:
        tows = [breakdown.register_tow(session, commander, name="康巴什道路救援",
                                       phone="13904770000")]  # fmt: skip
    sim.helpdesk.tow_id = tows[0].id


STARTS = {
    "lost_report": start_lost,
    "found_unreported": start_found,
    "missing_report": start_missing,
    "car_find": start_car_find,
    "breakdown": start_breakdown,
}
STEPS = {
    "hand_in": hand_in,
    "claim": claim,
    "handover": handover,
    "person_found": person_found,
    "guardian": guardian,
    "breakdown_dispatch": breakdown_dispatch,
    "breakdown_clear": breakdown_clear,
}
