"""Event handlers of the crowd domain (loaded by the bus registry)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.bus.outbox import Event
from pingan.bus.registry import registry
from pingan.crowd.service import NewReading, ingest
from pingan.db.tx import deferred_commit
from pingan.errors import ValidationFailed
from pingan.i18n import text

log = logging.getLogger(__name__)
SYSTEM = Actor.system("crowd.video")


def reading_from_observation(payload: dict, usable_area_m2: float | None) -> NewReading | None:
    """A video-patrol count as an estimate of the whole key area, or None when it is not one.

    A camera sees part of the area: its density (people per m² of the floor it sees) times
    the area's usable floor gives the area's count, assuming an even spread — hence the
    wider `video` uncertainty in thresholds.yaml. A suspect frame gives no reading at all:
    the source then falls silent, which reads "unknown", never "empty".
    """
    if payload.get("suspect") or not payload.get("area_code"):
        return None
    density, count = payload.get("density_ppm2"), payload.get("count")
    if density is not None and usable_area_m2:
        estimate = float(density) * usable_area_m2
    elif count is not None and payload.get("floor_area_m2") is None:
        estimate = float(count)  # no floor area given: the camera is taken to see it all
    else:
        return None
    return NewReading(
        source_id=f"video:{payload['camera_code']}",
        area_code=str(payload["area_code"]),
        kind="video",
        at=datetime.fromisoformat(payload["at"]),
        count=max(0.0, estimate),
    )


@registry.subscribe("crowd.video", "video.observation")
def fuse_camera_count(session: Session, event: Event) -> None:
    """Fuse each patrol observation of a key area with the area's other count sources."""
    city = runtime.current().city.get()
    area = city.key_areas.get(str(event.payload.get("area_code")))
    reading = reading_from_observation(event.payload, area.usable_area_m2 if area else None)
    if reading is None or area is None:
        return
    try:
        with deferred_commit(session):
            ingest(session, SYSTEM, city, [reading])
    except ValidationFailed as exc:  # implausible or stale: the observation keeps its own flag
        log.warning("%s", text("crowd.log.not_fused", source=reading.source_id, error=exc))
