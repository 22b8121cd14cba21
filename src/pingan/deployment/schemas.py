"""API shapes for deployment plans."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input


class PlanCreate(Input):
    date: dt.date = Field(description="deployment.field.date")
    shift: str = Field(min_length=1, max_length=20, description="deployment.field.shift")
    solver: Literal["exact", "heuristic"] | None = Field(
        default=None, description="exact = HiGHS; heuristic = greedy + swap (LP-bounded)"
    )
    lexicographic: bool = Field(default=False, description="deployment.field.lexicographic")
    unit_ids: list[int] | None = Field(
        default=None, max_length=2000, description="deployment.field.unit_ids"
    )


class Replan(Input):
    crowds: dict[str, float] = Field(default_factory=dict, description="deployment.field.crowds")
    max_moves: int | None = Field(
        default=None, ge=0, le=500, description="deployment.field.max_moves"
    )
    max_move_s: float | None = Field(
        default=None, gt=0, le=3600, description="deployment.field.max_move_s"
    )


class PostPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    unit_id: int
    call_sign: str
    unit_kind: str
    site_code: str
    site_kind: str
    site_name: str
    area_code: str | None
    lon: float
    lat: float
    loop: dict[str, Any] | None


class PlanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_date: str
    shift_code: str
    version: int
    status: str
    based_on_id: int | None
    solver: str
    gap: float = Field(description="deployment.field.gap")
    mip_rel_gap: float | None = Field(description="deployment.field.mip_rel_gap")
    objective: float
    coverage: dict[str, float] = Field(description="deployment.field.coverage")
    expected_coverage: dict[str, float] | None = Field(
        default=None,
        description="deployment.field.expected_coverage",
    )
    detail: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None


class PlanWithPosts(PlanPublic):
    posts: list[PostPublic]


class ReplanResult(BaseModel):
    plan: PlanWithPosts
    coverage_before: dict[str, float]
    coverage_after: dict[str, float]


class TierFigurePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    seconds: float
    planned: float | None = Field(description="deployment.field.planned")
    realized: float | None = Field(description="deployment.field.realized")
    diff_points: float | None = Field(description="deployment.field.diff_points")


class PlannedVsRealizedPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    since: dt.datetime
    until: dt.datetime | None
    incidents: int
    with_plan: int
    verified: int
    plans: list[int]
    tiers: list[TierFigurePublic]
    deterministic: dict[str, float | None]
    clock: str
