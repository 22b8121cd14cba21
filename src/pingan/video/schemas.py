"""API shapes for cameras, patrol observations, the rota and premises checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.geo.coords import Crs
from pingan.http.inputs import Input, Instant

Point = list[float]
DeviceId = str  # 20 digits (GB/T 28181 device code, GA/T 1400 APE id)


class CameraFields(Input):
    name: str | None = Field(default=None, max_length=100, description="video.field.name")
    area_code: str | None = Field(default=None, max_length=40, description="video.field.area_code")
    premises_id: int | None = Field(default=None, description="video.field.premises_id")
    source: str | None = Field(default=None, max_length=500, description="video.field.source")
    gb28181_id: DeviceId | None = Field(default=None, description="video.field.gb28181_id")
    gat1400_id: DeviceId | None = Field(default=None, description="video.field.gat1400_id")
    frame_width: int | None = Field(default=None, description="video.field.frame_width")
    frame_height: int | None = Field(default=None, description="video.field.frame_height")
    roi: list[Point] | None = Field(default=None, max_length=64, description="video.field.roi")
    forbidden_zones: list[list[Point]] | None = Field(
        default=None, max_length=8, description="video.field.forbidden_zones"
    )
    floor_area_m2: float | None = Field(default=None, description="video.field.floor_area_m2")
    gathering_count: int | None = Field(default=None, description="video.field.gathering_count")
    detector: Literal["hog", "onnx"] | None = Field(default=None, description="hog / onnx")
    model_path: str | None = Field(
        default=None, max_length=500, description="video.field.model_path"
    )
    status: Literal["active", "maintenance"] | None = Field(default=None)


class CameraCreate(CameraFields):
    code: str = Field(min_length=1, max_length=40, description="video.field.code")
    name: str = Field(min_length=1, max_length=100)
    lon: float
    lat: float
    crs: Crs = Crs.WGS84
    source: str = Field(min_length=1, max_length=500)
    frame_width: int
    frame_height: int
    roi: list[Point] = Field(max_length=64)


class CameraUpdate(CameraFields):
    lon: float | None = None
    lat: float | None = None
    crs: Crs = Crs.WGS84


class CameraPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    lon: float
    lat: float
    area_code: str | None
    premises_id: int | None
    source: str
    gb28181_id: str | None
    gat1400_id: str | None
    frame_width: int
    frame_height: int
    roi: list[Point]
    forbidden_zones: list[list[Point]]
    floor_area_m2: float | None
    gathering_count: int | None
    detector: str
    model_path: str | None
    status: str
    last_checked_at: datetime | None
    last_alert_at: datetime | None
    created_at: datetime
    version: int


class ObservationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int
    area_code: str | None
    at: datetime
    count: float | None = Field(description="video.field.count")
    density_ppm2: float | None
    level: str = Field(description="video.field.level")
    suspect: bool
    reason: str | None
    detector: str
    elapsed_ms: float | None
    events: list[dict[str, Any]]
    incident_id: int | None


class PatrolRun(Input):
    camera_ids: list[int] | None = Field(
        default=None,
        max_length=50,
        description="video.field.camera_ids",
    )


class PatrolResult(BaseModel):
    at: datetime
    checked: list[ObservationPublic]
    incidents: list[int]


class RotaCameraPublic(BaseModel):
    camera_id: int
    code: str
    area_code: str | None
    weight: float
    interval_now_min: float
    visits: int
    worst_gap_min: float | None
    late_visits: int


class RotaPublic(BaseModel):
    start: datetime
    minutes: int
    capacity_per_min: int
    load_now_per_min: float = Field(description="video.field.load_now_per_min")
    cameras: list[RotaCameraPublic]


class PremisesCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(description="hotel / entertainment / internet_cafe / bar / pawnshop / other")
    licence_no: str | None = Field(
        default=None, max_length=40, description="video.field.licence_no"
    )
    address: str | None = Field(default=None, max_length=200)
    lon: float
    lat: float
    crs: Crs = Crs.WGS84
    check_every_days: int = Field(default=7, description="video.field.check_every_days")


class PremisesPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    licence_no: str | None
    address: str | None
    lon: float
    lat: float
    check_every_days: int
    status: str
    created_at: datetime
    last_checked_at: datetime | None
    next_due_at: datetime
    camera_ids: list[int] = []


class OverduePublic(PremisesPublic):
    overdue_days: float


class CheckCreate(Input):
    result: str = Field(description="ok / issues / violation / no_signal")
    notes: str | None = Field(default=None, max_length=2000)
    camera_ids: list[int] = Field(default_factory=list, max_length=50)
    at: Instant | None = Field(default=None, description="video.field.at")


class CheckPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    premises_id: int
    at: datetime
    officer: str
    result: str
    notes: str | None
    camera_ids: list[int]
