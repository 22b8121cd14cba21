"""A pinned clock for tests whose outcome depends on the time of day.

CI runs at any hour, so a test that takes its simulated start from the wall clock passes at
some hours and fails at others. Tests that simulate a stretch of a day take their start from
here and run with the process clock moved to a fixed instant (time-machine: it moves
`datetime.now`, `time.time` and friends; `time.monotonic` keeps running, so timeouts and
pacing still work).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import time_machine

from pingan.sim.day import LOCAL

# National Day, a public holiday: the sample city's busy day shape
FIXED_DAY = datetime(2026, 10, 2, tzinfo=LOCAL)


def local_time(hour: int, minute: int = 0) -> datetime:
    """That local time of the fixed day."""
    return FIXED_DAY + timedelta(hours=hour, minutes=minute)


@contextmanager
def pinned_clock(at: datetime) -> Iterator[datetime]:
    """Run the block with the clock starting at `at` and ticking from there."""
    with time_machine.travel(at, tick=True):
        yield at
