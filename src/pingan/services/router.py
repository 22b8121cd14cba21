"""HTTP adapter for the help services: lost and found, missing people, cars, breakdowns."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.geo.city import City
from pingan.geo.gazetteer import gazetteer_for
from pingan.http.deps import SessionDep, SettingsDep, VaultDep, audited_read, get_city, permit
from pingan.http.idempotency import IdempotencyKey, idempotent
from pingan.http.inputs import Id, Instant
from pingan.http.paging import Limit, Offset, Page, page_of
from pingan.services import breakdown, lost_found, missing, parking, stats
from pingan.services.schemas import (
    AlertPublic,
    BreakdownCreate,
    BreakdownDispatch,
    BreakdownPublic,
    CarFindRequest,
    CarFindResult,
    ClaimCreate,
    ClaimPublic,
    FoundPersonCreate,
    FoundPersonResult,
    IngestResult,
    ItemCreate,
    ItemCreated,
    ItemPublic,
    LifecyclePublic,
    ListingPublic,
    MatchPublic,
    MissingClose,
    MissingCreate,
    MissingPublic,
    MissingRefuse,
    OwnerCreate,
    OwnerPublic,
    PersonMatchPublic,
    ProfileCreate,
    ProfilePublic,
    ProfileReport,
    ReadsIngest,
    SightingCreate,
    SightingPublic,
    StatsPublic,
    TowCreate,
    TowPublic,
)

router = APIRouter(prefix="/services", tags=["services.tag"])


def _photos(settings: SettingsDep) -> Path:
    return settings.data_dir / "help_photos"


def _city_for(request: Request, area_code: str | None) -> City | None:
    """The city is loaded only when a key area has to be checked."""
    return get_city(request) if area_code else None


# -- lost and found ------------------------------------------------------------------------
def _register(
    kind: str,
    body: ItemCreate,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Actor,
) -> ItemCreated:
    spec = lost_found.ItemSpec(kind=kind, **body.model_dump())
    by_name = lost_found.needs_places(spec)  # a place named instead of a point
    city = get_city(request) if by_name else _city_for(request, body.area_code)
    places = gazetteer_for(city, settings.city_posts) if by_name and city else None
    row, matches = lost_found.register(session, actor, vault, city, _photos(settings), spec, places)
    return ItemCreated(
        item=ItemPublic.model_validate(row),
        matches=[MatchPublic(**asdict(m)) for m in matches],
    )


@router.post("/lost-found/lost", status_code=201, summary="services.api.report_lost")
def report_lost(
    body: ItemCreate,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("services.report")],
    idempotency_key: IdempotencyKey = None,
) -> ItemCreated:
    return idempotent(  # type: ignore[return-value]
        session,
        actor,
        "lost.create",
        idempotency_key,
        body,
        lambda: _register("lost", body, request, session, vault, settings, actor),
    )


@router.post("/lost-found/found", status_code=201, summary="services.api.register_found")
def register_found(
    body: ItemCreate,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("services.register_found")],
    idempotency_key: IdempotencyKey = None,
) -> ItemCreated:
    return idempotent(  # type: ignore[return-value]
        session,
        actor,
        "found.create",
        idempotency_key,
        body,
        lambda: _register("found", body, request, session, vault, settings, actor),
    )


@router.get("/lost-found/items", summary="services.api.list_items")
def list_items(
    session: SessionDep,
    actor: Annotated[Actor, permit("services.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    kind: str | None = None,
    status: str | None = None,
    category: str | None = None,
) -> Page[ItemPublic]:
    rows, total = lost_found.list_items(
        session, actor, kind=kind, status=status, category=category, limit=limit, offset=offset
    )
    return page_of(ItemPublic, rows, total, limit, offset)


@router.get("/lost-found/public", summary="services.api.public_listing")
def public_listing(
    session: SessionDep,
    actor: Annotated[Actor, permit("services.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    category: str | None = None,
) -> Page[ListingPublic]:
    rows, total = lost_found.public_listing(
        session, actor, category=category, limit=limit, offset=offset
    )
    return page_of(ListingPublic, rows, total, limit, offset)


@router.get("/lost-found/items/{item_id}", summary="services.api.get_item")
def get_item(
    item_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> ItemPublic:
    return ItemPublic.model_validate(lost_found.get_item(session, actor, item_id))


@router.get("/lost-found/items/{item_id}/details", summary="services.api.hidden_details")
@audited_read
def hidden_details(
    item_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.read_pii")],
) -> dict[str, str | None]:
    return {"hidden_details": lost_found.hidden_details(session, actor, vault, item_id)}


@router.get("/lost-found/items/{item_id}/matches", summary="services.api.item_matches")
def item_matches(
    item_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.read")],
    limit: Annotated[int, Query(ge=1, le=50, description="services.field.match_limit")] = 5,
) -> list[MatchPublic]:
    ranked = lost_found.matches(session, actor, item_id, limit=limit)
    return [MatchPublic(**asdict(m)) for m in ranked]


@router.post(
    "/lost-found/items/{item_id}/claims", status_code=201, summary="services.api.claim_item"
)
def claim_item(
    item_id: Id,
    body: ClaimCreate,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.report")],
) -> ClaimPublic:
    row = lost_found.claim(
        session,
        actor,
        vault,
        item_id,
        claimant_name=body.claimant_name,
        identifiers_given=body.identifiers,
        details=body.details,
        lost_item_id=body.lost_item_id,
    )
    return ClaimPublic.model_validate(row)


@router.post("/lost-found/claims/{claim_id}/holder-confirm", summary="services.api.holder_confirm")
def holder_confirm(
    claim_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.handover")]
) -> ClaimPublic:
    return ClaimPublic.model_validate(
        lost_found.confirm_handover(session, actor, claim_id, "holder")
    )


@router.post(
    "/lost-found/claims/{claim_id}/claimant-confirm", summary="services.api.claimant_confirm"
)
def claimant_confirm(
    claim_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.report")]
) -> ClaimPublic:
    row = lost_found.confirm_handover(session, actor, claim_id, "claimant")
    return ClaimPublic.model_validate(row)


@router.post("/lost-found/lifecycle", summary="services.api.run_lifecycle")
def run_lifecycle(
    session: SessionDep, actor: Annotated[Actor, permit("services.lifecycle")]
) -> LifecyclePublic:
    result = lost_found.run_lifecycle(session, actor)
    return LifecyclePublic(
        announced=result.announced, disposed=result.disposed, retokenised=result.retokenised
    )


# -- missing people --------------------------------------------------------------------------
@router.post("/missing", status_code=201, summary="services.api.report_missing")
def report_missing(
    body: MissingCreate,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("services.report")],
    idempotency_key: IdempotencyKey = None,
) -> MissingPublic:
    def create() -> MissingPublic:
        spec = missing.MissingSpec(**body.model_dump())
        city = _city_for(request, body.area_code)
        row = missing.report(session, actor, vault, city, _photos(settings), spec)
        return MissingPublic.model_validate(row)

    return idempotent(session, actor, "missing.create", idempotency_key, body, create)  # type: ignore[return-value]


@router.get("/missing", summary="services.api.list_missing")
def list_missing(
    session: SessionDep,
    actor: Annotated[Actor, permit("services.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    status: str | None = None,
) -> Page[MissingPublic]:
    rows, total = missing.list_reports(session, actor, status=status, limit=limit, offset=offset)
    return page_of(MissingPublic, rows, total, limit, offset)


@router.get("/missing/{report_id}", summary="services.api.get_missing")
def get_missing(
    report_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> MissingPublic:
    return MissingPublic.model_validate(missing.get_report(session, actor, report_id))


@router.get("/missing/{report_id}/guardian", summary="services.api.guardian_contact")
@audited_read
def guardian_contact(
    report_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.read_pii")],
) -> dict[str, str]:
    name, phone = missing.guardian_contact(session, actor, vault, report_id)
    return {"guardian_name": name, "guardian_phone": phone}


@router.get("/missing/{report_id}/alerts", summary="services.api.missing_alerts")
def missing_alerts(
    report_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> list[AlertPublic]:
    return [AlertPublic.model_validate(a) for a in missing.alerts(session, actor, report_id)]


@router.get("/missing/{report_id}/cap", summary="services.api.missing_cap")
def missing_cap(
    report_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> Response:
    xml = missing.cap_message(session, actor, report_id)
    return Response(content=xml, media_type="application/cap+xml")


@router.post("/missing/radius", summary="services.api.grow_radius")
def grow_radius(
    session: SessionDep, actor: Annotated[Actor, permit("services.missing_manage")]
) -> list[AlertPublic]:
    return [AlertPublic.model_validate(a) for a in missing.grow_radius(session, actor)]


@router.post("/missing/{report_id}/sightings", status_code=201, summary="services.api.add_sighting")
def add_sighting(
    report_id: Id,
    body: SightingCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.sighting")],
) -> SightingPublic:
    row = missing.add_sighting(session, actor, report_id, **body.model_dump())
    return SightingPublic.model_validate(row)


@router.get("/missing/{report_id}/sightings", summary="services.api.sightings_map")
def sightings_map(
    report_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> dict:
    rows = missing.sightings(session, actor, report_id)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": SightingPublic.model_validate(s).model_dump(mode="json"),
            }
            for s in rows
        ],
    }


@router.post("/missing/found-persons", status_code=201, summary="services.api.found_person")
def found_person(
    body: FoundPersonCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.found_person")],
) -> FoundPersonResult:
    person, ranked = missing.register_found_person(session, actor, **body.model_dump())
    return FoundPersonResult(
        found_person_id=person.id, matches=[PersonMatchPublic(**asdict(m)) for m in ranked]
    )


@router.get(
    "/missing/found-persons/{person_id}/matches",
    summary="services.api.found_person_matches",
)
def found_person_matches(
    person_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.found_person")],
) -> list[PersonMatchPublic]:
    return [
        PersonMatchPublic(**asdict(m)) for m in missing.person_matches(session, actor, person_id)
    ]


@router.post("/missing/{report_id}/refuse", summary="services.api.refuse_missing")
def refuse_missing(
    report_id: Id,
    body: MissingRefuse,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.missing_manage")],
) -> MissingPublic:
    row = missing.refuse_person(session, actor, report_id, **body.model_dump())
    return MissingPublic.model_validate(row)


@router.post("/missing/{report_id}/close", summary="services.api.close_missing")
def close_missing(
    report_id: Id,
    body: MissingClose,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.missing_manage")],
) -> MissingPublic:
    row = missing.close(session, actor, vault, report_id, **body.model_dump())
    return MissingPublic.model_validate(row)


@router.post("/missing/profiles", status_code=201, summary="services.api.create_profile")
def create_profile(
    body: ProfileCreate,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("services.report")],
) -> ProfilePublic:
    spec = missing.ProfileSpec(**body.model_dump())
    row = missing.create_profile(session, actor, vault, _photos(settings), spec)
    return ProfilePublic.model_validate(row)


@router.post(
    "/missing/profiles/{profile_id}/report",
    status_code=201,
    summary="services.api.report_from_profile",
)
def report_from_profile(
    profile_id: Id,
    body: ProfileReport,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("services.report")],
) -> MissingPublic:
    row = missing.report_from_profile(
        session, actor, vault, None, _photos(settings), profile_id, **body.model_dump()
    )
    return MissingPublic.model_validate(row)


# -- parked cars -----------------------------------------------------------------------------
@router.post("/parking/reads", status_code=201, summary="services.api.ingest_reads")
def ingest_reads(
    body: ReadsIngest,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.anpr_ingest")],
) -> IngestResult:
    reads = [parking.ReadSpec(**r.model_dump()) for r in body.reads]
    stored = parking.ingest(session, actor, reads)
    return IngestResult(stored=stored, duplicates=len(reads) - stored)


@router.post("/parking/owners", status_code=201, summary="services.api.register_owner")
def register_owner(
    body: OwnerCreate,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.vehicle_register")],
) -> OwnerPublic:
    row = parking.register_owner(session, actor, vault, **body.model_dump())
    return OwnerPublic.model_validate(row)


@router.post("/parking/find", summary="services.api.find_car")
def find_car(
    body: CarFindRequest,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.car_find")],
) -> CarFindResult:
    found = parking.find_car(session, actor, vault, get_city(request), **body.model_dump())
    r, route = found.read, found.route
    return CarFindResult(
        plate_read=r.plate,
        exact=found.exact,
        match=found.match,
        match_rule=found.rule,
        camera_id=r.camera_id,
        place=r.place,
        lon=r.lon,
        lat=r.lat,
        seen_at=r.at,
        walk_eta_s=route.eta_s if route else None,
        walk_length_m=route.length_m if route else None,
        walk_route=[list(c) for c in route.coords] if route else None,
    )


# -- breakdowns ------------------------------------------------------------------------------
@router.post("/tow-services", status_code=201, summary="services.api.register_tow")
def register_tow(
    body: TowCreate, session: SessionDep, actor: Annotated[Actor, permit("services.tow_write")]
) -> TowPublic:
    return TowPublic.model_validate(breakdown.register_tow(session, actor, **body.model_dump()))


@router.get("/tow-services", summary="services.api.list_tows")
def list_tows(
    session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> list[TowPublic]:
    return [TowPublic.model_validate(t) for t in breakdown.list_tows(session, actor)]


@router.post("/breakdowns", status_code=201, summary="services.api.request_breakdown")
def request_breakdown(
    body: BreakdownCreate,
    request: Request,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.report")],
    idempotency_key: IdempotencyKey = None,
) -> BreakdownPublic:
    def create() -> BreakdownPublic:
        city = _city_for(request, body.area_code)
        row = breakdown.request(session, actor, vault, city, **body.model_dump())
        return BreakdownPublic.model_validate(row)

    return idempotent(session, actor, "breakdown.create", idempotency_key, body, create)  # type: ignore[return-value]


@router.get("/breakdowns", summary="services.api.list_breakdowns")
def list_breakdowns(
    session: SessionDep,
    actor: Annotated[Actor, permit("services.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    status: str | None = None,
) -> Page[BreakdownPublic]:
    rows, total = breakdown.list_breakdowns(
        session, actor, status=status, limit=limit, offset=offset
    )
    return page_of(BreakdownPublic, rows, total, limit, offset)


@router.get("/breakdowns/{breakdown_id}", summary="services.api.get_breakdown")
def get_breakdown(
    breakdown_id: Id, session: SessionDep, actor: Annotated[Actor, permit("services.read")]
) -> BreakdownPublic:
    return BreakdownPublic.model_validate(breakdown.get(session, actor, breakdown_id))


@router.post("/breakdowns/{breakdown_id}/dispatch", summary="services.api.dispatch_breakdown")
def dispatch_breakdown(
    breakdown_id: Id,
    body: BreakdownDispatch,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("services.breakdown_dispatch")],
) -> BreakdownPublic:
    row = breakdown.dispatch(session, actor, vault, breakdown_id, **body.model_dump())
    return BreakdownPublic.model_validate(row)


@router.post("/breakdowns/{breakdown_id}/clear", summary="services.api.clear_breakdown")
def clear_breakdown(
    breakdown_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("services.breakdown_clear")],
) -> BreakdownPublic:
    return BreakdownPublic.model_validate(breakdown.clear(session, actor, breakdown_id))


# -- statistics ------------------------------------------------------------------------------
@router.get("/stats", summary="services.api.service_stats")
def service_stats(
    session: SessionDep,
    actor: Annotated[Actor, permit("services.stats")],
    since: Instant | None = None,
    until: Instant | None = None,
    area: Annotated[str | None, Query(max_length=40)] = None,
) -> StatsPublic:
    until = until or utcnow() + timedelta(seconds=1)
    since = since or until - timedelta(days=365)
    return StatsPublic(
        **asdict(stats.service_stats(session, actor, since=since, until=until, area=area))
    )
