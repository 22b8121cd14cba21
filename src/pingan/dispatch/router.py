"""HTTP adapter for dispatch: recommendation, re-assignment, routes, coverage, reports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from pingan.auth.actor import Actor
from pingan.dispatch import cover, service
from pingan.dispatch.moveup import tier_label
from pingan.dispatch.recommend import Recommendation
from pingan.dispatch.schemas import (
    AreaCoveragePublic,
    EtaAccuracyPublic,
    KpiRowPublic,
    MoveupAccept,
    MoveupPublic,
    MoveupRelease,
    MoveupsPublic,
    ReassignmentPublic,
    ReassignRequest,
    RecommendationPublic,
    RequirementPublic,
    ResponseReport,
    RoutePublic,
    TierDefPublic,
    TierReport,
    TierRowPublic,
)
from pingan.dispatch.tier_report import tier_report
from pingan.dispatch.tiers import CLOCKS, TIER_GROUPINGS, tiered_targets
from pingan.http.deps import CityDep, PoolsDep, SessionDep, permit
from pingan.http.inputs import Id, Instant
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import response_tiers
from pingan.incidents.router import IncidentDetail, incident_detail
from pingan.units.router import unit_public
from pingan.units.schemas import UnitPublic

router = APIRouter(tags=["dispatch 调度"])


@router.get("/incidents/{incident_id}/recommendation", summary="推荐警力 / recommend units")
def recommendation(
    incident_id: Id,
    session: SessionDep,
    city: CityDep,
    pools: PoolsDep,
    actor: Annotated[Actor, permit("dispatch.recommend")],
) -> RecommendationPublic:
    result = service.recommend_for_incident(session, actor, city, pools, incident_id)
    return recommendation_public(result.recommendation, result.incident_id, result.case_number)


def recommendation_public(
    rec: Recommendation, incident_id: int | None = None, case_number: str | None = None
) -> RecommendationPublic:
    """The API shape of a recommendation, for an incident or a call being entered."""
    return RecommendationPublic(
        incident_id=incident_id,
        case_number=case_number,
        plan_type=rec.plan.incident_type,
        plan_priority=rec.plan.priority,
        requirements=[
            RequirementPublic(
                **{**asdict(r), "kinds": list(r.kinds), "capabilities": list(r.capabilities)}
            )
            for r in rec.plan.requirements
        ],
        complete=rec.complete,
        picks=[{**asdict(p), "unit_id": int(p.unit_id)} for p in rec.picks],
        unmet=[asdict(u) for u in rec.unmet],
        refused=[{**asdict(r), "unit_id": int(r.unit_id)} for r in rec.refused],
        unit_ids=[int(p.unit_id) for p in rec.picks],
    )


@router.post("/incidents/{incident_id}/reassign", summary="改派 / re-assign a unit")
def reassign(
    incident_id: Id,
    body: ReassignRequest,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.dispatch")],
) -> IncidentDetail:
    incidents.reassign(
        session,
        actor,
        incident_id,
        from_unit_id=body.from_unit_id,
        to_unit_id=body.to_unit_id,
        note=body.note,
    )
    return incident_detail(session, actor, incident_id)


@router.get("/units/{unit_id}/reassignments", summary="改派建议 / where this free unit is sooner")
def reassignments(
    unit_id: Id,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("dispatch.recommend")],
) -> list[ReassignmentPublic]:
    return [
        ReassignmentPublic(
            incident_id=inc.id,
            case_number=inc.case_number,
            freed_unit_id=unit_id,
            replaces_unit_id=int(s.replaces_unit_id),
            freed_eta_s=s.freed_eta_s,
            current_eta_s=s.current_eta_s,
            text_zh=s.text_zh,
            text_en=s.text_en,
        )
        for inc, s in service.reassignment_suggestions(session, actor, city, unit_id)
    ]


@router.get("/units/{unit_id}/route", summary="到达路线与时间 / route and ETA to a point")
def unit_route(
    unit_id: Id,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("dispatch.read")],
    lon: Annotated[float, Query(description="目的地经度 / destination longitude")],
    lat: Annotated[float, Query(description="目的地纬度 / destination latitude")],
) -> RoutePublic:
    result = service.unit_route(session, actor, city, unit_id, lon, lat)
    route = result.route
    return RoutePublic(
        unit_id=result.unit.id,
        mode=result.mode,
        eta_s=result.eta_s,
        length_m=route.length_m if route else None,
        geometry={"type": "LineString", "coordinates": [list(c) for c in route.coords]}
        if route
        else None,
    )


@router.get("/dispatch/coverage", summary="重点区域1-3-5分钟覆盖 / key-area coverage now")
def coverage(
    session: SessionDep, city: CityDep, actor: Annotated[Actor, permit("dispatch.read")]
) -> list[AreaCoveragePublic]:
    tiers, _ = response_tiers()
    code_of = {float(t.seconds): t.code for t in tiers}  # type: ignore[arg-type]
    return [
        AreaCoveragePublic(
            area_code=code,
            name_zh=city.key_areas[code].name_zh,
            name_en=city.key_areas[code].name_en,
            share={code_of[t]: round(v, 4) for t, v in cov.share.items()},
            sample_points=int(cov.points.shape[0]),
        )
        for code, cov in service.coverage(session, actor, city)
    ]


def _tiers(shares: dict[float, float]) -> dict[str, float]:
    return {tier_label(t): round(v, 4) for t, v in shares.items()}


@router.get("/dispatch/moveups", summary="动中备勤补位建议 / cover moves (move-ups)")
def moveups(
    session: SessionDep, city: CityDep, actor: Annotated[Actor, permit("dispatch.recommend")]
) -> MoveupsPublic:
    advice = cover.moveups(session, actor, city)
    return MoveupsPublic(
        uncovered={a: [tier_label(t) for t in ts] for a, ts in advice.uncovered.items()},
        planned={a: _tiers(s) for a, s in advice.planned.items()},
        now={a: _tiers(s) for a, s in advice.now.items()},
        after={a: _tiers(s) for a, s in advice.after.items()},
        restored=round(advice.restored(), 4),
        proposals=[
            MoveupPublic(
                unit_id=int(p.unit_id),
                call_sign=p.call_sign,
                kind=p.kind,
                lon=p.to.lon,
                lat=p.to.lat,
                area_code=p.area_code,
                post_of=p.to.post_of,
                travel_s=round(p.travel_s, 1),
                before=_tiers(p.before),
                after=_tiers(p.after),
                own_area=p.own_area,
                own_before=_tiers(p.own_before),
                own_after=_tiers(p.own_after),
                text_zh=p.text_zh,
                text_en=p.text_en,
            )
            for p in advice.proposals
        ],
    )


@router.post("/dispatch/moveups/accept", summary="采纳补位 / send a unit to a cover point")
def accept_moveup(
    body: MoveupAccept,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("dispatch.moveup")],
) -> UnitPublic:
    unit = cover.accept(session, actor, city, body.unit_id, lon=body.lon, lat=body.lat,
                        area_code=body.area_code, note=body.note)  # fmt: skip
    return unit_public(unit)


@router.post("/dispatch/moveups/release", summary="解除补位 / end a unit's cover standby")
def release_moveup(
    body: MoveupRelease, session: SessionDep, actor: Annotated[Actor, permit("dispatch.moveup")]
) -> UnitPublic:
    return unit_public(cover.release(session, actor, body.unit_id, reason=body.reason))


@router.get("/reports/response", summary="1-3-5分钟到场统计 / response report")
def response_report(
    session: SessionDep,
    actor: Annotated[Actor, permit("report.read")],
    by: Annotated[str, Query(description="all / area / type / priority / shift / day")] = "all",
    since: Instant | None = None,
    until: Instant | None = None,
) -> ResponseReport:
    rows = service.response_report(session, actor, since=since, until=until, by=by)
    tiers, _ = response_tiers()
    return ResponseReport(
        by=by,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        tiers={t.code: float(t.seconds) for t in tiers},  # type: ignore[arg-type]
        rows=[KpiRowPublic(**asdict(r)) for r in rows],
        eta=EtaAccuracyPublic(
            **asdict(service.eta_report(session, actor, since=since, until=until))
        ),
    )


@router.get("/reports/response/tiers", summary="分级1-3-5分钟到场 / tiered response report")
def response_tiers_report(
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("report.read")],
    by: Annotated[
        str, Query(description=" / ".join(TIER_GROUPINGS) + " (分组 / grouping)")
    ] = "tier",
    since: Instant | None = None,
    until: Instant | None = None,
) -> TierReport:
    rows = tier_report(session, actor, city.key_areas, since=since, until=until, by=by)
    targets = tiered_targets()
    return TierReport(
        by=by,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        tiers=[TierDefPublic(**asdict(t)) for t in targets.tiers],
        targets={
            area: {p: dict(line) for p, line in lines.items()}
            for area, lines in targets.targets.items()
        },
        area_types={
            a: {"name_zh": zh, "name_en": en} for a, (zh, en) in targets.area_types.items()
        },
        clocks={c: {"name_zh": zh, "name_en": en} for c, (zh, en) in CLOCKS.items()},
        rows=[TierRowPublic(**asdict(r)) for r in rows],
    )
