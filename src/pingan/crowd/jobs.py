"""The crowd domain's timed job: a silent count source must never read as an empty square."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.crowd.service import check_silent
from pingan.jobs import timed

log = logging.getLogger(__name__)


@timed("crowd.silent_sources", every=lambda s: s.sensor_check_seconds)
def check_silent_sources(session: Session) -> None:
    """A count source quiet past its limit raises a `sensor_silent` alert."""
    alerts = check_silent(session, runtime.current().city.get())
    if alerts:
        log.info("静默传感器告警 %d 条 / %d silent-sensor alerts", len(alerts), len(alerts))
