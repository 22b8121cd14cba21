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
from pingan.i18n import msg
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

router = APIRouter(prefix="/units", tags=["units.tag"])


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


@router.post("", status_code=201, summary="units.api.create_unit")
def create_unit(
    body: UnitCreate, session: SessionDep, actor: Annotated[Actor, permit("unit.write")]
) -> UnitPublic:
    post = None
    if body.post_lon is not None or body.post_lat is not None:
        if body.post_lon is None or body.post_lat is None:
            raise ValidationFailed(msg("units.post_needs_both"))
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


@router.get("", summary="units.api.list_units")
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


@router.get("/mine", summary="units.api.mine")
def my_units(session: SessionDep, actor: Annotated[Actor, permit("unit.read")]) -> list[UnitPublic]:
    """The units the caller crews now (its bindings): the officer's phone shows only their jobs.
    Dispatchers and commanders act for any unit and are usually bound to none."""
    return [unit_public(u) for u in service.my_units(session, actor)]


@router.get("/{unit_id}", summary="units.api.get_unit")
def get_unit(
    unit_id: Id, session: SessionDep, actor: Annotated[Actor, permit("unit.read")]
) -> UnitPublic:
    return units_public(session, [service.get_unit(session, unit_id)])[0]


@router.put("/{unit_id}/position", summary="units.api.report_position")
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


@router.put("/{unit_id}/duty", summary="units.api.set_duty")
def set_duty(
    unit_id: Id,
    body: DutyChange,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.status")],
) -> UnitPublic:
    unit = service.set_duty(session, actor, unit_id, on_duty=body.on_duty)
    return units_public(session, [unit])[0]


@router.get("/{unit_id}/bindings", summary="units.api.list_bindings")
def list_bindings(
    unit_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.read")],
    current: Annotated[bool, Query(description="units.field.current")] = True,
) -> list[BindingPublic]:
    return [
        binding_public(b, n)
        for b, n in service.list_bindings(session, unit_id, current_only=current)
    ]


@router.post("/{unit_id}/bindings", status_code=201, summary="units.api.bind")
def bind(
    unit_id: Id,
    body: BindingCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.bind")],
) -> BindingPublic:
    if (body.shift is None) != (body.day is None):
        raise ValidationFailed(msg("units.shift_needs_day"), code="bad_binding_window")
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


@router.delete("/{unit_id}/bindings/{binding_id}", summary="units.api.unbind")
def unbind(
    unit_id: Id,
    binding_id: Id,
    session: SessionDep,
    actor: Annotated[Actor, permit("unit.bind")],
) -> BindingPublic:
    return binding_public(*service.end_binding(session, actor, unit_id, binding_id))
