"""Event handlers of the dispatch domain (loaded by the bus registry)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.bus import outbox
from pingan.bus.outbox import Event
from pingan.bus.registry import registry
from pingan.db.tx import deferred_commit
from pingan.dispatch.service import auto_dispatch, reassignment_suggestions

SYSTEM = Actor.system("dispatch")


@registry.subscribe("dispatch.auto", "incident.received")
def auto_dispatch_new_incident(session: Session, event: Event) -> None:
    """Send the recommended units at once where the auto-dispatch policy says so."""
    rt = runtime.current()
    with deferred_commit(session):
        auto_dispatch(session, rt.city.get(), rt.pools, int(event.payload["incident_id"]))


@registry.subscribe("dispatch.reassign", "unit.status_changed")
def suggest_on_free_unit(session: Session, event: Event) -> None:
    """When a unit becomes free, tell dispatchers where it would arrive sooner."""
    if event.payload.get("status") != "available":
        return
    unit_id = int(event.payload["unit_id"])
    for incident, s in reassignment_suggestions(
        session, SYSTEM, runtime.current().city.get(), unit_id
    ):
        outbox.publish(
            session,
            "dispatch.reassignment_suggested",
            "unit",
            unit_id,
            {
                "incident_id": incident.id,
                "case_number": incident.case_number,
                "freed_unit_id": unit_id,
                "replaces_unit_id": int(s.replaces_unit_id),
                "freed_eta_s": round(s.freed_eta_s, 1),
                "current_eta_s": round(s.current_eta_s, 1),
                "text_zh": s.text_zh,
                "text_en": s.text_en,
            },
        )
