"""Time limits in working days (工作日): statutory holidays and make-up working days from
`chinese-calendar`. For a year the package has no data for yet (it is published each
December), Monday to Friday counts, and the answer says it is an estimate."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> tuple[bool, bool]:
    """(working day?, from the official calendar?)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, days: int) -> tuple[date, bool]:
    """The `days`-th working day after `start` (the day itself not counted) and whether every
    day counted came from the official calendar."""
    day, left, exact = start, days, True
    while left > 0:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        exact = exact and known
        if working:
            left -= 1
    return day, exact


def estimated(start: date, end: date) -> bool:
    """Whether a due date `end` counted from `start` rests on a guess: some day after `start`
    up to `end` lies in a year the official calendar does not cover yet."""
    day = start
    while day < end:
        day += timedelta(days=1)
        if not is_working_day(day)[1]:
            return True
    return False
