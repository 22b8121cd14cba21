"""API shapes for units."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from pingan.geo.coords import Crs
from pingan.http.inputs import Id, Input, Instant
from pingan.units.models import UnitBinding


class UnitCreate(Input):
    call_sign: str = Field(min_length=1, max_length=40, description="units.field.call_sign")
    kind: str = Field(description="units.field.kind")
    name: str | None = Field(default=None, max_length=100)
    capabilities: list[str] | None = Field(default=None, max_length=30)
    crew_size: int | None = Field(default=None, ge=0, le=50)
    area_code: str | None = Field(default=None, max_length=40)
    post_lon: float | None = None
    post_lat: float | None = None
    crs: Crs = Crs.WGS84
    on_duty: bool = True


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_sign: str
    kind: str
    name: str
    capabilities: list[str]
    crew_size: int
    status: str
    area_code: str | None
    post_lon: float | None
    post_lat: float | None
    lon: float | None
    lat: float | None
    position_at: datetime | None
    position_age_s: float | None = None
    status_at: datetime
    cover_lon: float | None = Field(default=None, description="units.field.cover_point")
    cover_lat: float | None = None
    cover_area_code: str | None = Field(default=None, description="units.field.cover_area_code")
    cover_at: datetime | None = None
    cover_by: str | None = Field(default=None, description="units.field.cover_by")
    incident_id: int | None = Field(default=None, description="units.field.incident_id")
    case_number: str | None = Field(default=None, description="units.field.case_number")
    assignment_state: str | None = Field(default=None, description="units.field.assignment_state")


class PositionReport(Input):
    lon: float
    lat: float
    crs: Crs = Crs.WGS84
    at: Instant | None = Field(default=None, description="units.field.at")


class DutyChange(Input):
    on_duty: bool


class BindingCreate(Input):
    user_id: Id = Field(description="units.field.user_id")
    valid_from: Instant | None = Field(default=None, description="units.field.valid_from")
    valid_until: Instant | None = Field(default=None, description="units.field.valid_until")
    shift: str | None = Field(default=None, description="units.field.shift")
    day: date | None = Field(default=None, description="units.field.day")
    note: str | None = Field(default=None, max_length=200)


class BindingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    user_id: int
    username: str
    valid_from: datetime
    valid_until: datetime | None
    note: str | None
    created_by: str
    created_at: datetime


def binding_public(binding: UnitBinding, username: str) -> BindingPublic:
    """A stored binding with the bound account's username (kept on the user, not the row)."""
    return BindingPublic(
        id=binding.id,
        unit_id=binding.unit_id,
        user_id=binding.user_id,
        username=username,
        valid_from=binding.valid_from,
        valid_until=binding.valid_until,
        note=binding.note,
        created_by=binding.created_by,
        created_at=binding.created_at,
    )
