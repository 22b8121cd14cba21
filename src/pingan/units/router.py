"""HTTP adapter for units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.errors import ValidationFailed
from pingan.http.deps import SessionDep, permit
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset, Page
from pingan.units import service
from pingan.units.catalogue import UnitStatus
from pingan.units.models import Unit
from pingan.units.schemas import (
    BindingCreate,
    BindingPublic,
    DutyChange,
    PositionReport,
    UnitCreate,
    UnitPublic,
    binding_public,
)

router = APIRouter(prefix="/units", tags=["units 警力"])


def unit_public(unit: Unit, on: service.OpenAssignment | None = None) -> UnitPublic:
    out = UnitPublic.model_validate(unit)
    if unit.position_at is not None:
        out.position_age_s = round((utcnow() - unit.position_at).total_seconds(), 1)
    if on is not None:
        out.incident_id, out.case_number, out.assignment_state = (
            on.incident_id,
            on.case_number,
            on.state,
        )
    return out


def units_public(session: Session, units: Sequence[Unit]) -> list[UnitPublic]:
    """Units with the incident each is on now (one query for the lot)."""
    on = service.open_assignments(session, [u.id for u in units])
    return [unit_public(u, on.get(u.id)) for u in units]


@router.post("", status_code=201, summary="登记警力 / register a unit")
def create_unit(
    body: UnitCreate, session: SessionDep, actor: Annotated[Actor, permit("unit.write")]
) -> UnitPublic:
    post = None
    if body.post_lon is not None or body.post_lat is not None:
        if body.post_lon is None or body.post_lat is None:
            raise ValidationFailed("岗点需同时给出经纬度 / give both post_lon and post_lat")
        post = (body.post_lon, body.post_lat)
    unit = service.create_unit(
        session,
        actor,
        call_sign=body.call_sign,
        kind=body.kind,
        name=body.name,
        capabilities=body.capabilities,
        crew_size=body.crew_size,
        area_code=body.area_code,
        post=post,
        crs=body.crs,
        on_duty=body.on_duty,
    )
    return unit_public(unit)


@router.get("", summary="警力列表 / list units")
def list_units(
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    kind: str | None = None,
    status: Annotated[list[UnitStatus] | None, Query()] = None,
    area: str | None = None,
) -> Page[UnitPublic]:
    rows, total = service.list_units(
        session,
        kind=kind,
        status=[s.value for s in status] if status else None,
        area_code=area,
        limit=limit,
        offset=offset,
    )
    return Page[UnitPublic](
        items=units_public(session, rows), total=total, limit=limit, offset=offset
    )


@router.get("/mine", summary="本人绑定的警力 / the units bound to me now")
def my_units(session: SessionDep, actor: Annotated[Actor, permit("unit.read")]) -> list[UnitPublic]:
    """The units the caller crews now (its bindings): the officer's phone shows only their jobs.
    Dispatchers and commanders act for any unit and are usually bound to none."""
    return [unit_public(u) for u in service.my_units(session, actor)]


@router.get("/{unit_id}", summary="警力详情 / one unit")
def get_unit(
    unit_id: Id, session: SessionDep, actor: Annotated[Actor, permit("unit.read")]
) -> UnitPublic:
    return units_public(session, [service.get_unit(session, unit_id)])[0]


@router.put("/{unit_id}/position", summary="上报位置 / report position")
def report_position(
    unit_id: Id,
    body: PositionReport,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.position")],
) -> UnitPublic:
    unit = service.report_position(
        session, actor, unit_id, lon=body.lon, lat=body.lat, at=body.at, crs=body.crs
    )
    return units_public(session, [unit])[0]


@router.put("/{unit_id}/duty", summary="上下班 / go on or off duty")
def set_duty(
    unit_id: Id,
    body: DutyChange,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.status")],
) -> UnitPublic:
    unit = service.set_duty(session, actor, unit_id, on_duty=body.on_duty)
    return units_public(session, [unit])[0]


@router.get("/{unit_id}/bindings", summary="绑定的账号 / accounts bound to the unit")
def list_bindings(
    unit_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.read")],
    current: Annotated[bool, Query(description="只看未结束的 / only those not ended")] = True,
) -> list[BindingPublic]:
    return [
        binding_public(b, n)
        for b, n in service.list_bindings(session, unit_id, current_only=current)
    ]


@router.post("/{unit_id}/bindings", status_code=201, summary="绑定账号 / bind an account")
def bind(
    unit_id: Id,
    body: BindingCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.bind")],
) -> BindingPublic:
    if (body.shift is None) != (body.day is None):
        raise ValidationFailed(
            "班次需同时给出 shift 与 day / give both shift and day", code="bad_binding_window"
        )
    return binding_public(
        *service.bind_user(
            session,
            actor,
            unit_id,
            user_id=body.user_id,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            shift=(body.day, body.shift) if body.shift and body.day else None,
            note=body.note,
        )
    )


@router.delete("/{unit_id}/bindings/{binding_id}", summary="解除绑定 / end a binding")
def unbind(
    unit_id: Id,
    binding_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.bind")],
) -> BindingPublic:
    return binding_public(*service.end_binding(session, actor, unit_id, binding_id))
