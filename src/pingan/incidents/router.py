"""HTTP adapter for incidents: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.dispatch.service import predicted_etas
from pingan.http.deps import CityDep, SessionDep, VaultDep, audited_read, permit
from pingan.http.idempotency import IdempotencyKey, idempotent
from pingan.http.inputs import Id, Instant
from pingan.http.paging import Limit, Offset, Page
from pingan.incidents import service
from pingan.incidents.lifecycle import Action, State
from pingan.incidents.schemas import (
    ArrivalStep,
    CallAttach,
    CancelRequest,
    CloseRequest,
    DispatchRequest,
    IncidentCreate,
    IncidentDetail,
    IncidentPublic,
    MergeRequest,
    ReporterContact,
    ResolveRequest,
    UnitStep,
)
from pingan.pii.vault import Vault

router = APIRouter(prefix="/incidents", tags=["incidents 警情"])


def incident_detail(session: SessionDep, actor: Actor, incident_id: int) -> IncidentDetail:
    incident = service.get_incident(session, actor, incident_id)
    return IncidentDetail.model_validate(
        {
            **IncidentPublic.model_validate(incident).model_dump(),
            "timeline": service.timeline(session, actor, incident_id),
            "assignments": service.assignments(session, actor, incident_id),
        }
    )


@router.post("", status_code=201, summary="接警登记 / report an incident")
def create_incident(
    body: IncidentCreate,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("incident.create")],
    idempotency_key: IdempotencyKey = None,
) -> IncidentDetail:
    return idempotent(  # type: ignore[return-value]
        session,
        actor,
        "incident.create",
        idempotency_key,
        body,
        lambda: _create(session, actor, vault, body),
    )


def _create(session: Session, actor: Actor, vault: Vault, body: IncidentCreate) -> IncidentDetail:
    incident = service.create_incident(
        session,
        actor,
        vault,
        service.NewIncident(
            type_code=body.type,
            summary=body.summary,
            lon=body.lon,
            lat=body.lat,
            crs=body.crs,
            source=body.source,
            address=body.address,
            area_code=body.area_code,
            priority=body.priority,
            reporter_name=body.reporter_name,
            reporter_phone=body.reporter_phone,
            reporter_id_number=body.reporter_id_number,
            received_at=body.received_at,
        ),
    )
    return incident_detail(session, actor, incident.id)


@router.get("", summary="警情列表 / list incidents")
def list_incidents(
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    state: Annotated[list[State] | None, Query(description="状态 / states")] = None,
    type: Annotated[str | None, Query(description="类别 / type code")] = None,
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
    area: Annotated[str | None, Query(description="重点区域 / key area code")] = None,
    since: Annotated[Instant | None, Query(description="接警时间起 (ISO 8601)")] = None,
    until: Annotated[Instant | None, Query(description="接警时间止 (ISO 8601)")] = None,
    case_number: str | None = None,
) -> Page[IncidentPublic]:
    rows, total = service.list_incidents(
        session,
        actor,
        service.IncidentFilter(
            states=[s.value for s in state] if state else None,
            type_code=type,
            priority=priority,
            area_code=area,
            since=since,
            until=until,
            case_number=case_number,
        ),
        limit=limit,
        offset=offset,
    )
    return Page[IncidentPublic](
        items=[IncidentPublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/mine", summary="本人警力的任务 / open jobs of the units bound to me")
def my_incidents(
    session: SessionDep, actor: Annotated[Actor, permit("incident.read")]
) -> list[IncidentDetail]:
    """Each open incident a unit bound to the caller is assigned to, with its assignments."""
    return [incident_detail(session, actor, i.id) for i in service.assigned_to_me(session, actor)]


@router.get("/{incident_id}", summary="警情详情与时间线 / incident with its timeline")
def get_incident(
    incident_id: Id, session: SessionDep, actor: Annotated[Actor, permit("incident.read")]
) -> IncidentDetail:
    return incident_detail(session, actor, incident_id)


@router.get("/{incident_id}/reporter", summary="报警人联系方式（审计）/ reporter contact")
@audited_read
def reporter_contact(
    incident_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("incident.read_pii")],
) -> ReporterContact:
    return ReporterContact(**service.reporter_contact(session, actor, vault, incident_id))


@router.post("/{incident_id}/dispatch", summary="派警 / dispatch units")
def dispatch(
    incident_id: Id,
    body: DispatchRequest,
    session: SessionDep,
    city: CityDep,
    actor: Annotated[Actor, permit("incident.dispatch")],
) -> IncidentDetail:
    incident = service.get_incident(session, actor, incident_id)
    etas = predicted_etas(session, actor, city, body.unit_ids, incident.lon, incident.lat)
    service.dispatch_units(
        session, actor, incident_id, body.unit_ids, note=body.note, at=body.at, etas=etas
    )
    return incident_detail(session, actor, incident_id)


def _step(action: Action, summary: str):  # type: ignore[no-untyped-def]
    @router.post(
        f"/{{incident_id}}/units/{{unit_id}}/{action.value.replace('_', '-')}",
        summary=summary,
        name=f"unit_{action.value}",
    )
    def endpoint(
        incident_id: Id,
        unit_id: Id,
        body: UnitStep,
        session: SessionDep,
        actor: Annotated[Actor, permit("incident.progress")],
    ) -> IncidentDetail:
        service.progress_unit(
            session, actor, incident_id, unit_id, action, at=body.at, note=body.note
        )
        return incident_detail(session, actor, incident_id)

    return endpoint


_step(Action.ACKNOWLEDGE, "签收 / unit acknowledges")
_step(Action.EN_ROUTE, "出警 / unit sets off")


@router.post(
    "/{incident_id}/units/{unit_id}/on-scene",
    summary="到场 / unit arrives (confirmed by its last fix, or a dispatcher's override)",
    name="unit_on_scene",
)
def on_scene(
    incident_id: Id,
    unit_id: Id,
    body: ArrivalStep,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.progress")],
) -> IncidentDetail:
    service.progress_unit(
        session,
        actor,
        incident_id,
        unit_id,
        Action.ON_SCENE,
        at=body.at,
        note=body.note,
        override_reason=body.override_reason,
    )
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/units/{unit_id}/release", summary="收队 / release a unit")
def release(
    incident_id: Id,
    unit_id: Id,
    body: UnitStep,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.progress")],
) -> IncidentDetail:
    service.release_unit(session, actor, incident_id, unit_id, note=body.note)
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/resolve", summary="处警反馈 / report the outcome")
def resolve(
    incident_id: Id,
    body: ResolveRequest,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.resolve")],
) -> IncidentDetail:
    service.resolve(session, actor, incident_id, outcome=body.outcome, at=body.at)
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/close", summary="结案 / close")
def close(
    incident_id: Id,
    body: CloseRequest,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.close")],
) -> IncidentDetail:
    service.close(session, actor, incident_id, note=body.note)
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/cancel", summary="撤销 / cancel")
def cancel(
    incident_id: Id,
    body: CancelRequest,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.cancel")],
) -> IncidentDetail:
    service.cancel(session, actor, incident_id, reason=body.reason)
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/merge", summary="合并重复警情 / merge a duplicate")
def merge(
    incident_id: Id,
    body: MergeRequest,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.merge")],
) -> IncidentDetail:
    service.merge(session, actor, incident_id, into_id=body.into_id, note=body.note)
    return incident_detail(session, actor, incident_id)


@router.post("/{incident_id}/calls", summary="重复报警并入警情 / attach a further call")
def attach_call(
    incident_id: Id,
    body: CallAttach,
    session: SessionDep,
    actor: Annotated[Actor, permit("incident.merge")],
) -> IncidentDetail:
    service.attach_call(
        session,
        actor,
        incident_id,
        summary=body.summary,
        reporter_phone=body.reporter_phone,
        received_at=body.received_at,
    )
    return incident_detail(session, actor, incident_id)
