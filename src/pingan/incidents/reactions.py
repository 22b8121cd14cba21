"""How the incident domain reacts to other domains' events (registered as bus consumers).

A crowd level change opens a crowding incident for the area, or raises the priority of the
one already open, with the measure the crowd domain suggests; a return to normal is noted
on the open incident but never closes it — a dispatcher decides that.

A help-service case that concluded (a missing person handed over to the guardian, a
breakdown cleared) ends the incident it opened, through the state machine: resolved and
closed when a unit is on scene (or it is already resolved); cancelled with the outcome as
the reason when no unit got there — unit arrivals are never invented, so response-time
figures stay true; an incident already closed, cancelled or merged stays as it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.i18n import LANGS, bilingual_half, msg
from pingan.incidents import service
from pingan.incidents.catalogue import Source
from pingan.incidents.lifecycle import ALLOWED_FROM, Action, State
from pingan.incidents.models import Incident
from pingan.pii.vault import Vault

CROWD_MONITOR = Actor(user_id=None, username="crowd-monitor", role=None)
HELP_SERVICES = Actor(user_id=None, username="help-services", role=None)


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


def on_case_concluded(session: Session, payload: dict[str, Any]) -> Incident | None:
    """End the incident a concluded help-service case opened (`incident_id`, `outcome`)."""
    incident_id = payload.get("incident_id")
    if incident_id is None:
        return None  # e.g. a breakdown sent to a tow service: no incident was opened
    incident = session.execute(
        select(Incident).where(Incident.id == incident_id).with_for_update()
    ).scalar_one_or_none()
    if incident is None:
        return None
    outcome = str(payload["outcome"])
    state = State(incident.state)
    if state in ALLOWED_FROM[Action.RESOLVE]:
        incident = service.resolve(session, HELP_SERVICES, incident.id, outcome=outcome)
        state = State(incident.state)
    if state in ALLOWED_FROM[Action.CLOSE]:
        return service.close(session, HELP_SERVICES, incident.id, note=outcome)
    if state in ALLOWED_FROM[Action.CANCEL]:
        # the service wrote its outcome in both languages ("中文 / English"): each reader gets one
        # (a one-language outcome is stored as typed)
        halves = {lang: bilingual_half(outcome, lang) for lang in LANGS}
        shown = halves if len(set(halves.values())) > 1 else outcome
        reason = msg("incidents.cancelled_no_unit_on_scene", outcome=shown)
        return service.cancel(session, HELP_SERVICES, incident.id, reason=reason)
    return incident  # closed, cancelled or merged already
