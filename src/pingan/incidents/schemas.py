"""API shapes for incidents. Reporter name, phone and ID number are only shown masked here
(except ReporterContact, the audited read)."""

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
    reporter_name_masked: str | None
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
    arrival_check: str | None = Field(
        description="首个到场如何确认：verified 定位核实 / overridden 调度员确认 / "
        "null 旧记录未核实 — how the first arrival was accepted"
    )
    outcome: str | None
    sample: bool = Field(
        description="样例：演示数据，到场时间为脚本设定，不计入KPI / a demo sample with scripted "
        "times, left out of the KPIs"
    )


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
    eta_s: float | None = None  # the travel time predicted when the unit was sent
    arrival_check: str | None
    arrival_distance_m: float | None
    override_reason: str | None
    override_by: str | None


class IncidentDetail(IncidentPublic):
    timeline: list[TimelineEvent]
    assignments: list[AssignmentPublic]


class CallAttach(Input):
    """A further call about an open incident (重复报警)."""

    summary: str = Field(min_length=1, max_length=2000, description="来电内容 / what was said")
    reporter_phone: str | None = Field(default=None, max_length=30)
    received_at: Instant | None = Field(default=None, description="缺省为当前 / default now")


class DispatchRequest(Input):
    unit_ids: list[int] = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    at: Instant | None = None


class UnitStep(Input):
    at: Instant | None = Field(default=None, description="发生时间，缺省为当前 / default now")
    note: str | None = Field(default=None, max_length=500)


class ArrivalStep(UnitStep):
    override_reason: str | None = Field(
        default=None,
        max_length=500,
        description="调度员/指挥长确认未经定位核实的到场的理由（审计，KPI中单列）/ a dispatcher's "
        "or commander's reason to accept an arrival the unit's last fix does not confirm",
    )


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
