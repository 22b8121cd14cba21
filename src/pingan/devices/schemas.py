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
        description="devices.field.serial",
    )
    kind: str = Field(description="devices.field.kind")
    name: str | None = Field(default=None, max_length=100)
    unit_id: int | None = Field(default=None, description="devices.field.unit_id")


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
    unit_id: int = Field(description="devices.field.binding.unit_id")


class CommandCreate(Input):
    command: CommandBody
    timeout_s: int | None = Field(
        default=None, ge=1, le=86_400, description="devices.field.timeout_s"
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
    freshness: str = Field(description="devices.field.freshness")
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
    serial: str = Field(description="devices.field.live_unit.serial")


class LiveView(BaseModel):
    devices: list[LiveDevice]
    units: list[LiveUnit]
    counts: dict[str, int] = Field(description="devices.field.counts")


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
