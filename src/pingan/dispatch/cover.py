"""Use cases for cover moves (动中备勤): propose move-ups from the units on duty now, send a
unit to a cover point, release it — the store side of pingan.dispatch.moveup."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.db.tx import finish
from pingan.dispatch.moveup import MoveupAdvice, MoveupSettings, recommend_moveups
from pingan.dispatch.service import candidate
from pingan.errors import ValidationFailed
from pingan.geo.city import City
from pingan.i18n import msg
from pingan.incidents.catalogue import response_tiers
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus, outside_incident_fleet
from pingan.units.models import Unit


def moveups(
    session: Session,
    actor: Actor,
    city: City,
    *,
    at: datetime | None = None,
    settings: MoveupSettings | None = None,
) -> MoveupAdvice:
    """The key areas' cover now, what the plan would give, and the moves that restore most.
    `at`: the moment fixes are judged at (a replay's clock; default now)."""
    require(actor, "dispatch.recommend")
    now = at or utcnow()
    on_duty = session.scalars(
        select(Unit).where(
            Unit.status != UnitStatus.OFF_DUTY, Unit.kind.not_in(outside_incident_fleet())
        )
    ).all()
    tiers, _ = response_tiers()
    return recommend_moveups(
        {code: area.polygon for code, area in city.key_areas.items()},
        [candidate(u, now) for u in on_duty],
        city.travel,
        unit_areas={str(u.id): u.area_code for u in on_duty},
        standby={str(u.id): (u.cover_lon, u.cover_lat) for u in on_duty if u.cover_lon is not None},
        settings=settings,
        tiers_s=tuple(float(t.seconds) for t in tiers),  # type: ignore[arg-type]
        area_names={code: (a.name_zh, a.name_en) for code, a in city.key_areas.items()},
    )


def accept(session: Session, actor: Actor, city: City, unit_id: int, *, lon: float,
           lat: float, area_code: str, note: str | None = None) -> Unit:  # fmt: skip
    """Send a free unit to stand by at a cover point for a key area (audited)."""
    require(actor, "dispatch.moveup")
    if area_code not in city.key_areas:
        raise ValidationFailed(
            msg("dispatch.bad_area", area_code=area_code, choices=list(city.key_areas)),
            code="bad_area",
        )
    return units.set_cover(session, actor, units.get_unit(session, unit_id), lon, lat,
                           area_code, note)  # fmt: skip


def release(session: Session, actor: Actor, unit_id: int, *, reason: str | None = None) -> Unit:
    """End a unit's cover standby by the dispatcher's decision (audited); the unit goes home."""
    require(actor, "dispatch.moveup")
    unit = units.get_unit(session, unit_id)
    units.clear_cover(session, actor, unit, reason or msg("dispatch.released_by_dispatcher"))
    finish(session)
    return unit
