"""API shapes for deployment plans."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input


class PlanCreate(Input):
    date: dt.date = Field(description="本地日期 / local date of the shift")
    shift: str = Field(min_length=1, max_length=20, description="班次 / shift code (day, night)")
    solver: Literal["exact", "heuristic"] | None = Field(
        default=None, description="exact = HiGHS; heuristic = greedy + swap (LP-bounded)"
    )
    lexicographic: bool = Field(default=False, description="逐级优先 / tier 1 first, then 3, 5")
    unit_ids: list[int] | None = Field(
        default=None, max_length=2000, description="参与布警的警力；默认全部在岗 / default: on duty"
    )


class Replan(Input):
    crowds: dict[str, float] = Field(
        default_factory=dict, description="区域→预计人数 / area → expected people now"
    )
    max_moves: int | None = Field(default=None, ge=0, le=500, description="最多调整警力数")
    max_move_s: float | None = Field(default=None, gt=0, le=3600, description="最远调整时间(秒)")


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
    gap: float = Field(description="证明的相对间隙 / proven relative gap")
    mip_rel_gap: float | None = Field(description="HiGHS 停止间隙 / the gap HiGHS stopped at")
    objective: float
    coverage: dict[str, float] = Field(description="全员在岗覆盖 / every unit free at its post")
    expected_coverage: dict[str, float] | None = Field(
        default=None,
        description="期望覆盖（计忙碌、处警与签收延迟、巡逻环线）/ expected: busy units, "
        "call handling and acknowledgement delay, patrol loops",
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
    planned: float | None = Field(description="期望覆盖 / expected coverage of the plans")
    realized: float | None = Field(description="实际到场占比 / share first verified in time")
    diff_points: float | None = Field(description="实际−期望（百分点）/ realized − planned")


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
