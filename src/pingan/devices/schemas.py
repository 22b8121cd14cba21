"""API shapes for devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pingan.devices.protocol import DEVICE_ID_PATTERN, CommandBody
from pingan.http.inputs import Input


class DeviceCreate(Input):
    serial: str = Field(
        pattern=DEVICE_ID_PATTERN,
        description="序列号，也是MQTT主题中的设备编号 / serial, also the device id in topics",
    )
    kind: str = Field(description="设备类型 / device kind: patrol_robot, drone, body_camera, ...")
    name: str | None = Field(default=None, max_length=100)
    unit_id: int | None = Field(default=None, description="绑定的警力单元 / bound unit")


class DevicePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: str
    kind: str
    name: str
    unit_id: int | None
    registered_at: datetime
    bound_at: datetime | None
    lon: float | None
    lat: float | None
    fix_at: datetime | None
    battery_pct: float | None
    state: str | None
    seen_at: datetime | None


class Binding(Input):
    unit_id: int = Field(description="警力单元 / unit to bind the device to")


class CommandCreate(Input):
    command: CommandBody
    timeout_s: int | None = Field(
        default=None, ge=1, le=86_400, description="等待回执的时限 / how long to wait for an ack"
    )


class CommandPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    command_id: str
    type: str
    body: dict[str, Any]
    state: str = Field(description="queued | sent | acked | failed | timeout")
    issued_by: str
    issued_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    result: str | None
    detail: str | None


class LiveDevice(BaseModel):
    serial: str
    device_id: int
    kind: str
    unit_id: int | None
    lon: float | None
    lat: float | None
    fix_at: datetime | None
    age_s: float | None
    freshness: str = Field(description="live 实时 | stale 位置过时 | lost 失联 | unknown 未上报")
    speed_mps: float | None = None
    heading_deg: float | None = None
    alt_m: float | None = None
    battery_pct: float | None = None
    state: str | None = None
    recording: bool | None = None
    seen_at: datetime | None = None


class LiveUnit(BaseModel):
    unit_id: int
    lon: float
    lat: float
    fix_at: datetime
    age_s: float
    freshness: str
    serial: str = Field(description="提供该位置的设备 / device the position came from")


class LiveView(BaseModel):
    devices: list[LiveDevice]
    units: list[LiveUnit]
    counts: dict[str, int] = Field(description="各新鲜度的设备数 / devices per freshness")


class Fix(BaseModel):
    at: datetime
    lon: float
    lat: float
    speed_mps: float | None
    battery_pct: int | None
    unit_id: int | None


class IngestResult(BaseModel):
    accepted: bool = True
    serial: str
    channel: str
