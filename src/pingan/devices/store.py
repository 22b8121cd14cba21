"""Batched writes of live state into the store, and loading the device registry.

One transaction per batch: the changed devices' last known state, the bound units' last
known positions (a newer stored fix is never overwritten), the kept history fixes and the
freshness events. These are system actions and not audited one by one; registration,
binding and commands are (service.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from pingan.bus import outbox
from pingan.devices.freshness import Freshness
from pingan.devices.live import DeviceInfo, Drained
from pingan.devices.models import Device, PositionFix
from pingan.units.models import Unit

_devices = Device.__table__
_units = Unit.__table__


def _dt(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, UTC)


def _ts(d: datetime | None) -> float | None:
    return None if d is None else d.timestamp()


_DEVICE_UPDATE = (
    update(_devices)
    .where(_devices.c.id == bindparam("b_id"))
    .values(
        lon=bindparam("b_lon"),
        lat=bindparam("b_lat"),
        fix_at=bindparam("b_fix_at"),
        battery_pct=bindparam("b_battery"),
        state=bindparam("b_state"),
        seen_at=bindparam("b_seen_at"),
    )
)
_UNIT_UPDATE = (
    update(_units)
    .where(
        _units.c.id == bindparam("b_id"),
        or_(_units.c.position_at.is_(None), _units.c.position_at < bindparam("b_at")),
    )
    .values(lon=bindparam("b_lon"), lat=bindparam("b_lat"), position_at=bindparam("b_at"))
)


def write_batch(
    session: Session,
    drained: Drained,
    changes: list[tuple[DeviceInfo, Freshness, Freshness]] = (),  # type: ignore[assignment]
) -> None:
    """Write one batch and commit; the caller restores the batch if this raises."""
    conn = session.connection()
    if drained.devices:
        conn.execute(
            _DEVICE_UPDATE,
            [
                {
                    "b_id": device_id,
                    "b_lon": lon,
                    "b_lat": lat,
                    "b_fix_at": _dt(fix_at),
                    "b_battery": battery,
                    "b_state": state,
                    "b_seen_at": _dt(seen_at),
                }
                for _, device_id, lon, lat, fix_at, battery, state, seen_at in drained.devices
            ],
        )
    if drained.units:
        conn.execute(
            _UNIT_UPDATE,
            [
                {"b_id": unit_id, "b_lon": lon, "b_lat": lat, "b_at": _dt(at)}
                for unit_id, lon, lat, at in drained.units
            ],
        )
    if drained.fixes:
        conn.execute(
            insert(PositionFix.__table__),
            [
                {
                    "device_id": device_id,
                    "unit_id": unit_id,
                    "at": _dt(at),
                    "lon_e6": round(lon * 1e6),
                    "lat_e6": round(lat * 1e6),
                    "speed_dms": None if speed is None else min(round(speed * 10), 32767),
                    "battery_pct": None if battery is None else round(battery),
                }
                for device_id, unit_id, at, lon, lat, speed, battery in drained.fixes
            ],
        )
    for info, before, after in changes:
        outbox.publish(
            session,
            "device.freshness_changed",
            "device",
            info.id,
            {
                "device_id": info.id,
                "serial": info.serial,
                "unit_id": info.unit_id,
                "from": before.value,
                "to": after.value,
            },
        )
    session.commit()


def load_registry(session: Session) -> list[DeviceInfo]:
    """Every registered device with its binding (cheap: read every few seconds)."""
    rows = session.execute(select(Device.id, Device.serial, Device.kind, Device.unit_id)).all()
    return [DeviceInfo(r.id, r.serial, r.kind, r.unit_id) for r in rows]


def load_seeds(session: Session, device_ids: list[int]) -> dict[str, dict[str, Any]]:
    """The stored last state of these devices, to seed the live state with."""
    seeds: dict[str, dict[str, Any]] = {}
    for start in range(0, len(device_ids), 1000):
        rows = session.execute(
            select(
                Device.serial,
                Device.lon,
                Device.lat,
                Device.fix_at,
                Device.battery_pct,
                Device.state,
                Device.seen_at,
            ).where(Device.id.in_(device_ids[start : start + 1000]))
        ).all()
        for r in rows:
            seeds[r.serial] = {
                "lon": r.lon,
                "lat": r.lat,
                "fix_at": _ts(r.fix_at),
                "battery_pct": r.battery_pct,
                "state": r.state,
                "seen_at": _ts(r.seen_at),
            }
    return seeds
