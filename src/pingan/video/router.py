"""HTTP adapter for video patrol: cameras, observations, the rota, premises checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.http.deps import CityDep, SessionDep, VaultDep, permit
from pingan.http.inputs import Id, Instant
from pingan.http.paging import Limit, Offset, Page, page_of
from pingan.video import patrol, premises, service
from pingan.video.models import Premises
from pingan.video.schemas import (
    CameraCreate,
    CameraPublic,
    CameraUpdate,
    CheckCreate,
    CheckPublic,
    ObservationPublic,
    OverduePublic,
    PatrolResult,
    PatrolRun,
    PremisesCreate,
    PremisesPublic,
    RotaCameraPublic,
    RotaPublic,
)

router = APIRouter(prefix="/video", tags=["video.tag"])


@router.post("/cameras", status_code=201, summary="video.api.create_camera")
def create_camera(
    body: CameraCreate,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("video.write")],
) -> CameraPublic:
    values = body.model_dump(exclude_none=True)
    spec = service.CameraSpec(**values)
    return CameraPublic.model_validate(service.create_camera(session, actor, city, spec))


@router.get("/cameras", summary="video.api.list_cameras")
def list_cameras(
    session: SessionDep,
    actor: Annotated[Actor, permit("video.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    area: str | None = None,
    status: str | None = None,
) -> Page[CameraPublic]:
    rows, total = service.list_cameras(
        session, actor, area_code=area, status=status, limit=limit, offset=offset
    )
    return page_of(CameraPublic, rows, total, limit, offset)


@router.get("/cameras/{camera_id}", summary="video.api.get_camera")
def get_camera(
    camera_id: Id, session: SessionDep, actor: Annotated[Actor, permit("video.read")]
) -> CameraPublic:
    return CameraPublic.model_validate(service.get_camera(session, actor, camera_id))


@router.patch("/cameras/{camera_id}", summary="video.api.update_camera")
def update_camera(
    camera_id: Id,
    body: CameraUpdate,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("video.write")],
) -> CameraPublic:
    changes = body.model_dump(exclude_unset=True)
    if "lon" not in changes:
        changes.pop("crs", None)
    camera = service.update_camera(session, actor, city, camera_id, changes)
    return CameraPublic.model_validate(camera)


@router.delete("/cameras/{camera_id}", summary="video.api.retire_camera")
def retire_camera(
    camera_id: Id, session: SessionDep, actor: Annotated[Actor, permit("video.write")]
) -> CameraPublic:
    return CameraPublic.model_validate(service.retire_camera(session, actor, camera_id))


@router.get("/observations", summary="video.api.list_observations")
def list_observations(
    session: SessionDep,
    actor: Annotated[Actor, permit("video.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    camera_id: Id | None = None,
    area: str | None = None,
    since: Instant | None = None,
    suspect: bool | None = None,
) -> Page[ObservationPublic]:
    rows, total = service.observations(
        session,
        actor,
        camera_id=camera_id,
        area_code=area,
        since=since,
        suspect=suspect,
        limit=limit,
        offset=offset,
    )
    return page_of(ObservationPublic, rows, total, limit, offset)


@router.get("/rota", summary="video.api.rota_preview")
def rota_preview(
    session: SessionDep,
    actor: Annotated[Actor, permit("video.read")],
    minutes: Annotated[int, Query(ge=1, le=1440, description="video.field.minutes")] = 120,
) -> RotaPublic:
    start = utcnow().replace(second=0, microsecond=0)
    rows, load = patrol.preview(session, actor, start=start, minutes=minutes)
    rules = patrol.settings.rota_rules()
    return RotaPublic(
        start=start,
        minutes=minutes,
        capacity_per_min=rules.capacity_per_min,
        load_now_per_min=round(load, 3),
        cameras=[
            RotaCameraPublic(
                camera_id=cam.id,
                code=cam.code,
                area_code=cam.area_code,
                weight=rc.weight,
                interval_now_min=round(patrol.rota.interval_min(rc, start, rules), 2),
                visits=cov.visits,
                worst_gap_min=cov.worst_gap_min,
                late_visits=cov.late_visits,
            )
            for cam, rc, cov in rows
        ],
    )


@router.post("/patrol/run", summary="video.api.run_patrol")
def run_patrol(
    body: PatrolRun,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("video.patrol")],
) -> PatrolResult:
    step = patrol.run_step(session, actor, vault, camera_ids=body.camera_ids)
    return PatrolResult(
        at=step.at,
        checked=[ObservationPublic.model_validate(o) for o in step.observations],
        incidents=step.incidents,
    )


def _premises_public(session: SessionDep, rows: list[Premises]) -> list[PremisesPublic]:
    cams = premises.camera_ids_of(session, [p.id for p in rows])
    out = []
    for p in rows:
        item = PremisesPublic.model_validate(p)
        item.camera_ids = cams[p.id]
        out.append(item)
    return out


@router.post("/premises", status_code=201, summary="video.api.create_premises")
def create_premises(
    body: PremisesCreate, session: SessionDep, actor: Annotated[Actor, permit("video.write")]
) -> PremisesPublic:
    p = premises.create_premises(session, actor, **body.model_dump())
    return _premises_public(session, [p])[0]


@router.get("/premises", summary="video.api.list_premises")
def list_premises(
    session: SessionDep,
    actor: Annotated[Actor, permit("video.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    kind: str | None = None,
) -> Page[PremisesPublic]:
    rows, total = premises.list_premises(session, actor, kind=kind, limit=limit, offset=offset)
    items = _premises_public(session, rows)
    return Page[PremisesPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/premises/overdue", summary="video.api.overdue_premises")
def overdue_premises(
    session: SessionDep, actor: Annotated[Actor, permit("video.read")]
) -> list[OverduePublic]:
    rows = premises.overdue(session, actor)
    public = _premises_public(session, [p for p, _ in rows])
    return [
        OverduePublic(**item.model_dump(), overdue_days=days)
        for item, (_, days) in zip(public, rows, strict=True)
    ]


@router.post("/premises/{premises_id}/checks", status_code=201, summary="video.api.record_check")
def record_check(
    premises_id: Id,
    body: CheckCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("video.check")],
) -> CheckPublic:
    check = premises.record_check(session, actor, premises_id, **body.model_dump())
    return CheckPublic.model_validate(check)


@router.get("/premises/{premises_id}/checks", summary="video.api.list_checks")
def list_checks(
    premises_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("video.read")],
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CheckPublic]:
    rows, total = premises.checks(session, actor, premises_id, limit=limit, offset=offset)
    return page_of(CheckPublic, rows, total, limit, offset)
