"""Each key area's typical day (典型客流): what to plan for when there is no forecast.

Two sources, per area and kind of day (workday, rest day, public holiday):
- learned from the store: the hourly mean fused count of the past days of that kind (the
  series the forecasts read), once at least `MIN_DAYS` such days are mostly covered;
- seeded from `typical_visitors.yaml` for the sample city, until then (a bureau's city has no
  seed: the caller plans on a share of capacity instead).

The seed is also what the simulated city draws its visitors from (sim/visitors.py), so the
sample's planner and its simulated day describe the same city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy.orm import Session

from pingan.crowd.forecast.calendar_features import DayCalendar, china_calendar

SEED_FILE = Path(__file__).with_name("typical_visitors.yaml")
KINDS = ("workday", "rest", "holiday")
MIN_DAYS = 3  # days of a kind before an area's own counts replace the seed
MIN_HOURS = 20  # of 24 observed for a day to count (a sensor down for a few hours is fine)


@dataclass(frozen=True)
class MonthRule:
    """A change to an area's day in some months: extra hourly weight, a smaller share."""

    months: frozenset[int]
    add: dict[int, float] = field(default_factory=dict)
    share_factor: float = 1.0


@dataclass(frozen=True)
class AreaSeed:
    share: float  # part of the city's day
    outdoor: bool  # rain empties it
    hours: np.ndarray  # 24 relative weights, local hours
    months: tuple[MonthRule, ...] = ()
    closed_weekdays: frozenset[int] = frozenset()  # shut on these weekdays, except holidays

    def on(self, day: date, kind: str) -> tuple[float, np.ndarray]:
        """(share, 24 hourly weights) on `day`."""
        if day.weekday() in self.closed_weekdays and kind != "holiday":
            return 0.0, self.hours
        share, hours = self.share, self.hours
        for rule in self.months:
            if day.month in rule.months:
                share *= rule.share_factor
                if rule.add:
                    hours = hours.copy()
                    for hour, extra in rule.add.items():
                        hours[hour] += extra
        return share, hours


@dataclass(frozen=True)
class Seed:
    """The seeded profile of one city (typical_visitors.yaml)."""

    city: str
    daily_total: dict[str, float]
    peak_day_of_year: float
    amplitude: dict[str, float]
    areas: dict[str, AreaSeed]

    def total(self, day: date, kind: str) -> float:
        """Visitors over all areas on `day`: the kind's total through the seasons."""
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - self.peak_day_of_year) / 365.25)
        return self.daily_total[kind] * (1 + self.amplitude[kind] * season)

    def hourly(
        self, day: date, kind: str, areas: tuple[str, ...] | None = None
    ) -> dict[str, np.ndarray]:
        """Expected visitors per area per local hour on `day` (of kind `kind`)."""
        parts = {code: a.on(day, kind) for code, a in self.areas.items()}
        shares = sum(share for share, _ in parts.values())
        total = self.total(day, kind)
        out = {}
        for code in self.areas if areas is None else areas:
            share, hours = parts[code]
            out[code] = total * share / shares * hours / hours.sum()
        return out


@cache
def seed(path: Path = SEED_FILE) -> Seed:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    areas = {}
    for code, a in raw["areas"].items():
        hours = np.asarray(a["hours"], dtype=float)
        if hours.shape != (24,):
            raise ValueError(f"{path}: {code} needs 24 hourly weights")
        rules = tuple(
            MonthRule(
                frozenset(r["months"]),
                {int(h): float(w) for h, w in (r.get("add") or {}).items()},
                float(r.get("share_factor", 1.0)),
            )
            for r in a.get("months", ())
        )
        areas[code] = AreaSeed(
            float(a["share"]), bool(a["outdoor"]), hours, rules,
            frozenset(a.get("closed_weekdays", ())),
        )  # fmt: skip
    season = raw["season"]
    return Seed(
        raw["city"],
        {k: float(v) for k, v in raw["daily_total"].items()},
        float(season["peak_day_of_year"]),
        {k: float(v) for k, v in season["amplitude"].items()},
        areas,
    )


@cache
def _china() -> DayCalendar:
    return china_calendar()


def day_kind(day: date, calendar: DayCalendar | None = None) -> str:
    """'holiday', 'workday' or 'rest', make-up working days (调休) counting as workdays."""
    calendar = calendar or _china()
    if day in calendar.holidays:
        return "holiday"
    return "workday" if calendar.is_workday(day) else "rest"


@dataclass(frozen=True)
class TypicalDay:
    """24 hourly figures per area, and where each area's came from."""

    values: dict[str, np.ndarray]
    sources: dict[str, str]  # "learned:<days> days" or "seeded"


def learned(
    session: Session, codes: tuple[str, ...], until: datetime, calendar: DayCalendar
) -> dict[str, dict[str, tuple[np.ndarray, int]]]:
    """Per area and kind of day: (mean count per local hour, days) over the stored history
    before `until`, for the kinds with at least MIN_DAYS mostly covered days."""
    from pingan.crowd.forecasting import history_panel  # the forecasts' own series

    panel = history_panel(session, codes, until)
    stamps = panel.start + np.arange(panel.n_hours) * np.timedelta64(1, "h")  # local hours
    on_day = stamps.astype("datetime64[D]")
    hour = ((stamps - on_day) / np.timedelta64(1, "h")).astype(int)
    index = ((on_day - on_day[0]) / np.timedelta64(1, "D")).astype(int)
    days = [(on_day[0] + np.timedelta64(k, "D")).item() for k in range(int(index[-1]) + 1)]
    cube = np.full((len(codes), len(days), 24), np.nan)  # area, day, local hour
    cube[:, index, hour] = panel.values
    kinds = np.asarray([day_kind(d, calendar) for d in days])
    out: dict[str, dict[str, tuple[np.ndarray, int]]] = {}
    for i, code in enumerate(codes):
        covered = np.sum(~np.isnan(cube[i]), axis=1) >= MIN_HOURS
        for kind in KINDS:
            chosen = cube[i][covered & (kinds == kind)]
            if len(chosen) >= MIN_DAYS:
                with np.errstate(all="ignore"):
                    mean = np.nan_to_num(np.nanmean(chosen, axis=0))
                out.setdefault(code, {})[kind] = (mean, len(chosen))
    return out


def typical_day(
    session: Session,
    codes: tuple[str, ...],
    day: date,
    until: datetime,
    *,
    seeded: bool,
    calendar: DayCalendar | None = None,
) -> TypicalDay:
    """Each area's typical `day`: learned from the counts before `until` where there are
    enough, else the seed (`seeded`: the city is the sample the seed describes). Areas with
    neither are left out (the caller decides what to plan them on)."""
    calendar = calendar or _china()
    kind = day_kind(day, calendar)
    values: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    for code, by_kind in learned(session, codes, until, calendar).items():
        if kind in by_kind:
            values[code], n = by_kind[kind]
            sources[code] = f"learned:{n} days"
    if seeded:
        s = seed()
        rest = tuple(c for c in codes if c not in values and c in s.areas)
        for code, v in s.hourly(day, kind, rest).items():
            values[code], sources[code] = v, "seeded"
    return TypicalDay(values, sources)
