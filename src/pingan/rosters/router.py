"""HTTP adapter for shift rosters (排班表)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from pingan.auth.actor import Actor
from pingan.http.deps import SessionDep, permit
from pingan.rosters import service
from pingan.rosters.models import RosterEntry
from pingan.rosters.schemas import EntryPublic, KindTotal, RosterIn, RosterPublic
from pingan.units.catalogue import unit_kinds

router = APIRouter(prefix="/rosters", tags=["rosters.tag"])


def _lines(body: RosterIn) -> list[service.Line]:
    return [service.Line(**e.model_dump()) for e in body.entries]


def _public(day: date, shift_code: str | None, rows: list[RosterEntry]) -> RosterPublic:
    totals = service.totals(rows)
    kinds = unit_kinds()
    return RosterPublic(
        day=day,
        shift_code=shift_code,
        entries=[EntryPublic.model_validate(r) for r in rows],
        totals=[
            KindTotal(
                shift_code=s,
                kind=k,
                police=bool(kinds.get(k) and kinds[k].police),
                units=n,
                people=totals.people[(s, k)],
            )
            for (s, k), n in sorted(totals.units.items())
        ],
        officer_shifts=totals.officer_shifts,
        partner_people=totals.partner_people,
    )


@router.get("", summary="rosters.api.get_roster")
def get_roster(
    session: SessionDep,
    actor: Annotated[Actor, permit("roster.read")],
    day: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
    shift: str | None = None,
) -> RosterPublic:
    return _public(day, shift, service.list_roster(session, actor, day, shift))


@router.put("/{day}/{shift}", summary="rosters.api.replace_roster")
def replace_roster(
    day: date,
    shift: str,
    body: RosterIn,
    session: SessionDep,
    actor: Annotated[Actor, permit("roster.write")],
) -> RosterPublic:
    service.replace_shifts(session, actor, day, {shift: _lines(body)})
    return _public(day, shift, service.list_roster(session, actor, day, shift))


@router.post("/{day}/{shift}/entries", status_code=201, summary="rosters.api.add_entries")
def add_entries(
    day: date,
    shift: str,
    body: RosterIn,
    session: SessionDep,
    actor: Annotated[Actor, permit("roster.write")],
) -> list[EntryPublic]:
    rows = service.add_lines(session, actor, day, shift, _lines(body))
    return [EntryPublic.model_validate(r) for r in rows]
