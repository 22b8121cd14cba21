"""Pure core: the alert radius that grows with the time since the person was last seen."""

from __future__ import annotations

from datetime import datetime

from pingan.services import settings


def radius_km(last_seen_at: datetime, now: datetime) -> float:
    """The schedule's radius for the hours elapsed (schedule in settings.yaml)."""
    hours = max(0.0, (now - last_seen_at).total_seconds() / 3600)
    steps = sorted(settings.missing()["radius_schedule"], key=lambda s: s["after_h"])
    current = steps[0]["radius_km"]
    for step in steps:
        if hours >= step["after_h"]:
            current = step["radius_km"]
    return float(current)
