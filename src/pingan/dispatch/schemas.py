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
    incident_id: int | None = Field(description="None: a preview for a call not yet entered")
    case_number: str | None
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


class TierRowPublic(BaseModel):
    """One tier in one group (dispatch.tiers.TierRow); `*_from_call*` figures run from the
    call (接警), `*_from_dispatch*` from the dispatch order (派警, the first assignment)."""

    group: str
    tier: str
    incidents: int = Field(description="该级适用的警情 / incidents the tier applies to")
    measured: int = Field(description="经定位核实的到场计时 / moments from verified arrivals")
    overridden: int = Field(description="有调度员确认的到场，不计入 / reached with an override")
    unverified: int = Field(description="核实机制启用前的到场，不计入 / recorded unchecked")
    not_reached: int = Field(description="未到场或未到齐，计为未达标 / never reached: missed")
    not_needed: int = Field(description="出警卡只需一个单位，无需增援 / one-unit card: no support")
    pending: int = Field(
        description="仍在处置且未到时限，暂不评判 / open, within target: not judged"
    )
    met_from_call: float | None = Field(description="达标率，从接警起 / share met, from the call")
    met_from_dispatch: float | None = Field(
        description="达标率，从派警起 / share met, from the dispatch order"
    )
    p50_from_call_s: float | None
    p90_from_call_s: float | None
    p50_from_dispatch_s: float | None
    p90_from_dispatch_s: float | None


class TierDefPublic(BaseModel):
    code: str
    measure: str = Field(description="first / support / card")
    name_zh: str
    name_en: str


class TierReport(BaseModel):
    """Tiered 1-3-5 compliance (tiered_targets.yaml): the tiers, the seconds that apply per
    area type and priority, the two clocks' labels and one row per (group, tier)."""

    by: str
    since: str | None
    until: str | None
    tiers: list[TierDefPublic]
    targets: dict[str, dict[str, dict[str, float]]] = Field(
        description="area type -> priority or 'default' -> tier -> seconds"
    )
    area_types: dict[str, dict[str, str]]
    clocks: dict[str, dict[str, str]] = Field(
        description="call: 从接警起 / from the call; dispatch: 从派警起 / from the dispatch order"
    )
    rows: list[TierRowPublic]


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
