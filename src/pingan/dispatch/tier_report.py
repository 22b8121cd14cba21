"""Tiered 1-3-5 report from the store: incidents, their assignments and the units' kinds.

Computed from what is stored (assignments' dispatch and arrival times, the units' kinds and
capabilities, the city's key areas), so every past incident is reported without a new table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.dispatch.response_plans import PlanError, load_plans
from pingan.dispatch.tiers import Arrival, TierRecord, TierRow, summarize_tiers, tiered_targets
from pingan.errors import ValidationFailed
from pingan.geo.city import KeyArea
from pingan.incidents.models import Assignment, Incident
from pingan.units.models import Unit


def area_types_of(points: list[tuple[float, float]], key_areas: Mapping[str, KeyArea]) -> list[str]:
    """'key_area' for each (lon, lat) inside one of the city's key-area polygons, else 'street'."""
    if not points:
        return []
    polys = [shapely.Polygon(a.polygon) for a in key_areas.values()]
    if not polys:
        return ["street"] * len(points)
    region = shapely.union_all(polys)
    shapely.prepare(region)
    xy = shapely.points(points)
    inside = shapely.contains(region, xy) | shapely.touches(region, xy)
    return ["key_area" if hit else "street" for hit in inside.tolist()]


def tier_records(
    session: Session,
    key_areas: Mapping[str, KeyArea],
    *,
    since: datetime | None,
    until: datetime | None,
) -> list[TierRecord]:
    """Incidents received in [since, until) (demo samples left out) with their arrivals."""
    query = select(
        Incident.id,
        Incident.received_at,
        Incident.type_code,
        Incident.priority,
        Incident.state,
        Incident.lon,
        Incident.lat,
    ).where(Incident.sample.is_(False))
    if since:
        query = query.where(Incident.received_at >= since)
    if until:
        query = query.where(Incident.received_at < until)
    incidents = session.execute(query).all()
    ids = [row.id for row in incidents]
    sent: dict[int, datetime] = {}
    arrivals: dict[int, dict[int, Arrival]] = {}
    for i in range(0, len(ids), 500):  # bounded IN lists
        rows = session.execute(
            select(
                Assignment.incident_id,
                Assignment.unit_id,
                Assignment.dispatched_at,
                Assignment.on_scene_at,
                Assignment.arrival_check,
                Unit.kind,
                Unit.capabilities,
                Unit.crew_size,
            )
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.incident_id.in_(ids[i : i + 500]))
            .order_by(Assignment.on_scene_at, Assignment.id)
        )
        for inc, unit, dispatched, on_scene, check, kind, caps, crew in rows:
            sent[inc] = min(sent.get(inc, dispatched), dispatched)
            if on_scene is not None and unit not in arrivals.setdefault(inc, {}):
                arrivals[inc][unit] = Arrival(on_scene, check, kind, frozenset(caps or ()), crew)
    kinds = area_types_of([(row.lon, row.lat) for row in incidents], key_areas)
    plans = load_plans()
    out = []
    for row, area_type in zip(incidents, kinds, strict=True):
        try:
            plan = plans.plan_for(row.type_code, row.priority)
        except PlanError:
            continue  # no card for the type: nothing to fill (cannot happen with "other")
        got = sorted(arrivals.get(row.id, {}).values(), key=lambda a: a.at)
        out.append(
            TierRecord(
                row.received_at,
                sent.get(row.id),
                row.priority,
                area_type,
                row.state,
                plan,
                tuple(got),
            )
        )
    return out


def tier_report(
    session: Session,
    actor: Actor,
    key_areas: Mapping[str, KeyArea],
    *,
    since: datetime | None,
    until: datetime | None,
    by: str,
) -> list[TierRow]:
    """Compliance per tier (tiered_targets.yaml) grouped `by` tier, area type, shift, hour or
    priority, on the clock from the call and the clock from the dispatch order."""
    require(actor, "report.read")
    records = tier_records(session, key_areas, since=since, until=until)
    try:
        return summarize_tiers(records, tiered_targets(), by, now=utcnow())
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="bad_grouping") from exc
