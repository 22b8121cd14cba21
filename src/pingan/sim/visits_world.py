"""The demo's detention video visits (sim/data/visits.yaml), written through the visits services
as a facility would: a 看守所 and a 拘留所 of the sample city with terminals and hours, the
people they hold, the demo visitors registered (their identity checked in person by the demo
officer), their ties reviewed, a case authority's consent recorded, and bookings — one family
visit starting a few minutes after the demo starts (the facility opens for it that day, so a
call can be tried at any hour), a lawyer's visit arranged within 48 hours, one waiting for the
case authority's consent, and one held last week."""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.pii.vault import Vault

BEIJING = ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "data" / "visits.yaml"


@cache
def world() -> dict[str, Any]:
    """The sample as the data file has it."""
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def proof_png() -> str:
    """A small grey PNG standing in for a scanned proof (base64, as the pages upload it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


@dataclass(frozen=True)
class Opening:
    """The demo's extra opening: a weekday's period (Beijing) from a few minutes after start."""

    weekday: int
    start: time
    end: time
    starts_at: datetime  # the first slot, tz-aware


def demo_opening(now: datetime, slot_minutes: int) -> Opening:
    """Two hours from `lead_minutes` after `now`, on a five-minute boundary, within one day
    (a start too close to midnight moves to the next day's 00:00)."""
    spec = world()["demo_opening"]
    local = now.astimezone(BEIJING) + timedelta(minutes=spec["lead_minutes"])
    local = local.replace(second=0, microsecond=0)
    local += timedelta(minutes=-local.minute % 5)
    day_end = datetime.combine(local.date(), time(23, 59), BEIJING)
    if local + timedelta(minutes=2 * slot_minutes) > day_end:
        local = datetime.combine(local.date() + timedelta(days=1), time(0, 0), BEIJING)
    end = min(
        local + timedelta(hours=spec["hours"]),
        datetime.combine(local.date(), time(23, 59), BEIJING),
    )
    return Opening(local.weekday(), local.time(), end.time(), local)


def with_opening(hours: dict[str, list[list[str]]], opening: Opening) -> dict[str, list[list[str]]]:
    """The facility's hours with the demo's opening merged into its weekday (periods joined
    where they overlap, in order)."""
    key = str(opening.weekday)
    periods = [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours.get(key, [])]
    periods.append((opening.start, opening.end))
    merged: list[list[time]] = []
    for a, b in sorted(periods):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = {k: [list(p) for p in v] for k, v in hours.items()}
    out[key] = [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in merged]
    return out


def open_at(hours: dict[str, list[list[str]]], day: date, at: time, step: int) -> datetime:
    """The first day from `day` (forward for step 1, back for -1) whose hours hold `at`."""
    for _ in range(14):
        for a, b in hours.get(str(day.weekday()), []):
            if time.fromisoformat(a) <= at < time.fromisoformat(b):
                return datetime.combine(day, at, BEIJING)
        day += timedelta(days=step)
    raise ValueError(f"no opening at {at} near {day}")


def _actor(session: Session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return Actor(user.id, user.username, Role(user.role))


def _identity_checked(
    session: Session, vault: Vault, officer: Actor, username: str, now: datetime
) -> None:
    """The demo officer checks the visitor's resident ID card in person (L3)."""
    from pingan.trust.identity import register
    from pingan.trust.identity.service import verify_in_person
    from pingan.trust.identity.subject import parse_subject

    person = _person_of(username)
    subject = parse_subject(vault, person[1], today=now.date())
    assert register.find(session, subject.key) is not None, username
    verify_in_person(session, officer, vault, id_number=person[1], name=person[0],
                     user_id=None, username=username, now=now)  # fmt: skip


# The demo accounts' people in the sample register (sim/data/trust/register.csv)
PEOPLE = {"zhouli": ("周丽", "150602198304095462"), "lawyer": ("赵明远", "150602198509213012")}


def _person_of(username: str) -> tuple[str, str]:
    return PEOPLE[username]


def populate(session: Session, vault: Vault, data_dir: Path, *, now: datetime) -> None:
    """Write the sample through the visits services (see the module's docstring)."""
    from pingan.visits import registry, visitors

    w = world()
    system = Actor.system("demo")
    officer = _actor(session, "officer")
    facilities = {}
    for f in w["facilities"]:
        hours = f["hours"]
        if f["code"] == w["demo_opening"]["facility"]:
            hours = with_opening(hours, demo_opening(now, f["slot_minutes"]))
        spec = registry.FacilitySpec(
            code=f["code"], name=f["name"], kind=f["kind"], address=f["address"], phone=f["phone"],
            hours=hours, slot_minutes=f["slot_minutes"],
            terminals=tuple(registry.TerminalSpec(**t) for t in f["terminals"]),
        )  # fmt: skip
        facilities[f["code"]] = registry.create_facility(session, system, spec, now=now)
    detainees = {}
    for d in w["detainees"]:
        spec = registry.DetaineeSpec(
            detainee_no=d["number"], facility_id=facilities[d["facility"]].id, name=d["name"],
            id_number=d["id_number"], stage=d["stage"], case_authority=d["case_authority"],
            case_no=d.get("case_no", ""), charge=d.get("charge", ""),
            restrictions=tuple(d.get("restrictions", ())),
            held_since=now - timedelta(days=d["held_days"]),
            held_until=now + timedelta(days=d["until_days"]) if "until_days" in d else None,
        )  # fmt: skip
        detainees[d["number"]] = registry.create_detainee(session, officer, vault, spec, now=now)
    # the visitors, their identity checked at the window first; their ties, reviewed
    people = {}
    for username, v in w["visitors"].items():
        _identity_checked(session, vault, officer, username, now - timedelta(days=20))
        people[username] = _actor(session, username)
        visitors.register_me(
            session, people[username], vault, role=v["role"], phone=v.get("phone"),
            licence_no=v.get("licence_no"), organisation=v.get("organisation"),
            now=now - timedelta(days=20),
        )  # fmt: skip
    ties = {}
    folder = data_dir / visitors.PROOF_DIR
    for t in w["ties"]:
        name = next(d["name"] for d in w["detainees"] if d["number"] == t["detainee"])
        rel = visitors.claim_tie(
            session, people[t["visitor"]], vault, folder, detainee_no=t["detainee"],
            detainee_name=name, relation=t["relation"], proof_kind=t["proof_kind"],
            proof_b64=proof_png(), now=now - timedelta(days=19),
        )  # fmt: skip
        visitors.review_tie(session, officer, rel.id, decision="accept", reason=None,
                            now=now - timedelta(days=18))  # fmt: skip
        ties[(t["visitor"], t["detainee"])] = rel
    for c in w["consents"]:
        visitors.record_approval(
            session, officer, detainee_id=detainees[c["detainee"]].id, visitor_id=None,
            authority=c["authority"], document_no=c["document_no"],
            valid_from=now + timedelta(days=c["from_days"]),
            valid_until=now + timedelta(days=c["until_days"]), now=now - timedelta(days=10),
        )  # fmt: skip
    _bookings(session, vault, w, facilities, ties, people, officer, now)


def _first_free(session: Session, actor: Actor, facility_id: int, kind: str, day: date,
                after: datetime, now: datetime) -> datetime | None:  # fmt: skip
    """The first slot of `day` with a free terminal for `kind`, starting at or after `after`."""
    from pingan.visits import booking

    for s in booking.free_slots(session, actor, facility_id, kind, day, now=now):
        if s.free and s.starts_at >= after:
            return s.starts_at
    return None


def _bookings(session: Session, vault: Vault, w: dict[str, Any], facilities: dict[str, Any],  # type: ignore[no-untyped-def]
              ties: dict[tuple[str, str], Any], people: dict[str, Actor], officer: Actor,
              now: datetime) -> None:  # fmt: skip
    """The sample's bookings, each made by its visitor through the booking service."""
    from pingan.errors import DomainError
    from pingan.visits import booking

    held_at = {d["number"]: d["facility"] for d in w["detainees"]}
    hours = {f["code"]: f["hours"] for f in w["facilities"]}
    for b in w["bookings"]:
        actor, rel = people[b["visitor"]], ties[(b["visitor"], b["detainee"])]
        fac = facilities[held_at[b["detainee"]]]
        party = tuple(booking.PartyMember(**m) for m in b.get("party", ()))
        when, made_at, start = b["when"], now, None
        if when == "soon":  # the first family slot from now on the demo's opening day
            opening = demo_opening(now, fac.slot_minutes)
            start = _first_free(
                session, actor, fac.id, "family", opening.starts_at.date(), now, now
            )
        elif when == "lawyer":  # arranged by the service within 48 h, else the next working day's
            try:
                booking.book(session, actor, vault, booking.BookingSpec(rel.id), now=now)
                continue
            except DomainError:
                session.rollback()
            day = now.astimezone(BEIJING).date()
            for _ in range(14):
                day += timedelta(days=1)
                start = _first_free(session, actor, fac.id, "lawyer", day, now, now)
                if start is not None:
                    break
        else:
            step = -1 if when["days"] < 0 else 1
            day = now.astimezone(BEIJING).date() + timedelta(days=when["days"])
            start = open_at(hours[fac.code], day, time.fromisoformat(when["at"]), step)
            if start < now:  # booked two days before it was held
                made_at = start - timedelta(days=2)
        if start is None:
            continue
        spec = booking.BookingSpec(rel.id, starts_at=start, party=party)
        row = booking.book(session, actor, vault, spec, now=made_at)
        if b.get("approved"):
            booking.decide(
                session, officer, row.id, "approve", "", now=made_at + timedelta(hours=2)
            )
        if b.get("completed"):
            _held(session, vault, officer, actor, row.id, start, row.ends_at)


def _held(session: Session, vault: Vault, officer: Actor, visitor: Actor, booking_id: int,  # type: ignore[no-untyped-def]
          start: datetime, end: datetime) -> None:  # fmt: skip
    """The call of a past booking, held: the terminal officer and the visitor (checked again
    by the officer on the facility's video link) joined, both connected, the visitor ended it."""
    try:
        from pingan.visits import sessions
    except ImportError:  # the call's service is another piece of the platform
        return
    _identity_checked(session, vault, officer, visitor.username, start - timedelta(minutes=5))
    terminal = sessions.admit(session, officer, booking_id, "terminal", now=start)
    sessions.admit(session, visitor, booking_id, "visitor", now=start + timedelta(minutes=1))
    sessions.connected(session, visitor, terminal.call.id, "visitor", both=True,
                       now=start + timedelta(minutes=1))  # fmt: skip
    sessions.end(session, visitor, terminal.call.id, "completed", now=end - timedelta(minutes=3))
