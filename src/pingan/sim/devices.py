"""Patrol robots and drones in the simulated day report as devices do: telemetry through the
device ingest path (the function behind `POST /devices/{serial}/telemetry` and the MQTT
gateway), so their fixes land in the device live state the map reads (memory or Redis) and
reach the unit's position through the device binding, not through the units service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.devices import service as devices
from pingan.devices.hub import DeviceHub
from pingan.devices.protocol import Channel, Rejected
from pingan.errors import NotFound
from pingan.units import service as units

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation

DEVICE_KINDS = ("patrol_robot", "drone")  # unit kind = device kind in kinds.yaml
HubGetter = Callable[[], DeviceHub | None]


def serial_for(unit_id: int, kind: str) -> str:
    return f"sim-{kind.replace('_', '-')}-{unit_id}"


def ensure_devices(sim: DaySimulation, session: Session, commander: Actor) -> None:
    """Each robot and drone unit gets its device, registered and bound (device registry)."""
    hub = sim.devices() if sim.devices else None
    if hub is None:
        return
    changed = False
    for unit in units.fleet(session):
        if unit.kind not in DEVICE_KINDS:
            continue
        serial = serial_for(unit.id, unit.kind)
        try:
            device = devices.get_device(session, serial)
        except NotFound:
            devices.register_device(
                session, commander, serial=serial, kind=unit.kind, name=unit.call_sign,
                unit_id=unit.id,
            )  # fmt: skip
            changed = True
        else:
            if device.unit_id != unit.id:
                devices.bind_device(session, commander, serial, unit.id)
                changed = True
        sim.serials[unit.id] = serial
    if changed:
        hub.registry_changed()


def send_fix(sim: DaySimulation, unit_id: int, lon: float, lat: float, t: datetime,
             speed_mps: float | None = None) -> bool:  # fmt: skip
    """One telemetry message through the ingest path; False when refused (and counted)."""
    hub = sim.devices() if sim.devices else None
    serial = sim.serials.get(unit_id)
    if hub is None or serial is None:
        return False
    hours = (t - sim.started_at).total_seconds() / 3600
    body = {
        "ts": t.isoformat(),
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "battery_pct": round(max(15.0, 100.0 - 4.0 * hours), 1),
    }
    if speed_mps is not None:
        body["speed_mps"] = round(min(speed_mps, 150.0), 2)
    try:
        hub.ingestor.handle(serial, Channel.TELEMETRY, json.dumps(body).encode(), "http")
    except Rejected:
        sim.figures.refused += 1
        return False
    sim.figures.telemetry += 1
    return True
