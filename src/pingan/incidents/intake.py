"""HTTP adapter for the call-intake form (接警): what the call-taker sees before entering a
call — the units it would get and the open incidents it may repeat. Both read only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from pingan.auth.actor import Actor
from pingan.dispatch import service as dispatch
from pingan.dispatch.router import recommendation_public
from pingan.dispatch.schemas import RecommendationPublic
from pingan.http.deps import CityDep, PoolsDep, SessionDep, permit
from pingan.incidents.duplicates import find_duplicates
from pingan.incidents.schemas import IncidentPublic

router = APIRouter(prefix="/intake", tags=["incidents 警情"])

TypeQuery = Annotated[str, Query(max_length=40, description="警情类别代码 / type code")]


@router.get("/recommendation", summary="接警时推荐警力（预览）/ units for a call being entered")
def recommendation_preview(
    session: SessionDep,
    city: CityDep,
    pools: PoolsDep,
    actor: Annotated[Actor, permit("dispatch.recommend")],
    type: TypeQuery,
    lon: float,
    lat: float,
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> RecommendationPublic:
    """The run card's units for this type and priority at this point, soonest by road."""
    rec = dispatch.recommend_for_call(session, actor, city, pools, type, lon, lat, priority)
    return recommendation_public(rec)


@router.get("/duplicates", summary="疑似重复报警 / open incidents this call may repeat")
def duplicates(
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.merge")],
    type: TypeQuery,
    lon: float,
    lat: float,
) -> list[dict[str, Any]]:
    """Open incidents of the same type or family, near in place and time (duplicates.yaml)."""
    return [
        {
            "incident": IncidentPublic.model_validate(d.incident).model_dump(mode="json"),
            "distance_m": round(d.distance_m, 1),
            "same_type": d.same_type,
        }
        for d in find_duplicates(session, actor, type, lon, lat)
    ]
