"""How the incident domain reacts to other domains' events (registered as bus consumers).

A crowd level change opens a crowding incident for the area, or raises the priority of the
one already open, with the measure the crowd domain suggests; a return to normal is noted
on the open incident but never closes it — a dispatcher decides that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.incidents import service
from pingan.incidents.catalogue import Source
from pingan.incidents.models import Incident
from pingan.pii.vault import Vault

CROWD_MONITOR = Actor(user_id=None, username="crowd-monitor", role=None)


def on_crowd_alert(session: Session, vault: Vault, payload: dict[str, Any]) -> Incident | None:
    """Open or update the crowding incident of an area from a `crowd.*` event."""
    if payload.get("kind") not in ("level_changed", "early_warning"):
        return None
    area = payload["area_code"]
    priority = payload.get("suggested_priority")
    text = f"{payload['text_zh']} / {payload['text_en']}"
    current = service.open_incident_for_area(session, "crowding", area)
    if current is None:
        if priority is None:
            return None  # normal, or a level that calls for no incident
        return service.create_incident(
            session,
            CROWD_MONITOR,
            vault,
            service.NewIncident(
                type_code="crowding",
                summary=text[:2000],
                lon=payload["lon"],
                lat=payload["lat"],
                source=Source.SENSOR,
                area_code=area,
                priority=priority,
                address=payload.get("area_name_zh"),
            ),
        )
    raise_to = priority if priority is not None and priority < current.priority else None
    return service.add_note(
        session,
        CROWD_MONITOR,
        current.id,
        note=text,
        priority=raise_to,
        data={"level": payload.get("level"), "kind": payload["kind"]},
    )
