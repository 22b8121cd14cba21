"""Use cases for dispatch: recommend units for an incident, suggest re-assignments, ETAs,
isochrones, key-area coverage and response reports — the store side of the pure engines."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.db.tx import deferred_commit, finish
from pingan.dispatch.kpi import EtaAccuracy, KpiRow, ResponseRecord, eta_accuracy, summarize
from pingan.dispatch.recommend import (
    AreaCoverage,
    Candidate,
    Reassignment,
    Recommendation,
    UnitPool,
    area_coverage,
    recommend,
    suggest_reassignment,
)
from pingan.dispatch.response_plans import Plan, Requirement, load_plans
from pingan.errors import Conflict, DomainError, ValidationFailed
from pingan.geo.city import City
from pingan.geo.coords import haversine_m
from pingan.geo.input import validated_point
from pingan.geo.travel_time import Isochrone, Route, SnapError
from pingan.i18n import msg
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import known_type, response_tiers
from pingan.incidents.lifecycle import ACTIVE
from pingan.incidents.models import Assignment, Incident
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus, outside_incident_fleet, unit_kinds
from pingan.units.models import Unit


def candidate(unit: Unit, now: datetime) -> Candidate:
    """A stored unit as the recommender sees it."""
    kind = unit_kinds().get(unit.kind)
    has_position = unit.lon is not None and unit.lat is not None
    return Candidate(
        unit_id=str(unit.id),
        kind=unit.kind,
        mode=kind.mode if kind else "drive",
        status=unit.status,
        capabilities=frozenset(unit.capabilities or ()),
        crew=unit.crew_size,
        position=(unit.lon, unit.lat) if has_position else None,
        position_age_s=(now - unit.position_at).total_seconds()
        if has_position and unit.position_at
        else None,
        post=(unit.post_lon, unit.post_lat) if unit.post_lon is not None else None,
        name=unit.call_sign,
    )


class PoolCache:
    """The prepared UnitPool, rebuilt only when a unit's status, version or position changed,
    or the minute changed (a pool holds each fix's age, which decides when a fix is too old
    to use).

    Building a pool snaps every unit once (a few ms for hundreds of units); recommendations
    between position updates reuse it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._pool: UnitPool | None = None

    def get(self, session: Session, city: City, now: datetime | None = None) -> UnitPool:
        """The pool as of `now` (default: the present; a replayed moment for a replay)."""
        now = now or utcnow()
        counts = select(
            func.count(Unit.id),
            func.sum(Unit.version),
            func.max(Unit.position_at),
            func.max(Unit.status_at),
        )
        key = (int(now.timestamp() // 60), *session.execute(counts).one())
        with self._lock:
            if self._pool is not None and key == self._key:
                return self._pool
        rows = session.execute(select(Unit).where(Unit.status == UnitStatus.AVAILABLE)).scalars()
        pool = UnitPool([candidate(u, now) for u in rows], city.travel)
        with self._lock:
            self._key, self._pool = key, pool
        return pool


@dataclass(frozen=True, slots=True)
class IncidentRecommendation:
    incident_id: int
    case_number: str
    recommendation: Recommendation


def recommend_for_incident(
    session: Session,
    actor: Actor,
    city: City,
    pools: PoolCache,
    incident_id: int,
    *,
    at: datetime | None = None,
) -> IncidentRecommendation:
    """Which available units to send, soonest by road, filling the type's run card; `at`:
    the moment to judge fixes' ages at (default now; a replay gives the replayed moment, or
    every fix would look hours old and units would be placed at their posts)."""
    require(actor, "dispatch.recommend")
    incident = incidents.get_incident(session, actor, incident_id)
    plan = load_plans().plan_for(incident.type_code, incident.priority)
    rec = recommend((incident.lon, incident.lat), plan, pools.get(session, city, at))
    return IncidentRecommendation(incident.id, incident.case_number, rec)


def recommend_for_call(
    session: Session,
    actor: Actor,
    city: City,
    pools: PoolCache,
    type_code: str,
    lon: float,
    lat: float,
    priority: int | None = None,
) -> Recommendation:
    """The units a call of this type at this point would get, before the incident exists:
    the call-taker sees them while still on the line and can send them on entering it."""
    require(actor, "dispatch.recommend")
    itype = known_type(type_code)
    point = validated_point(lon, lat)
    plan = load_plans().plan_for(type_code, priority or itype.priority)
    return recommend(point, plan, pools.get(session, city))


def _eta(point: tuple[float, float], unit: Candidate, city: City) -> float | None:
    """A unit's remaining ETA to a point (its status aside), or None when it has no route."""
    one = replace(unit, status=UnitStatus.AVAILABLE.value)
    plan = Plan("eta", None, (Requirement(kinds=(unit.kind,)),))
    rec = recommend(point, plan, [one], city.travel, shortlist_extra=0)
    return rec.picks[0].eta_s if rec.picks else None


def reassignment_suggestions(
    session: Session, actor: Actor, city: City, freed_unit_id: int, *, min_gain_s: float = 60.0
) -> list[tuple[Incident, Reassignment]]:
    """Active incidents where the freed unit would arrive sooner than a unit still en route."""
    require(actor, "dispatch.recommend")
    freed = units.get_unit(session, freed_unit_id)
    if freed.status != UnitStatus.AVAILABLE:
        return []
    now = utcnow()
    freed_c = candidate(freed, now)
    rows = session.execute(
        select(Incident, Assignment, Unit)
        .join(Assignment, Assignment.incident_id == Incident.id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Incident.state.in_([s.value for s in ACTIVE]),
            Assignment.state.in_(["dispatched", "acknowledged", "en_route"]),
            Unit.kind == freed.kind,
        )
    ).all()
    by_incident: dict[int, tuple[Incident, list[Candidate]]] = {}
    for inc, _, unit in rows:
        by_incident.setdefault(inc.id, (inc, []))[1].append(candidate(unit, now))
    out = []
    for inc, assigned in by_incident.values():
        point = (inc.lon, inc.lat)
        remaining = [(u, eta) for u in assigned if (eta := _eta(point, u, city)) is not None]
        suggestion = suggest_reassignment(
            point, remaining, freed_c, city.travel, min_gain_s=min_gain_s
        )
        if suggestion is not None:
            out.append((inc, suggestion))
    out.sort(key=lambda pair: pair[1].current_eta_s - pair[1].freed_eta_s, reverse=True)
    return out


@dataclass(frozen=True, slots=True)
class UnitRoute:
    unit: Unit
    mode: str
    eta_s: float
    route: Route | None  # None for drones, which fly straight


def unit_route(
    session: Session, actor: Actor, city: City, unit_id: int, lon: float, lat: float
) -> UnitRoute:
    """Road route and ETA from a unit's position (or post) to a point; drones fly straight."""
    require(actor, "dispatch.read")
    unit = units.get_unit(session, unit_id)
    target = validated_point(lon, lat)
    c = candidate(unit, utcnow())
    origin = c.position or c.post
    if origin is None:
        raise ValidationFailed(
            msg("dispatch.no_position", call_sign=unit.call_sign),
            code="no_position",
        )
    if c.mode == "fly":
        return UnitRoute(unit, "fly", city.travel.fly.time_s(haversine_m(*origin, *target)), None)
    engine = city.travel.roads.get(c.mode)
    if engine is None:
        raise ValidationFailed(msg("dispatch.no_network", mode=c.mode), code="no_network")
    try:
        route = engine.route(origin, target)
    except SnapError as exc:
        raise ValidationFailed(str(exc), code="no_route") from exc
    return UnitRoute(unit, c.mode, route.eta_s, route)


def predicted_etas(
    session: Session, actor: Actor, city: City, unit_ids: list[int], lon: float, lat: float
) -> dict[int, float]:
    """The platform's own ETA for each unit sent by hand, from where it is now, so every
    dispatch's prediction is measured against the trip it made, not only recommended ones.
    A unit without a position or a route gets none (and is not measured)."""
    etas: dict[int, float] = {}
    for unit_id in unit_ids:
        try:
            eta = unit_route(session, actor, city, unit_id, lon, lat).eta_s
        except DomainError:  # unknown unit (dispatch answers 404), no position, no route
            continue
        if math.isfinite(eta):
            etas[unit_id] = float(eta)
    return etas


def isochrones(
    city: City, lon: float, lat: float, mode: str, tiers_s: tuple[float, ...]
) -> list[Isochrone]:
    """Roads reachable from a point within each tier, for the map."""
    point = validated_point(lon, lat)
    engine = city.travel.roads.get(mode)
    if engine is None:
        raise ValidationFailed(
            msg("dispatch.bad_mode", mode=mode, choices=list(city.travel.roads)),
            code="bad_mode",
        )
    if not tiers_s or any(t <= 0 or t > 3600 for t in tiers_s):
        raise ValidationFailed(msg("dispatch.bad_tiers"), code="bad_tiers")
    try:
        return engine.isochrones(point, tiers_s)
    except SnapError as exc:
        raise ValidationFailed(str(exc), code="no_route") from exc


def coverage(session: Session, actor: Actor, city: City) -> list[tuple[str, AreaCoverage]]:
    """For each key area, the share within 1/3/5 minutes of the units available now."""
    require(actor, "dispatch.read")
    now = utcnow()
    available = [
        candidate(u, now)
        for u in session.execute(
            select(Unit).where(
                Unit.status == UnitStatus.AVAILABLE, Unit.kind.not_in(outside_incident_fleet())
            )
        ).scalars()
    ]
    tiers, _ = response_tiers()
    tiers_s = tuple(float(t.seconds) for t in tiers)  # type: ignore[arg-type]
    return [
        (code, area_coverage(area.polygon, available, city.travel, tiers_s=tiers_s))
        for code, area in city.key_areas.items()
    ]


def response_report(
    session: Session, actor: Actor, *, since: datetime | None, until: datetime | None, by: str
) -> list[KpiRow]:
    """1/3/5-minute compliance and percentiles from stored timestamps, measured on verified
    arrivals only; overridden and unchecked arrivals are counted apart (kpi.py). A demo's
    samples, whose arrivals were scripted, are not counted at all."""
    require(actor, "report.read")
    query = select(
        Incident.received_at,
        Incident.on_scene_at,
        Incident.type_code,
        Incident.priority,
        Incident.area_code,
        Incident.state,
        Incident.arrival_check,
    ).where(Incident.sample.is_(False))
    if since:
        query = query.where(Incident.received_at >= since)
    if until:
        query = query.where(Incident.received_at < until)
    records = [ResponseRecord(*row) for row in session.execute(query)]
    tiers, _ = response_tiers()
    try:
        return summarize(records, [(t.code, float(t.seconds)) for t in tiers], by)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="bad_grouping") from exc


def eta_report(
    session: Session, actor: Actor, *, since: datetime | None, until: datetime | None
) -> EtaAccuracy:
    """The platform's ETA error: for each unit sent with a predicted ETA whose arrival was
    verified, the time it took from setting off to on scene minus the prediction (kpi.py).
    What a bureau can compute from its own records, against the streets it drives."""
    require(actor, "report.read")
    query = (
        select(Assignment.eta_s, Assignment.en_route_at, Assignment.on_scene_at)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(
            Assignment.eta_s.is_not(None),
            Assignment.en_route_at.is_not(None),
            Assignment.on_scene_at.is_not(None),
            Assignment.arrival_check == "verified",
        )
    )
    if since:
        query = query.where(Incident.received_at >= since)
    if until:
        query = query.where(Incident.received_at < until)
    return eta_accuracy(
        (there - off).total_seconds() - eta for eta, off, there in session.execute(query)
    )


@cache
def auto_dispatch_policy() -> dict[str, frozenset[int] | None]:
    """Type -> priorities that auto-dispatch (None: every priority), from auto_dispatch.yaml."""
    raw = yaml.safe_load(
        resources.files("pingan.dispatch").joinpath("auto_dispatch.yaml").read_text("utf-8")
    )
    return {
        code: None if prios == "all" else frozenset(int(p) for p in prios)
        for code, prios in (raw.get("types") or {}).items()
    }


def auto_dispatches(type_code: str, priority: int) -> bool:
    policy = auto_dispatch_policy()
    if type_code not in policy:
        return False
    prios = policy[type_code]
    return prios is None or priority in prios


AUTO_DISPATCHER = Actor(user_id=None, username="auto-dispatch", role=None)


def auto_dispatch(session: Session, city: City, pools: PoolCache, incident_id: int) -> list[int]:
    """Send the recommended units for a new incident when the policy says so.

    Returns the units sent ([] when the policy says wait, or nothing fits). A unit taken by a
    dispatcher in the meantime makes the claim fail; the incident then waits for a person.
    The policy sends at once, so the order belongs to the moment of the call: fixes are judged
    and the order stamped at the incident's receipt. On the wall clock a replayed day's call
    (the simulation) found every fix hours old and got an order stamped hours after it, which
    its crews never reached within the day.
    """
    incident = session.get(Incident, incident_id)
    if incident is None or incident.state != "received":
        return []
    if not auto_dispatches(incident.type_code, incident.priority):
        return []
    plan = load_plans().plan_for(incident.type_code, incident.priority)
    at = incident.received_at
    rec = recommend((incident.lon, incident.lat), plan, pools.get(session, city, at))
    unit_ids = [int(p.unit_id) for p in rec.picks]
    if not unit_ids:
        return []
    note = msg(
        "dispatch.note.auto_dispatched",
        picks={
            "zh_CN": "; ".join(p.text_zh for p in rec.picks)[:500],
            "en": "; ".join(p.text_en for p in rec.picks)[:500],
        },
    )
    try:
        # a unit taken meanwhile undoes only this attempt (savepoint), not the caller's work
        with session.begin_nested(), deferred_commit(session):
            incidents.dispatch_units(
                session, AUTO_DISPATCHER, incident_id, unit_ids, note=note, at=at,
                etas={int(p.unit_id): p.eta_s for p in rec.picks},
            )  # fmt: skip
    except Conflict:
        return []
    finish(session)
    return unit_ids
