"""How busy each unit kind is, by hour of day, and how long a call waits before a unit moves
(pure core: records in, figures out; the store reads live in ``realized.py``).

Busy fraction ``q[kind][h]`` = (units of the kind busy on calls during local hour ``h``) ÷
(units of the kind on duty): the busy seconds of the kind's assignments (dispatch → release)
that fall in hour ``h`` of the observed days, divided by the hour's exposure (how many times
hour ``h`` occurred in the window) × 3,600 s × units on duty. That is calls per hour × mean
busy time per call ÷ units, measured directly rather than as a product of two averages, so a
long call spanning two hours is charged to both. Hours never observed take the kind's mean
over observed hours; a kind never sent takes the stated fallback (``planning.yaml`` busy).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import numpy as np

HOURS = 24


@dataclass(frozen=True, slots=True)
class BusySpell:
    """A unit of ``kind`` busy on a call from ``start`` (dispatched) to ``end`` (released)."""

    kind: str
    start: datetime
    end: datetime


def _hour_floor(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def _exposure(since: datetime, until: datetime, tz: tzinfo) -> list[float]:
    """Seconds of each local hour of day inside [since, until)."""
    out = [0.0] * HOURS
    t = since.astimezone(tz)
    end = until.astimezone(tz)
    while t < end:
        nxt = min(_hour_floor(t) + timedelta(hours=1), end)
        out[t.hour] += (nxt - t).total_seconds()
        t = nxt
    return out


def busy_fractions(
    spells: Iterable[BusySpell],
    on_duty: Mapping[str, int],
    since: datetime,
    until: datetime,
    tz: tzinfo,
    *,
    fallback: Mapping[str, float],
    default: float,
    cap: float,
) -> dict[str, list[float]]:
    """``q[kind]`` for each local hour 0-23, for every kind in ``on_duty`` (see module doc).

    ``fallback[kind]`` (else ``default``) is used for a kind with no spell in the window;
    every figure is capped at ``cap`` (< 1: a kind always busy would make coverage zero and
    say nothing the dispatcher does not already see).
    """
    exposure = _exposure(since, until, tz)
    busy: dict[str, list[float]] = {k: [0.0] * HOURS for k in on_duty}
    seen: set[str] = set()
    for s in spells:
        if s.kind not in busy:
            continue
        start, end = max(s.start, since), min(s.end, until)
        if end <= start:
            continue
        seen.add(s.kind)
        for h, secs in enumerate(_exposure(start, end, tz)):
            busy[s.kind][h] += secs
    out: dict[str, list[float]] = {}
    for kind, n in on_duty.items():
        base = float(fallback.get(kind, default))
        if kind not in seen or n <= 0:
            out[kind] = [min(cap, base)] * HOURS
            continue
        q = [busy[kind][h] / (exposure[h] * n) if exposure[h] > 0 else None for h in range(HOURS)]
        seen_q = [v for v in q if v is not None]
        mean = statistics.fmean(seen_q) if seen_q else base
        out[kind] = [min(cap, mean if v is None else v) for v in q]
    return out


@dataclass(frozen=True, slots=True)
class Delays:
    """Seconds before a unit moves: call → dispatch order (handling), order → the crew's
    acknowledgement, acknowledgement → setting off; and where each came from ("measured:
    n=…" or "fallback")."""

    handling_s: float
    acknowledge_s: float
    set_off_s: float
    sources: dict[str, str]
    # quantiles of each call's whole wait (received → its first unit en route): what the
    # expected coverage averages over; empty: the sum of the medians above
    spread: tuple[float, ...] = ()

    @property
    def total_s(self) -> float:
        return self.handling_s + self.acknowledge_s + self.set_off_s

    @property
    def samples(self) -> tuple[float, ...]:
        """The waits the expected coverage averages over."""
        return self.spread or (self.total_s,)


def median_delays(
    handling_s: Iterable[float],
    acknowledge_s: Iterable[float],
    set_off_s: Iterable[float],
    fallback: Mapping[str, float],
    waits_s: Iterable[float] = (),
    quantiles: int = 20,
) -> Delays:
    """Medians of the measured delays (negative ones, clock errors, dropped); the stated
    fallbacks where nothing was measured. Medians, not means: one call left in a queue
    during a handover must not push every tier's budget down.

    ``waits_s``: each call's whole wait before its first unit moved. Coverage is not linear
    in the wait (a 60 s circle is lost entirely past 60 s, whatever the excess), so the
    expected figure averages over ``quantiles`` evenly spaced quantiles of it rather than
    using one median: a call an officer on foot takes where they stand (wait 0) and one
    queued behind a busy desk both count as they happen."""
    sources: dict[str, str] = {}

    def pick(values: Iterable[float], key: str) -> float:
        v = [x for x in values if x >= 0]
        if not v:
            sources[key] = "fallback"
            return float(fallback[key])
        sources[key] = f"measured: n={len(v)}"
        return float(statistics.median(v))

    waits = [x for x in waits_s if x >= 0]
    spread: tuple[float, ...] = ()
    if waits:
        k = min(quantiles, len(waits))
        at = (np.arange(k) + 0.5) / k  # mid-points: each quantile stands for 1/k of calls
        spread = tuple(float(v) for v in np.quantile(waits, at))
        sources["wait"] = f"measured: n={len(waits)}"
    return Delays(
        pick(handling_s, "handling_s"),
        pick(acknowledge_s, "acknowledge_s"),
        pick(set_off_s, "set_off_s"),
        sources,
        spread,
    )


def shift_mean(q: Mapping[str, list[float]], hours: Iterable[int]) -> dict[str, float]:
    """Each kind's busy fraction averaged over a shift's hours."""
    hs = list(hours)
    return {k: statistics.fmean(v[h] for h in hs) for k, v in q.items()}
