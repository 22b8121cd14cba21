"""API shapes for crowd counts, area status, history and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input, Instant


class ReadingIn(Input):
    source_id: str = Field(min_length=1, max_length=64, description="crowd.field.source_id")
    area_code: str = Field(max_length=40, description="crowd.field.area_code")
    kind: str = Field(description="gate / camera / video / drone / wifi / manual")
    at: Instant = Field(description="crowd.field.at")
    count: float = Field(description="crowd.field.count")
    entered: int | None = Field(default=None, description="crowd.field.entered")
    exited: int | None = Field(default=None, description="crowd.field.exited")


class ReadingBatch(Input):
    readings: list[ReadingIn] = Field(min_length=1, max_length=5000)


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    area_code: str
    kind: str
    level: str
    at: datetime
    text_zh: str
    text_en: str
    data: dict[str, Any]


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int
    alerts: list[AlertPublic]


class AreaStatusPublic(BaseModel):
    area_code: str
    name_zh: str
    name_en: str
    level: str = Field(description="normal / yellow / orange / red / critical / unknown")
    since: datetime | None
    count: float | None
    sigma: float | None
    density_ppm2: float | None
    capacity_share: float | None
    instant_capacity: int | None
    usable_area_m2: float | None
    at: datetime | None
    fresh_sources: int
    silent_sources: list[str]


class AreaCountPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    count: float
    sigma: float | None
    density_ppm2: float | None
    capacity_share: float | None
    level: str


class CalendarCoveragePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source: str = Field(description="crowd.field.source")
    first_year: int | None = Field(description="crowd.field.first_year")
    last_year: int | None = Field(description="crowd.field.last_year")
    missing_years: list[int] = Field(description="crowd.field.missing_years")
    used: bool = Field(description="crowd.field.used")


class ForecastPublic(BaseModel):
    model: str = Field(description="lightgbm / ets / seasonal_naive")
    issued_at: datetime
    history_days: float
    hours: list[datetime] = Field(description="crowd.field.forecast_public.hours")
    areas: dict[str, list[float | None]] = Field(description="crowd.field.areas")
    calendar: CalendarCoveragePublic
