"""API shapes for shift rosters."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class EntryIn(BaseModel):
    call_sign: str = Field(min_length=1, max_length=40)
    kind: str = Field(min_length=1, max_length=20)
    crew: int | None = Field(default=None, ge=0, le=50, description="rosters.field.crew")
    area_code: str | None = Field(default=None, max_length=40)
    post_code: str | None = Field(default=None, max_length=40)
    post_lon: float | None = None
    post_lat: float | None = None
    partner: str | None = Field(default=None, max_length=100, description="rosters.field.partner")
    note: str | None = Field(default=None, max_length=200)


class RosterIn(BaseModel):
    entries: list[EntryIn] = Field(max_length=2000)


class EntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    shift_code: str
    call_sign: str
    kind: str
    crew: int
    area_code: str | None
    post_code: str | None
    post_lon: float | None
    post_lat: float | None
    partner: str | None
    note: str | None
    created_by: str


class KindTotal(BaseModel):
    shift_code: str
    kind: str
    police: bool
    units: int
    people: int


class RosterPublic(BaseModel):
    day: date
    shift_code: str | None
    entries: list[EntryPublic]
    totals: list[KindTotal]
    officer_shifts: int = Field(description="rosters.field.officer_shifts")
    partner_people: int = Field(description="rosters.field.partner_people")
