"""Statistics the way the Kangbashi article counts them: found cars, returned lost items,
found missing people, breakdowns helped — plus return rate and time to return."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.services.models import Breakdown, CarFind, HelpItem, MissingReport


@dataclass(frozen=True, slots=True)
class ServiceStats:
    since: datetime
    until: datetime
    area_code: str | None
    cars_found: int
    lost_reports: int
    found_items: int
    items_returned: int
    return_rate: float | None
    time_to_return_h_median: float | None
    missing_reported: int
    missing_found: int
    breakdowns_requested: int
    breakdowns_helped: int


def _count(session: Session, query: Select) -> int:
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def service_stats(
    session: Session, actor: Actor, *, since: datetime, until: datetime, area: str | None = None
) -> ServiceStats:
    """Counts of records whose deciding moment falls in [since, until)."""
    require(actor, "services.stats")

    def within(query: Select, column, area_column) -> Select:
        query = query.where(column >= since, column < until)
        return query.where(area_column == area) if area else query

    found = within(
        select(HelpItem.id).where(HelpItem.kind == "found"), HelpItem.created_at, HelpItem.area_code
    )
    returned = within(
        select(HelpItem.created_at, HelpItem.returned_at).where(
            HelpItem.kind == "found", HelpItem.status == "returned"
        ),
        HelpItem.returned_at,
        HelpItem.area_code,
    )
    returned_rows = session.execute(returned).all()
    found_n = _count(session, found)
    found_returned = _count(session, found.where(HelpItem.status == "returned"))
    hours = [(r - c).total_seconds() / 3600 for c, r in returned_rows]
    return ServiceStats(
        since=since,
        until=until,
        area_code=area,
        cars_found=_count(session, within(select(CarFind.id), CarFind.at, CarFind.area_code)),
        lost_reports=_count(
            session,
            within(
                select(HelpItem.id).where(HelpItem.kind == "lost"),
                HelpItem.created_at,
                HelpItem.area_code,
            ),
        ),
        found_items=found_n,
        items_returned=len(returned_rows),
        return_rate=round(found_returned / found_n, 4) if found_n else None,
        time_to_return_h_median=round(statistics.median(hours), 2) if hours else None,
        missing_reported=_count(
            session,
            within(select(MissingReport.id), MissingReport.created_at, MissingReport.area_code),
        ),
        missing_found=_count(
            session,
            within(select(MissingReport.id), MissingReport.closed_at, MissingReport.area_code),
        ),
        breakdowns_requested=_count(
            session, within(select(Breakdown.id), Breakdown.created_at, Breakdown.area_code)
        ),
        breakdowns_helped=_count(
            session,
            within(
                select(Breakdown.id).where(Breakdown.status == "cleared"),
                Breakdown.cleared_at,
                Breakdown.area_code,
            ),
        ),
    )
