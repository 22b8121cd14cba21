"""The simulated day's help services (便民服务), each step through its service.

The world decides what happens (sim/finders.py, with the figures in sim/help_data.py): whether
someone comes across a lost item or a missing person, who, when and where, and what that finder
writes down in their own words. The platform decides what comes of it: an owner claims from
the matches for their report and the proof check (IMEI, held-back detail) refuses a wrong pick;
a found person's guardian is called for the report the platform ranks first, and a guardian who
says "not ours" is recorded and the next proposal tried. A match the platform misses stays
open. Car-park cameras read plates all day; owners who forget where they parked ask at a
kiosk. Drivers whose car breaks down ask for help; the dispatcher sends the traffic police or
the tow service, and the road is cleared.

A case's later steps are queued with their due time (`HelpQueue`), drawn from the seeded
stream when the case starts, so a seed gives the same day.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
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
from pingan.sim import finders
from pingan.sim.help_data import (
    CLAIM_PICKS,
    DESK_READS_IMEI,
    HANDOVER_TRIES,
    LOST_ITEMS,
    MARKS,
    MISSING_PEOPLE,
    OWNER_KNOWS_IMEI,
    OWNER_LOOKS,
)
from pingan.sim.scenario import (
    BREAKDOWNS,
    CARS_PER_VISITOR,
    GIVEN_NAMES,
    HELP_DELAY_S,
    HELP_PER_1000,
    HELP_PER_DAY,
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
    # report -> (the guardian's ID number, the world's name for the missing person): what the
    # guardian knows and whom they would recognise; the platform is never told the second
    guardians: dict[int, tuple[str, int]] = field(default_factory=dict)
    people: itertools.count = field(default_factory=itertools.count)  # the world's names
    # the world's memory, for judging the outcome: lost report or found item -> its thing;
    # found person -> who they are
    things: dict[int, int] = field(default_factory=dict)
    found_people: dict[int, int] = field(default_factory=dict)
    claims_refused: int = 0  # wrong picks the proof check refused
    wrong_claims: int = 0  # claims the check let through that the owner saw were not theirs
    handovers_refused: int = 0  # proposed people a guardian said were not theirs

    def later(self, due: datetime, name: str, case: dict[str, Any]) -> None:
        heapq.heappush(self.steps, Step(due, next(self.counter), name, case))

    def due(self, t: datetime) -> list[Step]:
        out = []
        while self.steps and self.steps[0].due <= t:
            out.append(heapq.heappop(self.steps))
        return out


# -- made-up but valid personal data (validated by the services like any other) -------------
def phone(sim: DaySimulation) -> str:
    return made_up_phone(sim.rng)


def id_number(sim: DaySimulation, born: date) -> str:
    return made_up_id_number(sim.rng, born)


def made_up_phone(rng: random.Random) -> str:
    return "139" + "".join(rng.choice(string.digits) for _ in range(8))


def made_up_id_number(rng: random.Random, born: date) -> str:
    """A valid GB 11643 number of a Kangbashi birth (region 150603) that belongs to nobody
    known: the services validate it like any other."""
    first17 = f"150603{born:%Y%m%d}{rng.randrange(1000):03d}"
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


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _born(sim: DaySimulation, t: datetime, age: tuple[int, int]) -> date:
    return date(t.year - sim.rng.randint(*age), sim.rng.randint(1, 12), sim.rng.randint(1, 28))


def _after(rng: random.Random, t: datetime, step: str) -> datetime:
    return t + timedelta(seconds=rng.uniform(*HELP_DELAY_S[step]))


def _stream(sim: DaySimulation) -> random.Random:
    """A case's own seeded stream for its later steps: how many steps a case takes depends
    on the platform's answers, and that must not change what the rest of the world does."""
    return random.Random(sim.rng.getrandbits(64))


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
def _lost_thing(sim: DaySimulation) -> dict[str, Any]:
    """A thing in the world: what kind, what marks it apart, its IMEI, and the world's name
    for it (the platform is never told that name)."""
    item = sim.rng.choice(LOST_ITEMS)
    return {
        "item": item,
        "marks": sim.rng.choice(MARKS[item.category]),
        "imei": imei(sim) if item.has_imei else None,
        "thing": next(sim.helpdesk.people),
        "rng": _stream(sim),
    }


def start_lost(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    """The owner reports in their words; the world decides whether someone comes across the
    item, who, when and where; the owner looks at the platform's matches a few times."""
    thing = _lost_thing(sim)
    item, number = thing["item"], thing["imei"]
    lost_at = t - timedelta(seconds=sim.rng.uniform(300, 1800))
    lon, lat = sim.point_in(code)
    known = number if number and sim.rng.random() < OWNER_KNOWS_IMEI else None
    row, _ = lost_found.register(
        session, VISITORS, sim.vault, sim.city, sim.photo_dir,
        lost_found.ItemSpec(
            kind="lost", category=item.category, description=item.owner_text, lon=lon, lat=lat,
            at=_stamp(lost_at), colour=item.colour, brand=item.brand,
            identifiers={"imei": known} if known else {}, hidden_details=thing["marks"][0],
            place=sim.city.key_areas[code].name_zh, area_code=code, contact_phone=phone(sim),
        ),
    )  # fmt: skip
    sim.figures.help_cases += 1
    sim.helpdesk.things[row.id] = thing["thing"]
    find = finders.item_found(sim.rng, item, code, lon, lat)
    if find is not None:
        found = {**thing, "area": code, "find": find}
        sim.helpdesk.later(lost_at + timedelta(seconds=find.after_s), "hand_in", found)
    owner = {**thing, "imei": known, "lost_id": row.id, "looks": OWNER_LOOKS["times"],
             "rng": _stream(sim)}  # fmt: skip
    first = t + timedelta(seconds=sim.rng.uniform(*OWNER_LOOKS["first_s"]))
    sim.helpdesk.later(first, "claim", owner)


def start_found(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    """An item handed in whose owner never reports it: it waits in the public listing."""
    lon, lat = sim.point_in(code)
    hand_in(sim, session, t, {**_lost_thing(sim), "area": code,
                              "find": finders.Find("visitor", 0.0, lon, lat)})  # fmt: skip
    sim.figures.help_cases += 1


def hand_in(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The finder's description, in their words; the desk notes the marks (held back) and
    reads a phone's IMEI when it can."""
    item, find, area = case["item"], case["find"], sim.city.key_areas[case["area"]]
    rng = case["rng"]
    text, colour = finders.finder_words(rng, item)
    number = case["imei"] if case["imei"] and rng.random() < DESK_READS_IMEI else None
    row, _ = lost_found.register(
        session, HELPERS, sim.vault, sim.city, sim.photo_dir,
        lost_found.ItemSpec(
            kind="found", category=item.category, description=text, lon=find.lon, lat=find.lat,
            at=_stamp(t), colour=colour, identifiers={"imei": number} if number else {},
            hidden_details=case["marks"][1], place=area.name_zh, area_code=case["area"],
            holder=f"{area.name_zh}警务亭", storage=f"{area.name_zh}警务亭失物柜",
        ),
    )  # fmt: skip
    sim.helpdesk.things[row.id] = case["thing"]


def claim(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The owner looks through the top matches for their report and claims with what they
    know (IMEI, the marks only they know): the platform's check refuses a wrong pick. None
    proven: they look again later, a few times, then give up (the report stays open)."""
    if lost_found.get_item(session, VISITORS, case["lost_id"]).status != "open":
        return
    best = lost_found.matches(session, VISITORS, case["lost_id"])
    proof = {"imei": case["imei"]} if case["imei"] else None
    for m in best[:CLAIM_PICKS]:
        try:
            row = lost_found.claim(
                session, VISITORS, sim.vault, m.item_id, claimant_name=person_name(case["rng"]),
                identifiers_given=proof, details=case["marks"][0], lost_item_id=case["lost_id"],
            )  # fmt: skip
        except DomainError:
            session.rollback()
            sim.helpdesk.claims_refused += 1
            continue
        step = {"claim_id": row.id, "theirs": sim.helpdesk.things.get(m.item_id) == case["thing"]}
        sim.helpdesk.later(_after(case["rng"], t, "handover"), "handover", {**case, **step})
        return
    _look_again(sim, t, case)


def _look_again(sim: DaySimulation, t: datetime, case: dict) -> None:
    if case["looks"] > 1:
        again = t + timedelta(seconds=case["rng"].uniform(*OWNER_LOOKS["again_s"]))
        sim.helpdesk.later(again, "claim", {**case, "looks": case["looks"] - 1})


def handover(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The holder hands the item over; the owner confirms only if it is theirs (the check
    passed someone else's item with the same marks: it stays claimed, they look again)."""
    lost_found.confirm_handover(session, HELPERS, case["claim_id"], "holder")
    if not case["theirs"]:
        sim.helpdesk.wrong_claims += 1
        _look_again(sim, t, case)
        return
    lost_found.confirm_handover(session, VISITORS, case["claim_id"], "claimant")


# -- missing people --------------------------------------------------------------------------
def start_missing(sim: DaySimulation, session: Session, t: datetime, code: str) -> None:
    """The guardian reports; the world decides whether someone comes across the person that
    day, who, when and where (the sim remembers who they are: the guardian will know)."""
    person = sim.rng.choice(MISSING_PEOPLE)
    lon, lat = sim.point_in(code)
    guardian = id_number(sim, _born(sim, t, (28, 50)))
    row = missing.report(
        session,
        VISITORS,
        sim.vault,
        sim.city,
        sim.photo_dir,
        missing.MissingSpec(
            kind=person.kind,
            name=person_name(sim.rng),
            description=person.description,
            lon=lon,
            lat=lat,
            last_seen_at=_stamp(t - timedelta(seconds=sim.rng.uniform(300, 1200))),
            guardian_name=person_name(sim.rng),
            guardian_phone=phone(sim),
            guardian_id_number=guardian,
            age=person.age,
            clothing=person.clothing,
            area_code=code,
        ),
        reported_at=_stamp(t),
    )
    sim.figures.help_cases += 1
    who = next(sim.helpdesk.people)  # the world's own name for this person
    sim.helpdesk.guardians[row.id] = (guardian, who)
    seen = finders.person_seen(sim.rng, person, lon, lat)
    if seen is not None:
        case = {"person": person, "who": who, "find": seen, "rng": _stream(sim)}
        sim.helpdesk.later(t + timedelta(seconds=seen.after_s), "person_found", case)


def person_found(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The finder registers what they see (their words, a guessed age); the desk calls the
    guardian of the report the platform ranks first."""
    person, find = case["person"], case["find"]
    text, age = finders.person_words(case["rng"], person)
    row, ranked = missing.register_found_person(
        session, HELPERS, kind=person.kind, description=text, lon=find.lon, lat=find.lat,
        at=_stamp(t), apparent_age=age,
    )  # fmt: skip
    sim.helpdesk.found_people[row.id] = case["who"]
    desk = {"person_id": row.id, "who": case["who"], "tried": [], "rng": case["rng"]}
    _propose(sim, t, desk, ranked)


def _propose(sim: DaySimulation, t: datetime, case: dict, ranked: list) -> None:  # type: ignore[type-arg]
    """The guardian of the best proposal not yet tried comes to the desk; no proposal left (or
    the desk has tried enough): the person waits, the reports stay open."""
    if len(case["tried"]) >= HANDOVER_TRIES:
        return
    fresh = [m.report_id for m in ranked if m.report_id not in case["tried"]]
    if fresh:
        due = _after(case["rng"], t, "guardian")
        sim.helpdesk.later(due, "guardian", {**case, "report_id": fresh[0]})


def guardian(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    """The proposed report's guardian sees the person: theirs — hand-over after the ID check;
    not theirs — the refusal is recorded and the desk asks the platform for the next."""
    report_id = case["report_id"]
    if missing.get_report(session, HELPERS, report_id).status != "open":
        ranked = missing.person_matches(session, HELPERS, case["person_id"])
        _propose(sim, t, case, ranked)  # found by someone else meanwhile: not a try
        return
    gid, who = sim.helpdesk.guardians[report_id]
    if who == case["who"]:
        missing.close(
            session, HELPERS, sim.vault, report_id, guardian_id_number=gid,
            found_person_id=case["person_id"],
        )  # fmt: skip
        return
    missing.refuse_person(session, HELPERS, report_id, found_person_id=case["person_id"])
    sim.helpdesk.handovers_refused += 1
    tried = {**case, "tried": [*case["tried"], report_id]}
    _propose(sim, t, tried, missing.person_matches(session, HELPERS, case["person_id"]))


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
    sim.helpdesk.later(_after(sim.rng, t, "breakdown_dispatch"), "breakdown_dispatch", case)


def breakdown_dispatch(sim: DaySimulation, session: Session, t: datetime, case: dict) -> None:
    if sim.config.dispatcher_delay_s is None:
        return  # dispatching is left to the people at the desk
    row = breakdown.dispatch(
        session, DESK, sim.vault, case["breakdown_id"], to=case["to"],
        tow_service_id=sim.helpdesk.tow_id if case["to"] == "tow" else None, at=_stamp(t),
    )  # fmt: skip
    case = {**case, "incident_id": row.incident_id}
    sim.helpdesk.later(_after(sim.rng, t, "breakdown_clear"), "breakdown_clear", case)


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
