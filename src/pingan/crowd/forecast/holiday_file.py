"""A year's holidays and make-up working days from a YAML file (PINGAN_HOLIDAYS_FILE).

The State Council General Office decrees each year's schedule about November of the year
before (国务院办公厅关于XXXX年部分节假日安排的通知), and `chinese-calendar` carries it only
from its next release. The file lets a bureau enter that year as soon as it is published —
or correct a year (a holiday decreed late) — without waiting for a release; a year in the
file replaces the package's days of that year. The file names its source, and the forecast
answer repeats it.

    source: 国务院办公厅关于2026年部分节假日安排的通知 https://www.gov.cn/zhengce/content/202511/content_7047090.htm
    years:
      2026:
        holidays: [2026-01-01..2026-01-03, 2026-10-01..2026-10-07]
        makeup_workdays: [2026-01-04, 2026-09-20, 2026-10-10]

Entries are days (YYYY-MM-DD) or runs of days (first..last); each must fall in its year, and a
make-up working day is a Saturday or Sunday (a weekday needs no making up).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from pingan.crowd.forecast.calendar_features import DayCalendar
from pingan.i18n import msg

MAX_RUN_DAYS = 31  # a longer run is a typo, not a holiday


def _days(entries: object) -> list[date]:
    """Expand "first..last" runs; single days stay as they are (YAML may give `date`s)."""
    if not isinstance(entries, list):
        raise ValueError(msg("crowd.holidays.not_a_list"))
    out: list[date] = []
    for entry in entries:
        if isinstance(entry, str) and ".." in entry:
            first, last = (date.fromisoformat(part.strip()) for part in entry.split("..", 1))
            n = (last - first).days + 1
            if not 1 <= n <= MAX_RUN_DAYS:
                raise ValueError(msg("crowd.holidays.run_too_long", entry=entry, max=MAX_RUN_DAYS))
            out.extend(first + timedelta(days=k) for k in range(n))
        elif isinstance(entry, date):
            out.append(entry)
        else:
            out.append(date.fromisoformat(str(entry)))
    return out


Days = Annotated[list[date], BeforeValidator(_days)]


class YearSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: Days
    makeup_workdays: Days = Field(default_factory=list)


class HolidayFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, description="the notice the days were taken from")
    years: dict[int, YearSchedule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> HolidayFile:
        for year, schedule in self.years.items():
            stray = [d for d in (*schedule.holidays, *schedule.makeup_workdays) if d.year != year]
            if stray:
                raise ValueError(msg("crowd.holidays.wrong_year", year=year, day=stray[0]))
            both = set(schedule.holidays) & set(schedule.makeup_workdays)
            if both:
                raise ValueError(msg("crowd.holidays.both", day=min(both)))
            weekday = [d for d in schedule.makeup_workdays if d.weekday() < 5]
            if weekday:
                raise ValueError(msg("crowd.holidays.weekday_makeup", day=weekday[0]))
        return self


def load_holiday_file(path: Path) -> DayCalendar:
    """The file's years as a calendar; ValueError (naming the file) when it is unreadable
    as a schedule, OSError when it cannot be read at all."""
    try:
        parsed = HolidayFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValueError) as exc:  # ValidationError, and YAML's bad dates
        raise ValueError(msg("crowd.holidays.invalid_file", path=path, error=exc)) from exc
    return DayCalendar(
        holidays=frozenset(d for s in parsed.years.values() for d in s.holidays),
        makeup_workdays=frozenset(d for s in parsed.years.values() for d in s.makeup_workdays),
        years=frozenset(parsed.years),
        source=f"{path.name}: {parsed.source}",
    )
