"""Use cases for devices: register, bind to a unit, send commands and follow their answers.

Each function that changes data is one transaction with its audit record and event. The
gateway's own transitions (sent, acked, timeout) are audited as the system actor
`device-gateway`; telemetry is never audited one fix at a time (see store.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.devices.catalogue import device_kinds
from pingan.devices.models import Device, DeviceCommand, PositionFix
from pingan.devices.protocol import (
    Ack,
    AckResult,
    Alert,
    CommandBody,
    CommandMessage,
    Mission,
    valid_device_id,
)
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.geo.input import validated_point
from pingan.i18n import msg
from pingan.units.models import Unit

GATEWAY = Actor.system("device-gateway")
RESERVED_SERIALS = frozenset({"live", "gateway"})  # path segments of the device API


class CommandState:
    QUEUED = "queued"  # 已生成，待发往消息服务器
    SENT = "sent"  # 消息服务器已确认 (QoS 1 PUBACK)
    ACKED = "acked"  # 设备已回执
    FAILED = "failed"  # 设备拒绝或执行失败
    TIMEOUT = "timeout"  # 到期未回执


OPEN_STATES = (CommandState.QUEUED, CommandState.SENT)
ACK_STATE = {
    AckResult.ACCEPTED: CommandState.ACKED,
    AckResult.DONE: CommandState.ACKED,
    AckResult.REJECTED: CommandState.FAILED,
    AckResult.FAILED: CommandState.FAILED,
}


def get_device(session: Session, serial: str) -> Device:
    device = session.execute(select(Device).where(Device.serial == serial)).scalar_one_or_none()
    if device is None:
        raise NotFound(msg("devices.device_not_found", serial=serial), code="device_not_found")
    return device


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(msg("devices.unit_not_found", id=unit_id), code="unit_not_found")
    return unit


def register_device(
    session: Session,
    actor: Actor,
    *,
    serial: str,
    kind: str,
    name: str | None = None,
    unit_id: int | None = None,
) -> Device:
    require(actor, "device.write")
    kinds = device_kinds()
    if kind not in kinds:
        raise ValidationFailed(
            msg("devices.bad_device_kind", kind=kind, known=list(kinds)),
            code="bad_device_kind",
        )
    if not valid_device_id(serial) or serial.lower() in RESERVED_SERIALS:
        raise ValidationFailed(
            msg("devices.bad_serial"),
            code="bad_serial",
        )
    if session.execute(select(Device.id).where(Device.serial == serial)).first():
        raise Conflict(msg("devices.serial_taken", serial=serial), code="serial_taken")
    if unit_id is not None:
        _unit(session, unit_id)
    now = utcnow()
    spec = kinds[kind]
    device = Device(
        serial=serial,
        kind=kind,
        name=name or f"{spec.name_zh} {serial}",
        unit_id=unit_id,
        registered_at=now,
        bound_at=now if unit_id is not None else None,
    )
    session.add(device)
    session.flush()
    detail = {"serial": serial, "kind": kind, "unit_id": unit_id}
    audit.record(session, actor, "device.register", "device", device.id, detail)
    event = {"device_id": device.id, **detail}
    outbox.publish(session, "device.registered", "device", device.id, event)
    session.commit()
    return device


def bind_device(session: Session, actor: Actor, serial: str, unit_id: int | None) -> Device:
    """Bind the device to a unit (its fixes become the unit's position), or unbind (None)."""
    require(actor, "device.write")
    device = get_device(session, serial)
    if unit_id is not None:
        _unit(session, unit_id)
    if device.unit_id == unit_id:
        return device
    previous = device.unit_id
    device.unit_id = unit_id
    device.bound_at = utcnow() if unit_id is not None else None
    action = "bound" if unit_id is not None else "unbound"
    detail = {"serial": serial, "unit_id": unit_id, "previous_unit_id": previous}
    audit.record(session, actor, f"device.{action}", "device", device.id, detail)
    event = {"device_id": device.id, **detail}
    outbox.publish(session, f"device.{action}", "device", device.id, event)
    session.commit()
    return device


def list_devices(
    session: Session,
    *,
    kind: str | None = None,
    unit_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Device], int]:
    query = select(Device)
    if kind:
        query = query.where(Device.kind == kind)
    if unit_id is not None:
        query = query.where(Device.unit_id == unit_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Device.id).limit(limit).offset(offset)).scalars()
    return list(rows), total


# -- commands -----------------------------------------------------------------------------


def issue_command(
    session: Session,
    actor: Actor,
    serial: str,
    command: CommandBody,
    *,
    timeout_s: float,
) -> DeviceCommand:
    """Queue a command; the gateway publishes it (QoS 1) and follows it to an answer."""
    require(actor, "device.command")
    device = get_device(session, serial)
    allowed = device_kinds()[device.kind].commands
    if command.type not in allowed:
        raise ValidationFailed(
            msg(
                "devices.command_not_supported",
                kind=device.kind,
                command=command.type,
                allowed=list(allowed) or msg("devices.no_commands"),
            ),
            code="command_not_supported",
        )
    if isinstance(command, Mission):
        for w in command.waypoints:  # a drone is not sent out of the city
            validated_point(w.lon, w.lat)
    now = utcnow()
    row = DeviceCommand(
        command_id=str(uuid.uuid4()),
        device_id=device.id,
        type=command.type,
        body=command.model_dump(mode="json"),
        state=CommandState.QUEUED,
        issued_by=actor.username,
        issued_at=now,
        expires_at=now + timedelta(seconds=timeout_s),
    )
    session.add(row)
    session.flush()
    detail = {"serial": serial, "command_id": row.command_id, "type": command.type}
    audit.record(session, actor, "device.command", "device_command", row.id, detail)
    outbox.publish(session, "device.command_issued", "device", device.id, detail)
    session.commit()
    return row


def list_commands(
    session: Session, serial: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[DeviceCommand], int]:
    device = get_device(session, serial)
    query = select(DeviceCommand).where(DeviceCommand.device_id == device.id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(DeviceCommand.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def command_message(row: DeviceCommand) -> CommandMessage:
    return CommandMessage.model_validate(
        {
            "command_id": row.command_id,
            "issued_at": row.issued_at,
            "expires_at": row.expires_at,
            "command": row.body,
        }
    )


def queued_commands(session: Session, *, limit: int = 200) -> list[tuple[str, DeviceCommand]]:
    """Commands still waiting for the broker, oldest first, with their device's serial."""
    rows = session.execute(
        select(Device.serial, DeviceCommand)
        .join(Device, Device.id == DeviceCommand.device_id)
        .where(DeviceCommand.state == CommandState.QUEUED, DeviceCommand.expires_at > utcnow())
        .order_by(DeviceCommand.id)
        .limit(limit)
    ).all()
    return [(serial, row) for serial, row in rows]


def _finish(session: Session, row: DeviceCommand, state: str, **detail: Any) -> None:
    before = row.state
    row.state = state
    row.finished_at = utcnow()
    audit.record(
        session,
        GATEWAY,
        f"device.command_{state}",
        "device_command",
        row.id,
        {"command_id": row.command_id, "from": before, **detail},
    )
    outbox.publish(
        session,
        "device.command_finished",
        "device",
        row.device_id,
        {"command_id": row.command_id, "state": state, "type": row.type, **detail},
    )


def still_queued(session: Session, command_ids: list[str]) -> set[str]:
    if not command_ids:
        return set()
    rows = session.execute(
        select(DeviceCommand.command_id).where(
            DeviceCommand.command_id.in_(command_ids), DeviceCommand.state == CommandState.QUEUED
        )
    ).scalars()
    return set(rows)


def mark_sent(session: Session, command_ids: list[str]) -> int:
    """The broker acknowledged these commands (PUBACK): queued → sent. Returns how many."""
    if not command_ids:
        return 0
    now = utcnow()
    rows = session.execute(
        select(DeviceCommand).where(
            DeviceCommand.command_id.in_(command_ids), DeviceCommand.state == CommandState.QUEUED
        )
    ).scalars()
    n = 0
    for row in rows:
        row.state, row.sent_at = CommandState.SENT, now
        audit.record(
            session,
            GATEWAY,
            "device.command_sent",
            "device_command",
            row.id,
            {"command_id": row.command_id},
        )
        n += 1
    session.commit()
    return n


def apply_ack(session: Session, device_id: int, ack: Ack) -> DeviceCommand:
    """Match a device's ack to its command. A late ack after a timeout still records the
    real outcome; a repeated ack changes nothing."""
    row = session.execute(
        select(DeviceCommand)
        .where(DeviceCommand.command_id == ack.command_id, DeviceCommand.device_id == device_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(msg("devices.unknown_command"), code="unknown_command")
    target = ACK_STATE[ack.result]
    if row.state in (CommandState.ACKED, CommandState.FAILED):
        session.rollback()
        return row
    row.result, row.detail = ack.result.value, ack.detail
    row.sent_at = row.sent_at or utcnow()  # answered before the PUBACK was processed
    _finish(session, row, target, result=ack.result.value)
    session.commit()
    return row


def expire_commands(session: Session, now: datetime | None = None) -> int:
    """Commands past their deadline without an answer become `timeout`."""
    now = now or utcnow()
    rows = (
        session.execute(
            select(DeviceCommand)
            .where(DeviceCommand.state.in_(OPEN_STATES), DeviceCommand.expires_at <= now)
            .with_for_update()
            .limit(500)
        )
        .scalars()
        .all()
    )
    for row in rows:
        _finish(session, row, CommandState.TIMEOUT)
    session.commit()
    return len(rows)


# -- alerts and history --------------------------------------------------------------------


def raise_alert(
    session: Session,
    device_id: int,
    serial: str,
    unit_id: int | None,
    alert: Alert,
    lonlat: tuple[float, float] | None,
) -> None:
    """Announce a device alert to other domains (crowd, incidents) as an event."""
    payload: dict[str, Any] = {
        "device_id": device_id,
        "serial": serial,
        "unit_id": unit_id,
        "type": alert.type.value,
        "level": alert.level.value,
        "at": alert.ts.astimezone(UTC).isoformat(),
        "lon": lonlat[0] if lonlat else None,
        "lat": lonlat[1] if lonlat else None,
        "count": alert.count,
        "text": alert.text,
        "data": alert.data,
    }
    outbox.publish(session, "device.alert", "device", device_id, payload)
    session.commit()


def track(
    session: Session,
    serial: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[PositionFix]:
    """The kept fixes of one device in time order (replay, response-time audits)."""
    device = get_device(session, serial)
    query = select(PositionFix).where(PositionFix.device_id == device.id)
    if since:
        query = query.where(PositionFix.at >= since)
    if until:
        query = query.where(PositionFix.at < until)
    return list(session.execute(query.order_by(PositionFix.at).limit(limit)).scalars())
