"""The slot × terminal grid of a facility, what is free in it, and fair shares of it.

Pure: plain data in, plain data out; no store and no clock (`now` is passed). A facility's
opening hours are Beijing wall-clock intervals per weekday ({"0": [["09:00", "11:30"]], …},
0 = Monday); each interval is cut into slots of `slot_minutes` from its opening, and a slot
that would run past the closing time is not offered. Times leave here tz-aware in UTC.

Terminals serve visits by their `use` (rules.yaml `terminal_uses`: a `lawyer` terminal
serves lawyers only, a `family` terminal family and consular visits, `any` every kind).
Visits whose rule says `hours: working` (lawyers) get the rules' working periods and slot
length, on working days only (the caller passes the calendar as `working_day`: statutory
holidays out, make-up working days in), and only where the facility is open then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
LAWYER, FAMILY, CONSULAR = "lawyer", "family", "consular"

# which terminal uses serve which visitor kind
SERVES: dict[str, frozenset[str]] = {
    LAWYER: frozenset({LAWYER}),
    FAMILY: frozenset({FAMILY, CONSULAR}),
    "any": frozenset({LAWYER, FAMILY, CONSULAR}),
}


@dataclass(frozen=True, slots=True)
class Terminal:
    id: int
    use: str  # lawyer / family / any


@dataclass(frozen=True, slots=True)
class Slot:
    """One slot of the grid and the terminals of the wanted kind still free in it."""

    starts_at: datetime
    ends_at: datetime
    terminals: tuple[int, ...] = ()

    @property
    def free(self) -> int:
        return len(self.terminals)


Uses = Mapping[str, frozenset[str]]


def serves(use: str, kind: str, uses: Uses = SERVES) -> bool:
    return kind in uses.get(use, frozenset())


def _clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def day_slots(
    hours: Mapping[str, Sequence[Sequence[str]]], slot_minutes: int, day: date
) -> list[tuple[datetime, datetime]]:
    """The slots of one Beijing day, in order, as UTC (start, end) pairs."""
    if slot_minutes <= 0:
        return []
    step = timedelta(minutes=slot_minutes)
    out: list[tuple[datetime, datetime]] = []
    for opens, closes in hours.get(str(day.weekday()), ()):
        start = datetime.combine(day, _clock(opens), BEIJING)
        close = datetime.combine(day, _clock(closes), BEIJING)
        while start + step <= close:
            out.append((start.astimezone(UTC), (start + step).astimezone(UTC)))
            start += step
    return sorted(set(out))


def grid(
    hours: Mapping[str, Sequence[Sequence[str]]],
    slot_minutes: int,
    start: datetime,
    end: datetime,
    *,
    working_day: Callable[[date], bool] | None = None,
) -> list[tuple[datetime, datetime]]:
    """Every slot starting in [start, end), over as many Beijing days as that spans; with
    `working_day`, only the days it accepts (a lawyer's working hours)."""
    out: list[tuple[datetime, datetime]] = []
    day = start.astimezone(BEIJING).date()
    last = end.astimezone(BEIJING).date()
    while day <= last:
        if working_day is None or working_day(day):
            out.extend(s for s in day_slots(hours, slot_minutes, day) if start <= s[0] < end)
        day += timedelta(days=1)
    return out


def inside(hours: Mapping[str, Sequence[Sequence[str]]], start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies in one opening interval of its Beijing day."""
    ls, le = start.astimezone(BEIJING), end.astimezone(BEIJING)
    if ls.date() != le.date() and le.time() != time(0):
        return False
    a, b = ls.strftime("%H:%M"), "24:00" if le.date() != ls.date() else le.strftime("%H:%M")
    return any(o <= a and b <= c for o, c in hours.get(str(ls.weekday()), ()))


def working_grid(
    hours: Mapping[str, Sequence[Sequence[str]]],
    periods: Sequence[Sequence[str]],
    slot_minutes: int,
    start: datetime,
    end: datetime,
    *,
    working_day: Callable[[date], bool],
) -> list[tuple[datetime, datetime]]:
    """Working-hours slots (the rules' periods and slot length on working days) that also
    lie in the facility's opening hours."""
    every_day = {str(d): [list(p) for p in periods] for d in range(7)}
    return [
        (s, e)
        for s, e in grid(every_day, slot_minutes, start, end, working_day=working_day)
        if inside(hours, s, e)
    ]


def beijing_day(day: date) -> tuple[datetime, datetime]:
    """The UTC bounds of one Beijing calendar day."""
    start = datetime.combine(day, time(0), BEIJING)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def free_slots(
    slots: Iterable[tuple[datetime, datetime]],
    terminals: Iterable[Terminal],
    claims: Iterable[tuple[int, datetime]],
    kind: str,
    *,
    now: datetime,
    uses: Uses = SERVES,
) -> list[Slot]:
    """Each slot starting after `now`, with the terminals serving `kind` not claimed in it
    (slots with none free are kept, free = 0, so a page can show them as full)."""
    taken = {(t, at.astimezone(UTC)) for t, at in claims}
    usable = sorted(t.id for t in terminals if serves(t.use, kind, uses))
    return [
        Slot(s, e, tuple(t for t in usable if (t, s) not in taken)) for s, e in slots if s > now
    ]


def run_of(
    slots: Sequence[tuple[datetime, datetime]], starts_at: datetime, count: int
) -> list[tuple[datetime, datetime]] | None:
    """`count` back-to-back slots of the grid from `starts_at`, or None when the grid has no
    slot starting then or the run breaks (a closing time, a lunch break)."""
    starts = [s for s, _ in slots]
    if starts_at not in starts:
        return None
    i = starts.index(starts_at)
    run = list(slots[i : i + count])
    if len(run) < count or any(a[1] != b[0] for a, b in pairwise(run)):
        return None
    return run


def first_terminal(
    run: Sequence[tuple[datetime, datetime]],
    terminals: Iterable[Terminal],
    claims: Iterable[tuple[int, datetime]],
    kind: str,
    uses: Uses = SERVES,
) -> int | None:
    """The lowest-numbered terminal serving `kind` free in every slot of `run`."""
    taken = {(t, at.astimezone(UTC)) for t, at in claims}
    for t in sorted(terminals, key=lambda t: t.id):
        if serves(t.use, kind, uses) and all((t.id, s) not in taken for s, _ in run):
            return t.id
    return None


def earliest(
    slots: Sequence[tuple[datetime, datetime]],
    terminals: Iterable[Terminal],
    claims: Iterable[tuple[int, datetime]],
    kind: str,
    *,
    now: datetime,
    within: timedelta,
    count: int = 1,
    uses: Uses = SERVES,
    allowed: Callable[[datetime], bool] | None = None,
) -> tuple[datetime, int] | None:
    """The earliest (start, terminal) with `count` free back-to-back slots starting after
    `now` and no later than `now + within` (a lawyer's visit arranged within 48 h), skipping
    starts `allowed` refuses (a day on which the lawyer already holds a fair share)."""
    terminals, claims = list(terminals), list(claims)
    for s, _ in slots:
        if s <= now or s > now + within or (allowed is not None and not allowed(s)):
            continue
        run = run_of(slots, s, count)
        if run is None:
            continue
        terminal = first_terminal(run, terminals, claims, kind, uses)
        if terminal is not None:
            return s, terminal
    return None


# -- fair allocation ------------------------------------------------------------------------
def share_cap(day_capacity: int, share: float) -> int:
    """The most lawyer slots of one day one lawyer (or one firm) may hold: the rules' share
    of the day's capacity (`lawyer_day_share`), but never less than one, so a small facility
    still serves every lawyer."""
    return max(1, int(day_capacity * share))


def within_share(held: int, wanted: int, day_capacity: int, share: float) -> bool:
    return held + wanted <= share_cap(day_capacity, share)


def month_of(at: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the Beijing calendar month `at` falls in (quotas count per month)."""
    local = at.astimezone(BEIJING)
    first = datetime(local.year, local.month, 1, tzinfo=BEIJING)
    nxt = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=BEIJING)
    return first.astimezone(UTC), nxt.astimezone(UTC)
