"""API shapes for incidents. Reporter phone and ID number are only ever shown masked here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pingan.geo.coords import Crs
from pingan.http.inputs import Input, Instant
from pingan.incidents.catalogue import Source


class IncidentCreate(Input):
    type: str = Field(description="警情类别代码，见 /catalogue/incident-types / type code")
    summary: str = Field(min_length=1, max_length=2000, description="警情描述 / what happened")
    lon: float = Field(description="经度 / longitude")
    lat: float = Field(description="纬度 / latitude")
    crs: Crs = Field(default=Crs.WGS84, description="坐标系 wgs84 或 gcj02 / coordinate system")
    address: str | None = Field(default=None, max_length=200)
    area_code: str | None = Field(default=None, max_length=40, description="重点区域 / key area")
    source: Source = Source.CALL_110
    priority: int | None = Field(default=None, ge=1, le=4, description="1 危及生命 … 4 求助服务")
    reporter_name: str | None = Field(default=None, max_length=100)
    reporter_phone: str | None = Field(default=None, max_length=30)
    reporter_id_number: str | None = Field(default=None, max_length=30)
    received_at: Instant | None = Field(
        default=None, description="接警时间，缺省为当前 / when received; default now"
    )


class IncidentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    type_code: str
    priority: int
    state: str
    source: str
    summary: str
    lon: float
    lat: float
    address: str | None
    area_code: str | None
    reporter_name: str | None
    reporter_phone_masked: str | None
    reporter_id_masked: str | None
    created_by: str
    received_at: datetime
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    merged_into_id: int | None
    response_seconds: float | None
    response_tier: str | None
    outcome: str | None


class TimelineEvent(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    kind: str
    from_state: str | None
    to_state: str | None
    unit_id: int | None
    actor: str
    actor_role: str | None
    at: datetime
    note: str | None
    data: dict[str, Any]


class AssignmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    state: str
    dispatched_by: str
    dispatched_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    released_at: datetime | None


class IncidentDetail(IncidentPublic):
    timeline: list[TimelineEvent]
    assignments: list[AssignmentPublic]


class DispatchRequest(Input):
    unit_ids: list[int] = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    at: Instant | None = None


class UnitStep(Input):
    at: Instant | None = Field(default=None, description="发生时间，缺省为当前 / default now")
    note: str | None = Field(default=None, max_length=500)


class ResolveRequest(Input):
    outcome: str = Field(min_length=1, max_length=2000, description="处警反馈 / outcome")
    at: Instant | None = None


class CloseRequest(Input):
    note: str | None = Field(default=None, max_length=500)


class CancelRequest(Input):
    reason: str = Field(min_length=1, max_length=500)


class MergeRequest(Input):
    into_id: int
    note: str | None = Field(default=None, max_length=500)


class ReporterContact(BaseModel):
    reporter_name: str | None
    reporter_phone: str | None
    reporter_id_number: str | None
