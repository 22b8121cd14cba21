"""Use cases for deployment plans: make, re-plan, read, approve, export.

A plan is made for one local day and shift. Its time block is the shift's busiest hour by
expected crowds (the plan is sized for the peak). Crowds come from the crowd forecast when
the areas have enough history, else from each area's typical hourly profile; past incidents
come from the incidents table. Every write checks the role and leaves an audit record;
approval publishes ``deployment.plan_approved`` through the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.crowd import forecasting, profile
from pingan.db.base import utcnow
from pingan.db.tx import deferred_commit, finish
from pingan.deployment import busy, candidates, demand, expected, history, planner, settings
from pingan.deployment.beats import patrol_loop
from pingan.deployment.coverage import CoverageError
from pingan.deployment.models import DeploymentPlan, DeploymentPost
from pingan.dispatch.kpi import shift_day, shifts
from pingan.errors import Conflict, DomainError, NotFound, ValidationFailed
from pingan.geo.city import City, sample_paths
from pingan.geo.gazetteer import gazetteer_for
from pingan.geo.input import service_area
from pingan.i18n import msg
from pingan.i18n.both import both
from pingan.incidents.lifecycle import State
from pingan.incidents.models import Incident
from pingan.units import service as unit_service
from pingan.units.catalogue import UnitStatus, outside_incident_fleet, unit_kinds
from pingan.units.models import Unit

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SAMPLE_POSTS = "kangbashi_posts.yaml"


@cache
def _posts(path: Path) -> tuple[candidates.Site, ...]:
    return tuple(candidates.load_posts(path))


def configured_posts(city: City, posts_path: Path | None) -> list[candidates.Site]:
    """The bureau's posts file, or the sample's when the city is the built-in sample."""
    if posts_path is None:
        if not city.synthetic:
            return []
        posts_path = sample_paths()[0].parent / SAMPLE_POSTS
    posts = list(_posts(posts_path))
    area = service_area()
    outside = [p.code for p in posts if not area.contains(p.lon, p.lat)]
    if outside:  # a post in another city would be planned on and units sent there
        raise ValidationFailed(
            msg("deployment.posts_outside_area", posts=list(outside)),
            code="outside_service_area",
        )
    return posts


def _shift_hours(shift_code: str) -> list[int]:
    shift = next((s for s in shifts() if s.code == shift_code), None)
    if shift is None:
        known = ", ".join(s.code for s in shifts())
        raise ValidationFailed(
            msg("deployment.bad_shift", shift=shift_code, known=known), code="bad_shift"
        )
    start, end = shift.start.hour, shift.end.hour
    n = (end - start) % 24 or 24
    return [(start + k) % 24 for k in range(n)]


@dataclass(slots=True)
class Crowds:
    people: dict[str, float]  # area -> expected people at the block's hour
    hour: int
    day_offset: int  # 1 when the peak hour falls after midnight in a night shift
    source: str  # "forecast:<model>" or "typical_profile"


def _typical(session: Session, city: City, day: date, now: datetime) -> dict[str, np.ndarray]:
    """24 hourly expected counts per area: the crowd domain's typical day (learned from the
    stored counts, seeded for the sample city), else a flat share of capacity."""
    share = float(settings.planning()["demand"]["fallback_capacity_share"])
    codes = tuple(city.key_areas)
    known = profile.typical_day(
        session, codes, day, now, seeded=city.synthetic, calendar=forecasting.service_calendar()
    )
    out = {c: np.asarray(v, float) for c, v in known.values.items()}
    for code, area in city.key_areas.items():
        if code not in out:
            out[code] = np.full(24, share * float(area.instant_capacity or 0))
    return out


def expected_crowds(
    session: Session, actor: Actor, city: City, day: date, shift_code: str, now: datetime
) -> Crowds:
    """Each area's people at the shift's busiest hour: forecast first, typical profile else."""
    hours = _shift_hours(shift_code)
    start = datetime(day.year, day.month, day.day, hours[0], tzinfo=LOCAL_TZ)
    stamps = [start + timedelta(hours=k) for k in range(len(hours))]
    series: dict[str, list[float]] | None = None
    source = "typical_profile"
    ahead = int((stamps[-1] - now.astimezone(LOCAL_TZ)).total_seconds() // 3600) + 2
    if stamps[0] > now and 1 <= ahead <= 168:
        try:
            fc = forecasting.forecast(session, actor, city, hours=ahead, now=now)
            index = {h: i for i, h in enumerate(fc.hours)}
            if all(s in index for s in stamps):
                series = {
                    c: [float(v[index[s]] or 0.0) for s in stamps] for c, v in fc.values.items()
                }
                source = f"forecast:{fc.model}"
        except Conflict:
            series = None  # not enough history: the typical profile below
    if series is None:
        prof = {d: _typical(session, city, d, now) for d in {s.date() for s in stamps}}
        series = {c: [float(prof[s.date()][c][s.hour]) for s in stamps] for c in city.key_areas}
    totals = [sum(v[k] for v in series.values()) for k in range(len(stamps))]
    k = int(np.argmax(totals)) if totals else 0
    return Crowds(
        people={c: v[k] for c, v in series.items()},
        hour=stamps[k].hour,
        day_offset=(stamps[k].date() - day).days,
        source=source,
    )


def past_incidents(session: Session, now: datetime, days: int) -> list[demand.PastIncident]:
    """The history's incidents that were real: a cancelled call (a false alarm, a mistake),
    one merged into another, or a demo's sample is not demand."""
    rows = session.execute(
        select(
            Incident.lon, Incident.lat, Incident.type_code, Incident.priority, Incident.received_at
        )
        .where(Incident.received_at >= now - timedelta(days=days))
        .where(Incident.merged_into_id.is_(None), Incident.sample.is_(False))
        .where(Incident.state.not_in([State.CANCELLED.value, State.MERGED.value]))
    )
    return [
        demand.PastIncident(
            lon=lon,
            lat=lat,
            type_code=t,
            priority=p,
            hour=demand.local_hour(at, LOCAL_TZ),
            age_days=max(0.0, (now - at).total_seconds() / 86400),
        )
        for lon, lat, t, p, at in rows
    ]


def _shift_units(session: Session, unit_ids: Sequence[int] | None) -> list[Unit]:
    q = select(Unit).where(Unit.kind.not_in(outside_incident_fleet())).order_by(Unit.id)
    if unit_ids:
        q = q.where(Unit.id.in_(list(unit_ids)))
    else:
        q = q.where(Unit.status != UnitStatus.OFF_DUTY.value)
    units = list(session.scalars(q))
    if unit_ids and len(units) != len(set(unit_ids)):
        missing = sorted(set(unit_ids) - {u.id for u in units})
        raise NotFound(msg("deployment.units_not_found", ids=missing), code="unit_not_found")
    return units


def _origin(city: City) -> tuple[float, float]:
    w, s, e, n = city.bounds
    return (w + e) / 2, (s + n) / 2


def _options(solver: str, lexicographic: bool, **replan) -> planner.Options:  # type: ignore[no-untyped-def]
    p = settings.planning()
    if solver not in ("exact", "heuristic"):
        raise ValidationFailed(
            msg("deployment.bad_solver"),
            code="bad_solver",
        )
    return planner.Options(
        tiers=settings.tiers(),
        backup_share=float(p["backup_share"]),
        dense_quantile=float(p["dense_quantile"]),
        solver=solver,
        lexicographic=lexicographic,
        mip_rel_gap=float(p["solver"]["mip_rel_gap"]),
        time_limit_s=float(p["solver"]["time_limit_s"]),
        **replan,
    )


def _loops(
    city: City, outcome: planner.PlanOutcome, dem: demand.Demand, kinds: Mapping[int, str]
) -> dict[int, dict]:
    """A patrol loop per site holding a 1-minute-tier unit, through its heaviest points."""
    p = settings.planning()["beats"]
    walk = city.travel.roads.get("walk")
    tier1 = settings.tiers()[0]
    if walk is None or len(dem) == 0:
        return {}
    wanted = sorted({s for uid, s in outcome.placements.items() if kinds[uid] in tier1.unit_types})
    if not wanted:
        return {}
    sites = [outcome.sites[s] for s in wanted]
    times = planner.site_times(sites, dem, {"walk": walk}, ["walk"], float(p["loop_limit_s"]))
    out = {}
    for row, s in enumerate(wanted):
        near = np.flatnonzero(np.isfinite(times["walk"][row]))
        if near.size == 0:
            continue
        top = near[np.argsort(-dem.weight[near], kind="stable")[: int(p["hot_spots"])]]
        loop = patrol_loop(
            walk,
            (outcome.sites[s].lon, outcome.sites[s].lat),
            dem.points()[top],
            time_limit_s=float(p["solver_time_limit_s"]),
        )
        out[s] = {
            "stops": loop.stops,
            "coords": [[round(x, 6), round(y, 6)] for x, y in loop.coords],
            "duration_s": round(loop.duration_s, 1),
            "length_m": round(loop.length_m, 1),
        }
    return out


def _expected(
    session: Session,
    city: City,
    outcome: planner.PlanOutcome,
    units: Mapping[int, Unit],
    dem: demand.Demand,
    loops: Mapping[int, dict],
    shift_code: str,
    now: datetime,
) -> tuple[dict[str, float], dict]:
    """The plan's expected coverage with busy units (expected.py): each posted unit's busy
    fraction over the shift's hours, from its post or from positions along its loop, with
    the measured wait before a unit moves (call → order → acknowledged → en route) off every
    tier's budget."""
    cfg = settings.busy()
    tiers = settings.tiers()
    hours = _shift_hours(shift_code)
    model = history.busy_model(session, now, list(units.values()))
    q = busy.shift_mean(model.q, hours)
    kinds = unit_kinds()
    limit = max(t.radius_s for t in tiers)
    where: dict[str, list[tuple[str, np.ndarray]]] = {}  # mode -> (kind, positions) per unit
    for uid, s in sorted(outcome.placements.items()):
        kind = units[uid].kind
        mode = kinds[kind].mode if kind in kinds else "walk"
        if mode not in city.travel.roads:
            continue
        site = outcome.sites[s]
        loop = loops.get(s) if kind in tiers[0].unit_types else None
        pts = (
            expected.loop_positions(
                np.asarray(loop["coords"]), float(loop["duration_s"]), int(cfg["loop_samples"])
            )
            if loop
            else np.array([[site.lon, site.lat]])
        )
        where.setdefault(mode, []).append((kind, pts))
    posted = []
    for mode, rows in where.items():  # one matrix per mode: the demand is snapped once
        times = planner.point_times(
            np.vstack([p for _, p in rows]), dem, city.travel.roads[mode], limit
        )
        at = 0
        for kind, pts in rows:
            posted.append(expected.PostedUnit(kind, q[kind], times[at : at + len(pts)]))
            at += len(pts)
    shares = expected.expected_shares(dem.weight, posted, tiers, model.delays.samples)
    return shares, model.describe(hours)


def _next_version(session: Session, day: str, shift_code: str) -> int:
    v = session.scalar(
        select(func.max(DeploymentPlan.version)).where(
            DeploymentPlan.plan_date == day, DeploymentPlan.shift_code == shift_code
        )
    )
    return int(v or 0) + 1


def _store(
    session: Session,
    actor: Actor,
    city: City,
    *,
    day: date,
    shift_code: str,
    outcome: planner.PlanOutcome,
    units: Mapping[int, Unit],
    dem: demand.Demand,
    context: dict,
    based_on: DeploymentPlan | None,
    now: datetime,
) -> DeploymentPlan:
    loops = _loops(city, outcome, dem, {uid: u.kind for uid, u in units.items()})
    expected_cov, busy_info = _expected(session, city, outcome, units, dem, loops, shift_code, now)
    sol = outcome.solution
    plan = DeploymentPlan(
        plan_date=day.isoformat(),
        shift_code=shift_code,
        version=_next_version(session, day.isoformat(), shift_code),
        status="draft",
        based_on_id=based_on.id if based_on else None,
        solver=sol.solver,
        gap=float(sol.gap),
        mip_rel_gap=sol.mip_rel_gap,
        objective=float(sol.objective),
        coverage={k: round(v, 6) for k, v in outcome.coverage.items()},
        detail={
            **context,
            "coverage_by_area": {
                a: {t: round(v, 6) for t, v in tiers.items()}
                for a, tiers in outcome.coverage_by_area.items()
            },
            "solver_status": sol.status,
            "solver_seconds": round(sol.seconds, 3),
            "bound": float(sol.bound),
            "demand_points": outcome.demand_points,
            "unplaced": [
                {
                    "unit_id": u.unit_id,
                    "call_sign": u.call_sign,
                    "reason_zh": u.reason_zh,
                    "reason_en": u.reason_en,
                }
                for u in outcome.unplaced
            ],
            "moves": outcome.moves,
            "expected_coverage": {k: round(v, 6) for k, v in expected_cov.items()},
            "busy_model": busy_info,
            "made_at": now.isoformat(),
        },
        created_by=actor.username,
        created_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    for uid, s in sorted(outcome.placements.items()):
        site, unit = outcome.sites[s], units[uid]
        session.add(
            DeploymentPost(
                plan_id=plan.id,
                unit_id=uid,
                call_sign=unit.call_sign,
                unit_kind=unit.kind,
                site_code=site.code,
                site_kind=site.kind,
                site_name=f"{site.name_zh} / {site.name_en}"[:100],
                area_code=site.area_code,
                lon=site.lon,
                lat=site.lat,
                loop=loops.get(s) if unit.kind in settings.tiers()[0].unit_types else None,
            )
        )
    session.flush()
    return plan


def _shift_units_for_planner(units: Sequence[Unit], home: Mapping[int, str] | None = None):  # type: ignore[no-untyped-def]
    kinds = unit_kinds()
    return [
        planner.ShiftUnit(
            id=u.id,
            call_sign=u.call_sign,
            kind=u.kind,
            mode=kinds[u.kind].mode if u.kind in kinds else "walk",
            lon=u.post_lon if u.post_lon is not None else u.lon,
            lat=u.post_lat if u.post_lat is not None else u.lat,
            home_site=(home or {}).get(u.id),
        )
        for u in units
    ]


def _solve(fn):  # type: ignore[no-untyped-def]
    """Optimiser refusals become 422s with their reason."""
    try:
        return fn()
    except CoverageError as exc:
        raise ValidationFailed(exc.args[0] if exc.args else str(exc), code="cannot_plan") from exc


def make_plan(
    session: Session,
    actor: Actor,
    city: City,
    *,
    day: date,
    shift_code: str,
    posts_path: Path | None = None,
    solver: str | None = None,
    lexicographic: bool = False,
    unit_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> DeploymentPlan:
    """Plan a shift: demand for its peak hour, candidate posts, optimal posting, loops."""
    require(actor, "deployment.plan")
    now = now or utcnow()
    p = settings.planning()
    opts = _options(solver or p["solver"]["default"], lexicographic)
    units = _shift_units(session, unit_ids)
    if not units:
        raise ValidationFailed(msg("deployment.no_units_on_shift"), code="no_units")
    crowds = expected_crowds(session, actor, city, day, shift_code, now)
    incidents = past_incidents(session, now, int(p["demand"]["history_days"]))
    dem = demand.build_demand(
        city.key_areas,
        crowds.people,
        incidents,
        crowds.hour,
        _origin(city),
        p["demand"],
        city.bounds,
    )
    sites = candidates.candidate_sites(
        city, configured_posts(city, posts_path), p["candidates"], gazetteer_for(city, posts_path)
    )
    outcome = _solve(
        lambda: planner.make_plan(
            dem, sites, _shift_units_for_planner(units), city.travel.roads, opts
        )
    )
    context = {
        "block_hour": crowds.hour,
        "block_day_offset": crowds.day_offset,
        "crowd_source": crowds.source,
        "crowds": {k: round(v, 1) for k, v in crowds.people.items()},
        "incidents_used": len(incidents),
        "lexicographic": lexicographic,
        "units_on_shift": len(units),
    }
    plan = _store(
        session,
        actor,
        city,
        day=day,
        shift_code=shift_code,
        outcome=outcome,
        units={u.id: u for u in units},
        dem=dem,
        context=context,
        based_on=None,
        now=now,
    )
    audit.record(
        session,
        actor,
        "deployment.plan",
        "deployment_plan",
        plan.id,
        {
            "date": plan.plan_date,
            "shift": shift_code,
            "version": plan.version,
            "solver": plan.solver,
            "gap": round(plan.gap, 6),
            "coverage": plan.coverage,
        },
    )
    finish(session)
    return plan


def replan(
    session: Session,
    actor: Actor,
    city: City,
    plan_id: int,
    *,
    crowds: Mapping[str, float] | None = None,
    max_moves: int | None = None,
    max_move_s: float | None = None,
    posts_path: Path | None = None,
    now: datetime | None = None,
) -> tuple[DeploymentPlan, dict[str, float]]:
    """Re-optimise a plan for changed crowds moving at most ``max_moves`` units, each within
    ``max_move_s`` of its post; the others stay. Returns the new version and the coverage the
    old posts give under the new demand (before/after)."""
    require(actor, "deployment.plan")
    now = now or utcnow()
    p = settings.planning()
    base = get_plan(session, actor, plan_id)
    posts = list(session.scalars(select(DeploymentPost).where(DeploymentPost.plan_id == plan_id)))
    if not posts:
        raise ValidationFailed(msg("deployment.plan_posts_no_unit"), code="no_units")
    moves = int(p["replan"]["max_moves"] if max_moves is None else max_moves)
    reach = float(p["replan"]["max_move_s"] if max_move_s is None else max_move_s)
    if moves < 0 or reach <= 0:
        raise ValidationFailed(msg("deployment.bad_limits"), code="bad_limits")
    unknown = sorted(set(crowds or {}) - set(city.key_areas))
    if unknown or any(v < 0 for v in (crowds or {}).values()):
        raise ValidationFailed(msg("deployment.bad_crowds", areas=unknown), code="bad_crowds")
    people = {**base.detail.get("crowds", {}), **(crowds or {})}
    hour = int(base.detail.get("block_hour", 12))
    incidents = past_incidents(session, now, int(p["demand"]["history_days"]))
    dem = demand.build_demand(
        city.key_areas, people, incidents, hour, _origin(city), p["demand"], city.bounds
    )
    sites = candidates.candidate_sites(
        city, configured_posts(city, posts_path), p["candidates"], gazetteer_for(city, posts_path)
    )
    index = {s.code: i for i, s in enumerate(sites)}
    units = {u.id: u for u in _shift_units(session, [q.unit_id for q in posts])}
    home = {q.unit_id: q.site_code for q in posts if q.site_code in index}
    opts = _options(
        "heuristic" if base.solver == "greedy_swap" else "exact",
        False,
        max_moves=moves,
        max_move_s=reach,
    )
    shift_units = _shift_units_for_planner(list(units.values()), home)
    kinds = unit_kinds()
    before = planner.recompute(
        dem,
        sites,
        [
            (q.unit_kind, kinds[q.unit_kind].mode, index[q.site_code])
            for q in posts
            if q.site_code in index
        ],
        city.travel.roads,
        opts.tiers,
    )
    outcome = _solve(lambda: planner.make_plan(dem, sites, shift_units, city.travel.roads, opts))
    context = {
        "block_hour": hour,
        "block_day_offset": base.detail.get("block_day_offset", 0),
        "crowd_source": "replan",
        "crowds": {k: round(float(v), 1) for k, v in people.items()},
        "incidents_used": len(incidents),
        "lexicographic": False,
        "units_on_shift": len(units),
        "coverage_before": {k: round(v, 6) for k, v in before.items()},
        "max_moves": moves,
        "max_move_s": reach,
    }
    plan = _store(
        session,
        actor,
        city,
        day=date.fromisoformat(base.plan_date),
        shift_code=base.shift_code,
        outcome=outcome,
        units=units,
        dem=dem,
        context=context,
        based_on=base,
        now=now,
    )
    audit.record(
        session,
        actor,
        "deployment.replan",
        "deployment_plan",
        plan.id,
        {
            "based_on": base.id,
            "moves": len(outcome.moves),
            "before": context["coverage_before"],
            "after": plan.coverage,
        },
    )
    finish(session)
    return plan, before


def get_plan(session: Session, actor: Actor, plan_id: int) -> DeploymentPlan:
    require(actor, "deployment.read")
    plan = session.get(DeploymentPlan, plan_id)
    if plan is None:
        raise NotFound(msg("deployment.plan_not_found", id=plan_id), code="plan_not_found")
    return plan


def plan_posts(session: Session, actor: Actor, plan_id: int) -> list[DeploymentPost]:
    get_plan(session, actor, plan_id)
    return list(
        session.scalars(
            select(DeploymentPost)
            .where(DeploymentPost.plan_id == plan_id)
            .order_by(DeploymentPost.unit_id)
        )
    )


def list_plans(
    session: Session, actor: Actor, *, day: str | None, limit: int, offset: int
) -> tuple[list[DeploymentPlan], int]:
    require(actor, "deployment.read")
    q = select(DeploymentPlan)
    if day:
        q = q.where(DeploymentPlan.plan_date == day)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(
        q.order_by(DeploymentPlan.plan_date.desc(), DeploymentPlan.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def approve(session: Session, actor: Actor, plan_id: int) -> DeploymentPlan:
    """A commander approves a draft; the shift's earlier approved version is superseded."""
    require(actor, "deployment.approve")
    plan = get_plan(session, actor, plan_id)
    if plan.status != "draft":
        raise Conflict(
            msg("deployment.not_a_draft", status=plan.status),
            code="not_a_draft",
        )
    for old in session.scalars(
        select(DeploymentPlan).where(
            DeploymentPlan.plan_date == plan.plan_date,
            DeploymentPlan.shift_code == plan.shift_code,
            DeploymentPlan.status == "approved",
        )
    ):
        old.status = "superseded"
    plan.status = "approved"
    plan.approved_by = actor.username
    plan.approved_at = utcnow()
    audit.record(
        session,
        actor,
        "deployment.approve",
        "deployment_plan",
        plan.id,
        {"date": plan.plan_date, "shift": plan.shift_code, "version": plan.version},
    )
    outbox.publish(
        session,
        "deployment.plan_approved",
        "deployment_plan",
        plan.id,
        {
            "plan_id": plan.id,
            "date": plan.plan_date,
            "shift": plan.shift_code,
            "version": plan.version,
            "coverage": plan.coverage,
            "units": len(plan_posts(session, actor, plan.id)),
        },
    )
    if (date.fromisoformat(plan.plan_date), plan.shift_code) == shift_day(utcnow()):
        _take_posts(session, actor, plan)  # the shift is on: its units take the posts now
    finish(session)
    return plan


def apply_current_plan(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Put the units of the shift now running on their approved posts (the timed job
    ``deployment.apply_posts`` calls it, so a plan approved ahead takes effect when its shift
    begins). Returns how many units moved; running it again moves none."""
    day, code = shift_day(now or utcnow())
    plan = session.scalar(
        select(DeploymentPlan).where(
            DeploymentPlan.plan_date == day.isoformat(),
            DeploymentPlan.shift_code == code,
            DeploymentPlan.status == "approved",
        )
    )
    if plan is None:
        return 0
    moved = _take_posts(session, actor, plan)
    finish(session)
    return moved


def _take_posts(session: Session, actor: Actor, plan: DeploymentPlan) -> int:
    """Each unit of the plan stands at its post (one transaction: the caller commits)."""
    reason = both(
        "deployment.note.posted",
        id=plan.id,
        version=plan.version,
        date=plan.plan_date,
        shift=plan.shift_code,
    )
    posts = list(session.scalars(select(DeploymentPost).where(DeploymentPost.plan_id == plan.id)))
    with deferred_commit(session):
        return sum(
            unit_service.set_post(session, actor, p.unit_id, lon=p.lon, lat=p.lat, reason=reason)
            for p in posts
        )


__all__ = [
    "DomainError",
    "apply_current_plan",
    "approve",
    "get_plan",
    "list_plans",
    "make_plan",
    "replan",
]
