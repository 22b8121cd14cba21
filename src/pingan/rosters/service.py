"""Use cases for shift rosters: fill in (replace) or extend a shift's roster, read it back,
and total it — officer-shifts (警力人次) are the police crews summed over the day's shifts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.dispatch.kpi import shifts
from pingan.errors import Conflict, ValidationFailed
from pingan.geo.coords import Crs
from pingan.geo.input import validated_point
from pingan.i18n import msg
from pingan.rosters.models import RosterEntry
from pingan.units.catalogue import unit_kinds

MAX_CREW = 50


@dataclass(frozen=True, slots=True)
class Line:
    """One unit on a shift as a bureau writes it down."""

    call_sign: str
    kind: str
    crew: int | None = None  # None: the kind's usual crew
    area_code: str | None = None
    post_code: str | None = None
    post_lon: float | None = None
    post_lat: float | None = None
    partner: str | None = None  # the partner organisation of a joint patrol (联勤联动)
    note: str | None = None


@dataclass
class Totals:
    """Units and people per (shift, kind); officer-shifts count police crews only."""

    units: dict[tuple[str, str], int] = field(default_factory=dict)
    people: dict[tuple[str, str], int] = field(default_factory=dict)
    officer_shifts: int = 0
    partner_people: int = 0

    def add(self, shift_code: str, kind: str, crew: int) -> None:
        key = (shift_code, kind)
        self.units[key] = self.units.get(key, 0) + 1
        self.people[key] = self.people.get(key, 0) + crew
        spec = unit_kinds().get(kind)
        if spec is not None and spec.police:
            self.officer_shifts += crew
        else:
            self.partner_people += crew

    def officers_in(self, shift_code: str) -> int:
        police = {k for k, v in unit_kinds().items() if v.police}
        return sum(n for (s, k), n in self.people.items() if s == shift_code and k in police)


def shift_codes() -> list[str]:
    return [s.code for s in shifts()]


def check_shift(code: str) -> str:
    if code not in shift_codes():
        raise ValidationFailed(
            msg("rosters.bad_shift", code=code, choices=list(shift_codes())), code="bad_shift"
        )
    return code


def validate(lines: Sequence[Line], where: str = "") -> list[Line]:
    """Every line checked; all problems in one message, so a bureau fixes its file once."""
    kinds = unit_kinds()
    problems, seen, out = [], set(), []
    for i, line in enumerate(lines, 1):
        at = msg("rosters.line_at", where=where, i=i, call_sign=line.call_sign or "-")
        if not line.call_sign or len(line.call_sign) > 40:
            problems.append(msg("rosters.bad_call_sign", at=at))
        elif line.call_sign in seen:
            problems.append(msg("rosters.call_sign_twice", at=at))
        seen.add(line.call_sign)
        spec = kinds.get(line.kind)
        if spec is None:
            problems.append(msg("rosters.unknown_kind", at=at, kind=line.kind, choices=list(kinds)))
            continue
        crew = spec.crew if line.crew is None else line.crew
        if not 0 <= crew <= MAX_CREW or (spec.police and crew < 1):
            problems.append(
                msg("rosters.bad_crew_count", at=at, low=int(spec.police), high=MAX_CREW)
            )
        if (line.post_lon is None) != (line.post_lat is None):
            problems.append(msg("rosters.post_needs_both", at=at))
        elif line.post_lon is not None:
            try:
                validated_point(line.post_lon, line.post_lat, Crs.WGS84)
            except ValidationFailed as exc:
                problems.append(f"{at}: {exc.detail}")
        for name, value, limit in (
            ("area", line.area_code, 40),
            ("post", line.post_code, 40),
            ("partner", line.partner, 100),
            ("note", line.note, 200),
        ):
            if value is not None and len(value) > limit:
                problems.append(msg("rosters.name_too_long", at=at, name=name, limit=limit))
        out.append(
            Line(line.call_sign, line.kind, crew, line.area_code, line.post_code, line.post_lon,
                 line.post_lat, line.partner, line.note)
        )  # fmt: skip
    if problems:
        raise ValidationFailed(msg("rosters.bad_roster", problems=problems), code="bad_roster")
    return out


def _entry(day: date, shift_code: str, line: Line, actor: Actor) -> RosterEntry:
    return RosterEntry(
        day=day,
        shift_code=shift_code,
        call_sign=line.call_sign,
        kind=line.kind,
        crew=int(line.crew or 0),
        area_code=line.area_code,
        post_code=line.post_code,
        post_lon=line.post_lon,
        post_lat=line.post_lat,
        partner=line.partner,
        note=line.note,
        created_by=actor.username,
    )


def replace_shifts(
    session: Session, actor: Actor, day: date, rosters: Mapping[str, Sequence[Line]]
) -> Totals:
    """Fill in the day's rosters for the shifts given, replacing what they held: all or none."""
    require(actor, "roster.write")
    checked = {check_shift(s): validate(lines, f"{s} ") for s, lines in rosters.items()}
    totals = Totals()
    for shift_code, lines in checked.items():
        session.execute(
            delete(RosterEntry).where(RosterEntry.day == day, RosterEntry.shift_code == shift_code)
        )
        session.flush()
        session.add_all(_entry(day, shift_code, line, actor) for line in lines)
        for line in lines:
            totals.add(shift_code, line.kind, int(line.crew or 0))
    session.flush()
    audit.record(
        session, actor, "roster.replace", "roster", day.isoformat(),
        {"shifts": sorted(checked), "units": sum(totals.units.values()),
         "officer_shifts": totals.officer_shifts},
    )  # fmt: skip
    finish(session)
    return totals


def add_lines(
    session: Session, actor: Actor, day: date, shift_code: str, lines: Sequence[Line]
) -> list[RosterEntry]:
    """Add units to a shift's roster; a call sign already on it is a conflict, nothing added."""
    require(actor, "roster.write")
    check_shift(shift_code)
    checked = validate(lines, f"{shift_code} ")
    taken = set(
        session.scalars(
            select(RosterEntry.call_sign).where(
                RosterEntry.day == day,
                RosterEntry.shift_code == shift_code,
                RosterEntry.call_sign.in_([line.call_sign for line in checked]),
            )
        )
    )
    if taken:
        raise Conflict(
            msg("rosters.roster_call_sign_taken", call_signs=sorted(taken)),
            code="roster_call_sign_taken",
        )
    rows = [_entry(day, shift_code, line, actor) for line in checked]
    session.add_all(rows)
    session.flush()
    audit.record(
        session, actor, "roster.add", "roster", f"{day.isoformat()}/{shift_code}",
        {"call_signs": [r.call_sign for r in rows]},
    )  # fmt: skip
    finish(session)
    return rows


def list_roster(
    session: Session, actor: Actor, day: date, shift_code: str | None = None
) -> list[RosterEntry]:
    require(actor, "roster.read")
    q = select(RosterEntry).where(RosterEntry.day == day)
    if shift_code is not None:
        q = q.where(RosterEntry.shift_code == check_shift(shift_code))
    order = {code: i for i, code in enumerate(shift_codes())}
    rows = list(session.scalars(q.order_by(RosterEntry.id)))
    return sorted(rows, key=lambda r: order.get(r.shift_code, len(order)))


def totals(entries: Iterable[RosterEntry]) -> Totals:
    out = Totals()
    for e in entries:
        out.add(e.shift_code, e.kind, e.crew)
    return out
