"""HTTP adapter for crowd monitoring."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from pingan.auth.actor import Actor
from pingan.crowd import forecasting, service
from pingan.crowd.schemas import (
    AlertPublic,
    AreaCountPublic,
    AreaStatusPublic,
    CalendarCoveragePublic,
    ForecastPublic,
    IngestResponse,
    ReadingBatch,
)
from pingan.db.base import utcnow
from pingan.http.deps import CityDep, SessionDep, permit
from pingan.http.inputs import Instant
from pingan.http.paging import Limit, Offset, Page

router = APIRouter(prefix="/crowd", tags=["crowd.tag"])


@router.post("/readings", summary="crowd.api.ingest")
def ingest(
    body: ReadingBatch,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("crowd.ingest")],
) -> IngestResponse:
    result = service.ingest(
        session,
        actor,
        city,
        [
            service.NewReading(
                source_id=r.source_id,
                area_code=r.area_code,
                kind=r.kind,
                at=r.at,
                count=r.count,
                entered=r.entered,
                exited=r.exited,
            )
            for r in body.readings
        ],
    )
    return IngestResponse(
        accepted=result.accepted,
        duplicates=result.duplicates,
        alerts=[AlertPublic.model_validate(a) for a in result.alerts],
    )


@router.get("/areas", summary="crowd.api.areas")
def areas(
    session: SessionDep, city: CityDep, actor: Annotated[Actor, permit("crowd.read")]
) -> list[AreaStatusPublic]:
    return [
        AreaStatusPublic(
            area_code=s.area.code,
            name_zh=s.area.name_zh,
            name_en=s.area.name_en,
            level=s.level,
            since=s.since,
            count=s.count,
            sigma=s.sigma,
            density_ppm2=s.density_ppm2,
            capacity_share=s.capacity_share,
            instant_capacity=s.area.instant_capacity,
            usable_area_m2=s.area.usable_area_m2,
            at=s.at,
            fresh_sources=s.fresh_sources,
            silent_sources=s.silent_sources,
        )
        for s in service.area_status(session, actor, city)
    ]


@router.get("/areas/{area_code}/history", summary="crowd.api.history")
def history(
    area_code: str,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("crowd.read")],
    since: Instant | None = None,
    until: Instant | None = None,
) -> list[AreaCountPublic]:
    until = until or utcnow()
    rows = service.history(
        session, actor, city, area_code, since=since or until - timedelta(hours=6), until=until
    )
    return [AreaCountPublic.model_validate(r) for r in rows]


@router.get("/forecast", summary="crowd.api.forecast")
def forecast(
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("crowd.read")],
    hours: Annotated[int, Query(ge=1, le=168, description="crowd.field.hours")] = 24,
) -> ForecastPublic:
    result = forecasting.forecast(session, actor, city, hours=hours)
    return ForecastPublic(
        model=result.model,
        issued_at=result.issued_at,
        history_days=result.history_days,
        hours=result.hours,
        areas=result.values,
        calendar=CalendarCoveragePublic.model_validate(result.calendar),
    )


@router.get("/alerts", summary="crowd.api.alerts")
def alerts(
    session: SessionDep,
    actor: Annotated[Actor, permit("crowd.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    area: Annotated[str | None, Query(description="crowd.field.area")] = None,
    since: Instant | None = None,
) -> Page[AlertPublic]:
    rows, total = service.alerts(
        session, actor, area_code=area, since=since, limit=limit, offset=offset
    )
    return Page[AlertPublic](
        items=[AlertPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
