"""Stale and lost positions are marked, announced once, and survive a gateway restart."""

from __future__ import annotations

import time

from sqlalchemy import select

from pingan.bus.models import OutboxEvent
from pingan.devices.protocol import Channel

from .conftest import fix, register


def freshness_events(db) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(OutboxEvent.payload)
            .where(OutboxEvent.type == "device.freshness_changed")
            .order_by(OutboxEvent.id)
        ).scalars()
        return [(p["from"], p["to"]) for p in rows]


def view(hub, serial: str) -> dict:
    return next(d for d in hub.live_view()[0] if d["serial"] == serial)


def test_positions_go_stale_then_lost_and_come_back(db, make_hub):
    unit_id = register(db, "CAR-0401", unit=True)
    # far apart, so a slow flush on a busy machine cannot skip the stale step
    hub = make_hub(device_stale_after_s=0.4, device_lost_after_s=4.0, device_flush_interval_s=10)
    began = time.monotonic()
    hub.ingestor.handle("CAR-0401", Channel.TELEMETRY, fix(), "test")
    assert view(hub, "CAR-0401")["freshness"] == "live"
    hub.flush()
    time.sleep(max(0.0, began + 0.6 - time.monotonic()))
    assert view(hub, "CAR-0401")["freshness"] == "stale"
    assert hub.live_view()[1][0]["unit_id"] == unit_id
    assert hub.live_view()[1][0]["freshness"] == "stale"
    hub.flush()
    time.sleep(max(0.0, began + 4.3 - time.monotonic()))
    hub.flush()
    assert view(hub, "CAR-0401")["freshness"] == "lost"
    hub.ingestor.handle("CAR-0401", Channel.TELEMETRY, fix(), "test")
    hub.flush()
    assert freshness_events(db) == [("live", "stale"), ("stale", "lost"), ("lost", "live")]
    assert hub.stats()["live"]["live"] == 1


def test_a_restarted_gateway_starts_from_the_stored_positions(db, make_hub):
    register(db, "BC-0402", "body_camera")
    first = make_hub()
    first.ingestor.handle("BC-0402", Channel.TELEMETRY, fix(ago=120, battery_pct=40), "test")
    first.stop()  # writes what is pending
    second = make_hub()
    seen = view(second, "BC-0402")
    assert seen["freshness"] == "stale" and seen["battery_pct"] == 40 and seen["age_s"] >= 120
