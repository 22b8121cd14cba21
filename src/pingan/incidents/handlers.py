"""Event handlers of the incident domain (loaded by the bus registry)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.bus.outbox import Event
from pingan.bus.registry import registry
from pingan.db.tx import deferred_commit
from pingan.incidents.reactions import on_case_concluded, on_crowd_alert


@registry.subscribe("incidents.crowd", "crowd.level_changed", "crowd.early_warning")
def crowd_alert(session: Session, event: Event) -> None:
    """A crowd level change or warning opens or raises the area's crowding incident."""
    with deferred_commit(session):
        on_crowd_alert(session, runtime.current().vault, event.payload)


@registry.subscribe("incidents.help_services", "missing.found", "breakdown.cleared")
def help_case_concluded(session: Session, event: Event) -> None:
    """A missing person handed over or a breakdown cleared ends the incident it opened."""
    with deferred_commit(session):
        on_case_concluded(session, event.payload)
