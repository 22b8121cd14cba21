"""API shapes for recommendations, routes, isochrones, coverage and response reports."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from pingan.http.inputs import Input


class PickPublic(BaseModel):
    unit_id: int
    kind: str
    requirement: int
    eta_s: float
    distance_m: float
    crew: int
    from_post: bool
    text_zh: str
    text_en: str


class UnmetPublic(BaseModel):
    requirement: int
    missing_units: int
    missing_crew: int
    text_zh: str
    text_en: str


class RefusalPublic(BaseModel):
    unit_id: int
    reason_zh: str
    reason_en: str


class RequirementPublic(BaseModel):
    kinds: list[str]
    units: int
    min_crew: int
    capabilities: list[str]
    within_m: float | None
    note_zh: str
    note_en: str


class RecommendationPublic(BaseModel):
    incident_id: int
    case_number: str
    plan_type: str
    plan_priority: int | None
    requirements: list[RequirementPublic]
    complete: bool
    picks: list[PickPublic]
    unmet: list[UnmetPublic]
    refused: list[RefusalPublic]
    unit_ids: list[int] = Field(description="推荐派遣的警力 / the units to send, soonest first")


class ReassignRequest(Input):
    from_unit_id: int
    to_unit_id: int
    note: str | None = Field(default=None, max_length=500)


class ReassignmentPublic(BaseModel):
    incident_id: int
    case_number: str
    freed_unit_id: int
    replaces_unit_id: int
    freed_eta_s: float
    current_eta_s: float
    text_zh: str
    text_en: str


class RoutePublic(BaseModel):
    unit_id: int
    mode: str
    eta_s: float
    length_m: float | None
    geometry: dict[str, Any] | None = Field(description="GeoJSON LineString, null for drones")


class AreaCoveragePublic(BaseModel):
    area_code: str
    name_zh: str
    name_en: str
    share: dict[str, float] = Field(description="tier code -> share of the area reached")
    sample_points: int


class KpiRowPublic(BaseModel):
    group: str
    incidents: int
    responded: int = Field(description="有到场记录 / incidents with an arrival recorded")
    verified: int = Field(description="首个到场经定位核实：合格率与分位数只按这些计算 / measured")
    overridden: int = Field(description="调度员确认（未经定位核实），不计入合格率 / by override")
    unverified: int = Field(description="核实机制启用前的到场，不计入合格率 / recorded unchecked")
    no_arrival: int
    within: dict[str, float | None] = Field(description="tier -> share of verified arrivals")
    p50_s: float | None
    p90_s: float | None
    mean_s: float | None


class EtaAccuracyPublic(BaseModel):
    """Predicted ETAs against the trips made (verified arrivals; dispatch.kpi.EtaAccuracy)."""

    arrivals: int
    bias_s: float | None
    median_abs_s: float | None
    p90_abs_s: float | None


class ResponseReport(BaseModel):
    by: str
    since: str | None
    until: str | None
    tiers: dict[str, float]
    rows: list[KpiRowPublic]
    eta: EtaAccuracyPublic


class MoveupPublic(BaseModel):
    """One cover move (动中备勤) and the cover it restores, per tier code."""

    unit_id: int
    call_sign: str
    kind: str
    lon: float
    lat: float
    area_code: str = Field(description="the key area it restores most")
    post_of: str | None = Field(description="the busy unit whose post it stands in for")
    travel_s: float
    before: dict[str, float] = Field(description="that area's share per tier now")
    after: dict[str, float] = Field(description="… with this move")
    own_area: str | None = Field(description="the area the unit covers at 1 minute now")
    own_before: dict[str, float]
    own_after: dict[str, float]
    text_zh: str
    text_en: str


class MoveupsPublic(BaseModel):
    uncovered: dict[str, list[str]] = Field(description="area -> tier codes left uncovered")
    planned: dict[str, dict[str, float]] = Field(description="every on-duty unit at its post")
    now: dict[str, dict[str, float]]
    after: dict[str, dict[str, float]] = Field(description="with every proposal applied")
    restored: float = Field(description="tier-weighted area share the proposals restore")
    proposals: list[MoveupPublic]


class MoveupAccept(Input):
    unit_id: int = Field(ge=1)
    lon: float
    lat: float
    area_code: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=200)


class MoveupRelease(Input):
    unit_id: int = Field(ge=1)
    reason: str | None = Field(default=None, max_length=200)
