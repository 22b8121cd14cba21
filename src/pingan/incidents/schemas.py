"""API shapes for incidents. Reporter name, phone and ID number are only shown masked here
(except ReporterContact, the audited read)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pingan.geo.coords import Crs
from pingan.http.inputs import Input, Instant
from pingan.i18n import shown_json, stored_text
from pingan.incidents.catalogue import Source


class IncidentCreate(Input):
    type: str = Field(description="incidents.field.type_code")
    summary: str = Field(min_length=1, max_length=2000, description="incidents.field.summary")
    lon: float = Field(description="incidents.field.lon")
    lat: float = Field(description="incidents.field.lat")
    crs: Crs = Field(default=Crs.WGS84, description="incidents.field.crs")
    address: str | None = Field(default=None, max_length=200)
    area_code: str | None = Field(
        default=None, max_length=40, description="incidents.field.area_code"
    )
    source: Source = Source.CALL_110
    priority: int | None = Field(default=None, ge=1, le=4, description="incidents.field.priority")
    reporter_name: str | None = Field(default=None, max_length=100)
    reporter_phone: str | None = Field(default=None, max_length=30)
    reporter_id_number: str | None = Field(default=None, max_length=30)
    received_at: Instant | None = Field(default=None, description="incidents.field.received_at")


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
    arrival_check: str | None = Field(description="incidents.field.arrival_check")
    outcome: str | None
    sample: bool = Field(description="incidents.field.sample")


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
    note: str | None  # in the request's language when the system wrote it; else as typed
    note_code: str | None = None  # the message's stable code (system notes only)
    note_params: dict[str, Any] | None = Field(default=None, exclude=True)
    data: dict[str, Any]

    @model_validator(mode="after")
    def _in_readers_language(self) -> TimelineEvent:
        """Stored messages (and old "中文 / English" notes) put into the reader's words."""
        self.note = stored_text(self.note, self.note_code, self.note_params)
        self.data = shown_json(self.data)
        return self


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

    summary: str = Field(min_length=1, max_length=2000, description="incidents.field.call_summary")
    reporter_phone: str | None = Field(default=None, max_length=30)
    received_at: Instant | None = Field(
        default=None, description="incidents.field.call_received_at"
    )


class DispatchRequest(Input):
    unit_ids: list[int] = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    at: Instant | None = None


class UnitStep(Input):
    at: Instant | None = Field(default=None, description="incidents.field.at")
    note: str | None = Field(default=None, max_length=500)


class ArrivalStep(UnitStep):
    override_reason: str | None = Field(
        default=None,
        max_length=500,
        description="incidents.field.override_reason",
    )


class ResolveRequest(Input):
    outcome: str = Field(min_length=1, max_length=2000, description="incidents.field.outcome")
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
