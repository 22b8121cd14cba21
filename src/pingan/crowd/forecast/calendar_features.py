"""Calendar features (pure): what kind of hour and day a forecast is for.

Crowds follow the working calendar, not the weekday: in China a holiday week is paid for with
make-up working days (调休) on weekends, so Saturday 10 October 2026 is a working day and
Wednesday 7 October a holiday. A *holiday period* is a run of days off holding at least one
public holiday (e.g. 1–7 October); visitors rise into it and fall out of it, hence the
days-into / days-left / days-to / days-after features.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib.metadata import version

import numpy as np

MAX_GAP_DAYS = 14  # days_to / days_after are clipped here: "no holiday near"
_EDGE_DAYS = 31  # look this far beyond the asked range to see whole holiday periods

CALENDAR_COLUMNS = (
    "hour",
    "day_of_week",
    "workday",
    "holiday",
    "makeup_workday",
    "holiday_day",
    "holiday_days_left",
    "days_to_holiday",
    "days_after_holiday",
)


@dataclass(frozen=True)
class DayCalendar:
    """Public holidays and make-up working days of one place.

    A day is a working day when it is a make-up working day, or else when it is neither a
    holiday nor a weekend day. China's schedule is decreed a year at a time, so the calendar
    also says which `years` it knows: a day of another year can only read as a plain weekday
    or weekend, and a forecast for it should say so (`missing_years`).
    """

    holidays: frozenset[date]
    makeup_workdays: frozenset[date] = frozenset()
    weekend: tuple[int, ...] = (5, 6)  # Saturday, Sunday
    years: frozenset[int] = frozenset()
    source: str = ""

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day not in self.holidays and day.weekday() not in self.weekend

    def missing_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years from `first` to `last` whose schedule this calendar does not know."""
        return tuple(y for y in range(first.year, last.year + 1) if y not in self.years)

    def with_years(self, other: DayCalendar) -> DayCalendar:
        """This calendar with `other`'s years in place of its own: a year newer than the
        data, or a corrected one (an extra holiday decreed late), without a release."""

        def kept(days: frozenset[date]) -> frozenset[date]:
            return frozenset(d for d in days if d.year not in other.years)

        return replace(
            self,
            holidays=kept(self.holidays) | other.holidays,
            makeup_workdays=kept(self.makeup_workdays) | other.makeup_workdays,
            years=self.years | other.years,
            source=f"{self.source}; {other.source}" if self.source else other.source,
        )


def china_calendar() -> DayCalendar:
    """Mainland China's holidays and 调休 working days, from `chinese-calendar`.

    The package transcribes the State Council General Office's yearly notice (国务院办公厅关于
    部分节假日安排的通知, published about November for the next year), so it knows the years
    up to its release (1.11.0: 2004–2026); `years` says which.
    """
    import chinese_calendar

    holidays = frozenset(chinese_calendar.holidays)
    return DayCalendar(
        holidays=holidays,
        makeup_workdays=frozenset(chinese_calendar.workdays),
        years=frozenset(d.year for d in holidays),
        source=f"chinese-calendar {version('chinese-calendar')}",
    )


def holiday_calendar(holidays: Iterable[date], years: Iterable[int] | None = None) -> DayCalendar:
    """A calendar from a plain set of public holidays (no make-up days), e.g. New Zealand's.

    `years`: those the set covers; by default the years its days fall in.
    """
    days = frozenset(holidays)
    known = frozenset(years) if years is not None else frozenset(d.year for d in days)
    return DayCalendar(holidays=days, years=known)


def _day_table(first: date, last: date, calendar: DayCalendar | None) -> np.ndarray:
    """Per-day columns 2.. of CALENDAR_COLUMNS for first ≤ day ≤ last."""
    lo = first - timedelta(days=_EDGE_DAYS)
    n = (last - lo).days + 1 + _EDGE_DAYS
    days = [lo + timedelta(days=i) for i in range(n)]
    if calendar is None:
        calendar = DayCalendar(holidays=frozenset())
    work = np.array([calendar.is_workday(d) for d in days])
    holiday = np.array([d in calendar.holidays for d in days])
    makeup = np.array([d in calendar.makeup_workdays for d in days])
    # label runs of days off; a run is a holiday period when it holds a public holiday
    off = ~work
    run_id = np.cumsum(np.r_[True, off[1:] != off[:-1]])
    in_period = np.zeros(n, dtype=bool)
    for rid in np.unique(run_id[off]):
        members = run_id == rid
        if holiday[members].any():
            in_period |= members
    day_in = np.zeros(n)
    left = np.zeros(n)
    to_next = np.full(n, float(MAX_GAP_DAYS))
    after = np.full(n, float(MAX_GAP_DAYS))
    idx = np.flatnonzero(in_period)
    if idx.size:
        starts = idx[np.r_[True, np.diff(idx) > 1]]
        ends = idx[np.r_[np.diff(idx) > 1, True]]
        for s, e in zip(starts, ends, strict=True):
            span = np.arange(s, e + 1)
            day_in[span] = span - s + 1
            left[span] = e - span + 1
            before = np.arange(max(0, s - MAX_GAP_DAYS), s)
            to_next[before] = np.minimum(to_next[before], s - before)
            past = np.arange(e + 1, min(n, e + 1 + MAX_GAP_DAYS))
            after[past] = np.minimum(after[past], past - e)
    table = np.column_stack([work, holiday, makeup, day_in, left, to_next, after])
    offset = (first - lo).days
    return table[offset : offset + (last - first).days + 1].astype(np.float64)


def calendar_features(
    hours: np.ndarray,
    calendar: DayCalendar | None,
    weather: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Feature matrix (len(hours), n) and its column names for local hour starts.

    Columns are CALENDAR_COLUMNS, then the weather columns given (temperature, rain), in
    the order given. Without a calendar, every weekday counts as a working day.
    """
    hours = np.asarray(hours, dtype="datetime64[h]")
    names = list(CALENDAR_COLUMNS)
    if hours.size == 0:
        return np.zeros((0, len(names) + len(weather or {}))), (*names, *(weather or {}))
    day64 = hours.astype("datetime64[D]")
    first, last = day64.min().item(), day64.max().item()
    table = _day_table(first, last, calendar)
    day_index = (day64 - np.datetime64(first, "D")).astype(np.int64)
    hour = (hours - day64).astype(np.int64)
    day_of_week = (day_index + first.weekday()) % 7
    columns = [hour, day_of_week, *table[day_index].T]
    for name, column in (weather or {}).items():
        column = np.asarray(column, dtype=np.float64)
        if column.shape != hours.shape:
            raise ValueError(f"weather column {name!r} must have one value per hour")
        columns.append(column)
        names.append(name)
    return np.column_stack(columns).astype(np.float64), tuple(names)
