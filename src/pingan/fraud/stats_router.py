"""HTTP adapter for the anti-fraud KPIs: `GET /fraud/stats?from=&to=` (反诈大屏)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from pingan.auth.actor import Actor
from pingan.fraud import stats
from pingan.http.deps import ClockDep, SessionDep, permit

router = APIRouter(prefix="/fraud", tags=["fraud.stats.tag"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PeriodPublic(_Out):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")


class ReportToStopPublic(_Out):
    cases_stopped: int
    cases_without_stop: int
    median_min: float | None
    p90_min: float | None
    golden_median_min: float | None
    golden_p90_min: float | None


class StopOrdersPublic(_Out):
    orders: int
    answered: int
    stopped: int
    sending: int
    unavailable: int
    refused: int
    results: dict[str, int]
    success_rate: float | None


class MoneyPublic(_Out):
    loss_fen: int
    held_fen: int
    accounts_held: int
    returned_fen: int
    returned_recorded_fen: int
    returned_atm_fen: int


class WarningCountsPublic(_Out):
    created: int
    assigned: int
    closed: int
    dissuaded: int
    dissuasion_rate: float | None


class WarningsPublic(_Out):
    total: WarningCountsPublic
    by_grade: dict[str, WarningCountsPublic]
    outcomes: dict[str, int]


class FiguresPublic(_Out):
    period: PeriodPublic
    cases: int
    report_to_stop: ReportToStopPublic
    stop_orders: StopOrdersPublic
    money: MoneyPublic
    warnings: WarningsPublic


class ChangePublic(_Out):
    current: float | None
    previous: float | None
    change_pct: float | None


class TypeRowPublic(_Out):
    fraud_type: str
    cases: int
    loss_fen: int


class TopTypesPublic(BaseModel):
    by_cases: list[TypeRowPublic]
    by_loss: list[TypeRowPublic]


class DayRowPublic(_Out):
    day: date
    cases: int
    loss_fen: int


class FraudStatsPublic(BaseModel):
    """One period's KPIs beside the same dates a year earlier; money in integer fen."""

    current: FiguresPublic
    previous: FiguresPublic
    year_on_year: dict[str, ChangePublic]
    top_types: TopTypesPublic
    by_day: list[DayRowPublic]


def stats_public(result: stats.FraudStats) -> FraudStatsPublic:
    rows = [TypeRowPublic.model_validate(r) for r in result.by_type]
    return FraudStatsPublic(
        current=FiguresPublic.model_validate(result.current),
        previous=FiguresPublic.model_validate(result.previous),
        year_on_year={k: ChangePublic.model_validate(v) for k, v in result.year_on_year.items()},
        top_types=TopTypesPublic(
            by_cases=rows,
            by_loss=sorted(rows, key=lambda r: (-r.loss_fen, -r.cases, r.fraud_type)),
        ),
        by_day=[DayRowPublic.model_validate(d) for d in result.by_day],
    )


@router.get("/stats", summary="fraud.stats.api.stats")
def fraud_stats(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("fraud.stats")],
    start: Annotated[date | None, Query(alias="from", description="fraud.stats.field.from")] = None,
    end: Annotated[date | None, Query(alias="to", description="fraud.stats.field.to")] = None,
) -> FraudStatsPublic:
    """Cases reported in [from, to] (local dates), their orders and returns, and the warnings
    created then; by default 1 January of this year to today."""
    today = clock().astimezone(stats.LOCAL_TZ).date()
    period = stats.period_of(start, end, today)
    return stats_public(stats.fraud_stats(session, actor, period))
