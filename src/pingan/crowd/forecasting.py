"""Forecasts of each key area's crowd for the coming hours, from the stored fused counts.

The series is the hourly mean of the area's fused count (people present), on the local
(Asia/Shanghai) clock the calendar features need. The model is chosen by how much history
there is — LightGBM from 8 weeks, weekly ETS from 3, seasonal-naive from 1 — and named in
the answer; with less than a week the answer says so rather than guessing.

LightGBM reads China's calendar (holidays, make-up working days): `chinese-calendar`'s years,
plus those of PINGAN_HOLIDAYS_FILE. A day of a year the calendar lacks can only read as a
plain weekday or weekend, so the answer names such years and the log warns: a holiday there
is forecast as an ordinary day rather than the forecast failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.config import Settings
from pingan.crowd.forecast.base import Forecaster
from pingan.crowd.forecast.calendar_features import DayCalendar, china_calendar
from pingan.crowd.forecast.ets import DailyETS
from pingan.crowd.forecast.gbm import LightGBMForecaster
from pingan.crowd.forecast.holiday_file import load_holiday_file
from pingan.crowd.forecast.naive import SeasonalNaive
from pingan.crowd.forecast.panel import HourlyPanel
from pingan.crowd.models import AreaCount
from pingan.db.base import utcnow
from pingan.errors import Conflict, ValidationFailed
from pingan.geo.city import City
from pingan.i18n import msg, text

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 70
MODEL_LADDER: tuple[tuple[int, str, Callable[[DayCalendar], Forecaster]], ...] = (
    # (days of history needed, name, factory given the calendar), best first
    (56, "lightgbm", LightGBMForecaster),
    (21, "ets", lambda _calendar: DailyETS()),
    (7, "seasonal_naive", lambda _calendar: SeasonalNaive()),
)
CALENDAR_MODELS = frozenset({"lightgbm"})  # the others know weekdays, not holidays


@dataclass(frozen=True, slots=True)
class CalendarCoverage:
    """What the forecast knew of holidays, so a reader can tell a holiday-blind answer."""

    source: str
    first_year: int | None  # the years the calendar knows
    last_year: int | None
    missing_years: tuple[int, ...]  # years of the history or the hours ahead it lacks
    used: bool  # whether the chosen model reads the calendar at all


@dataclass(frozen=True, slots=True)
class Forecast:
    model: str
    issued_at: datetime
    history_days: float
    hours: list[datetime]  # local hour starts, aware
    values: dict[str, list[float | None]]
    calendar: CalendarCoverage


def service_calendar() -> DayCalendar:
    """China's calendar with the years of the configured holidays file, if any."""
    configured = runtime.configured()
    return _china_calendar_with((configured.settings if configured else Settings()).holidays_file)


@lru_cache(maxsize=4)
def _china_calendar_with(path: Path | None) -> DayCalendar:
    """Loaded once per file; a broken file is logged and left out, so forecasts go on and
    name the years it would have added as missing."""
    calendar = china_calendar()
    if path is None:
        return calendar
    try:
        return calendar.with_years(load_holiday_file(path))
    except (OSError, ValueError) as exc:
        log.error("%s", text("crowd.log.holiday_file_ignored", error=exc))
        return calendar


def _coverage(calendar: DayCalendar, first: date, last: date, used: bool) -> CalendarCoverage:
    missing = calendar.missing_years(first, last)
    if used and missing:
        log.warning(
            "%s",
            text(
                "crowd.log.holidays_missing",
                years=[str(y) for y in missing],
                source=calendar.source,
            ),
        )
    return CalendarCoverage(
        source=calendar.source,
        first_year=min(calendar.years, default=None),
        last_year=max(calendar.years, default=None),
        missing_years=missing,
        used=used,
    )


def _local_hour(at: datetime) -> np.datetime64:
    return np.datetime64(at.astimezone(LOCAL_TZ).replace(tzinfo=None), "h")


def history_panel(session: Session, codes: tuple[str, ...], until: datetime) -> HourlyPanel:
    """Hourly mean fused count per area up to (not including) the hour of `until`."""
    end = _local_hour(until)
    start = end - np.timedelta64(HISTORY_DAYS * 24, "h")
    sums = np.zeros((len(codes), HISTORY_DAYS * 24))
    counts = np.zeros_like(sums)
    row_of = {c: i for i, c in enumerate(codes)}
    for code, at, count in session.execute(
        select(AreaCount.area_code, AreaCount.at, AreaCount.count).where(
            AreaCount.area_code.in_(codes), AreaCount.at >= until - timedelta(days=HISTORY_DAYS + 1)
        )
    ):
        col = int((_local_hour(at) - start) / np.timedelta64(1, "h"))
        if 0 <= col < sums.shape[1]:
            sums[row_of[code], col] += count
            counts[row_of[code], col] += 1
    with np.errstate(invalid="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return HourlyPanel(start=start, values=values, names=codes)


def forecast(
    session: Session,
    actor: Actor,
    city: City,
    *,
    hours: int,
    now: datetime | None = None,
    calendar: DayCalendar | None = None,
) -> Forecast:
    """The next `hours` per key area; `calendar` defaults to the service's (service_calendar)."""
    require(actor, "crowd.read")
    if not 1 <= hours <= 168:
        raise ValidationFailed(msg("crowd.bad_horizon"), code="bad_horizon")
    now = now or utcnow()
    codes = tuple(city.key_areas)
    panel = history_panel(session, codes, now)
    seen = np.flatnonzero(~np.isnan(panel.values).all(axis=0))
    days = 0.0 if seen.size == 0 else (panel.n_hours - seen[0]) / 24
    chosen = next(((name, factory) for need, name, factory in MODEL_LADDER if days >= need), None)
    if chosen is None:
        raise Conflict(
            msg("crowd.not_enough_history", days=f"{days:.1f}"),
            code="not_enough_history",
        )
    name, factory = chosen
    calendar = service_calendar() if calendar is None else calendar
    history = panel.window(int(seen[0]), panel.n_hours)
    predicted = factory(calendar).fit(history).predict(history, hours)
    first = panel.end.astype(datetime).replace(tzinfo=LOCAL_TZ)
    ahead = [first + timedelta(hours=h) for h in range(hours)]
    since = history.start.astype(datetime).date()
    return Forecast(
        model=name,
        issued_at=now,
        history_days=round(days, 1),
        hours=ahead,
        values={
            c: [None if np.isnan(v) else round(float(v), 1) for v in predicted[i]]
            for i, c in enumerate(codes)
        },
        calendar=_coverage(calendar, since, ahead[-1].date(), name in CALENDAR_MODELS),
    )
