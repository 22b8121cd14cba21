"""API shapes for crowd counts, area status, history and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input, Instant


class ReadingIn(Input):
    source_id: str = Field(min_length=1, max_length=64, description="传感器编号 / source id")
    area_code: str = Field(max_length=40, description="重点区域 / key area")
    kind: str = Field(description="gate / camera / video / drone / wifi / manual")
    at: Instant = Field(description="读数时间 / time of the count")
    count: float = Field(description="区域内人数 / people in the area now")
    entered: int | None = Field(default=None, description="本时段进入人数 / entries since last")
    exited: int | None = Field(default=None, description="本时段离开人数 / exits since last")


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

    source: str = Field(description="节假日数据来源 / where the holidays come from")
    first_year: int | None = Field(description="日历所知首年 / first year the calendar knows")
    last_year: int | None = Field(description="日历所知末年 / last year the calendar knows")
    missing_years: list[int] = Field(
        description="历史或预测时段中日历缺少的年份：其节假日按普通日计 / years of the history "
        "or the hours ahead the calendar lacks: their holidays count as ordinary days"
    )
    used: bool = Field(description="所选模型是否使用节假日 / whether the model reads holidays")


class ForecastPublic(BaseModel):
    model: str = Field(description="lightgbm / ets / seasonal_naive")
    issued_at: datetime
    history_days: float
    hours: list[datetime] = Field(description="每小时起点（本地时间）/ local hour starts")
    areas: dict[str, list[float | None]] = Field(description="区域 → 每小时平均人数")
    calendar: CalendarCoveragePublic
