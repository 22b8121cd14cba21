"""Sending the nearest available filed locksmith by road, through the dispatch recommender.

Only units of kind `locksmith` whose filing is active enter the pool; the recommender ranks
them by road travel time exactly as it ranks police units (same travel models, same stale-fix
rules). The kind attends no incident type, so incident dispatch never proposes a locksmith.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.dispatch.recommend import Pick, UnitPool, recommend
from pingan.dispatch.response_plans import Plan, Requirement
from pingan.dispatch.service import candidate
from pingan.geo.city import City
from pingan.trust.unlock.filing import ACTIVE, KIND
from pingan.trust.unlock.models import Locksmith
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus
from pingan.units.models import Unit

PLAN = Plan("unlock", None, (Requirement(kinds=(KIND,)),))


def nearest(
    session: Session,
    city: City,
    point: tuple[float, float],
    *,
    at: datetime,
    excluding: Collection[int] = (),
) -> tuple[Locksmith, Pick] | None:
    """The filed, active, available locksmith soonest at `point` by road, claimed for the job
    (of two requests racing for one locksmith, one wins and the other takes the next);
    `excluding`: filings that declined this job."""
    rows = session.execute(
        select(Unit, Locksmith)
        .join(Locksmith, Locksmith.unit_id == Unit.id)
        .where(
            Unit.kind == KIND,
            Unit.status == UnitStatus.AVAILABLE,
            Locksmith.status == ACTIVE,
            Locksmith.id.not_in(list(excluding)),
        )
    ).all()
    filing = {unit.id: smith for unit, smith in rows}
    pool = [candidate(unit, at) for unit, _ in rows]
    while pool:
        rec = recommend(point, PLAN, UnitPool(pool, city.travel), remit=False)
        if not rec.picks:
            return None
        pick = rec.picks[0]
        unit_id = int(pick.unit_id)
        if units.claim_for_dispatch(session, unit_id):
            return filing[unit_id], pick
        pool = [c for c in pool if c.unit_id != pick.unit_id]
    return None
