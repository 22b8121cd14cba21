"""Calendar-month arithmetic, shared by validity periods (a certificate's three months) and
freezes (a bank's six): the standard library adds days, not months."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(at: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day where it is shorter
    (31 August + 6 → 28 February)."""
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))
