"""Handlers for the fault tests' worker processes (`pingan worker --load ...`)."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from pingan.bus.outbox import Event
from pingan.bus.registry import registry
from tests.bus import effects

WORKER = f"pid{os.getpid()}"


@registry.subscribe("fault_counter", "fault.>")
def count_event(session: Session, event: Event) -> None:
    effects.record(session, "fault_counter", WORKER, event)
