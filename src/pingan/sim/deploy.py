"""The simulated day's deployment: a plan per shift through the deployment service, approved
by the duty commander, re-planned when the crowd moves away from what the plan assumed.

The simulation keeps only where each unit belongs (`Home`: the approved plan's post and its
patrol loop); the plan itself, its versions and approvals live in the store like any plan
made from the command centre or `pingan plan make`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.crowd import service as crowd
from pingan.deployment import service as deployment
from pingan.dispatch.kpi import LOCAL_TZ, shift_day
from pingan.sim.scenario import REPLAN

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation

log = logging.getLogger(__name__)
PLANNER = Actor.system("sim-planner")  # stands in when the store has no duty dispatcher


@dataclass(frozen=True, eq=False)
class Home:
    """Where a unit waits between calls: its post, and the loop it patrols from there."""

    lon: float
    lat: float
    site_code: str | None = None
    loop: np.ndarray | None = None  # (k, 2) lon, lat; starts and ends at the post
    loop_s: float = 0.0


def staff(session: Session, username: str, role: Role, fallback: Actor) -> Actor:
    """The demo store's duty account of that role (so the audit trail names a person)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or user.role != role.value:
        return fallback
    return Actor(user_id=user.id, username=user.username, role=role)


def _homes(session: Session, actor: Actor, plan_id: int) -> dict[int, Home]:
    out = {}
    for post in deployment.plan_posts(session, actor, plan_id):
        loop = post.loop or {}
        coords = np.asarray(loop.get("coords") or [], dtype=float)
        out[post.unit_id] = Home(
            post.lon,
            post.lat,
            post.site_code,
            coords if len(coords) >= 2 else None,
            float(loop.get("duration_s") or 0.0),
        )
    return out


def _adopt(sim: DaySimulation, session: Session, plan_id: int) -> None:
    """Approve the draft as the duty commander and send units to their (new) posts."""
    commander = staff(session, "commander", Role.COMMANDER, PLANNER)
    deployment.approve(session, commander, plan_id)
    homes = _homes(session, commander, plan_id)
    for unit_id, home in homes.items():
        old = sim.homes.get(unit_id)
        trip = sim.trips.get(unit_id)
        moved = old is None or (old.lon, old.lat) != (home.lon, home.lat)
        if moved and trip is not None and trip.incident_id is None:
            sim.trips.pop(unit_id)  # patrolling or driving to the old post: turn round
    sim.homes = homes
    sim.plan_id = plan_id


def plan_shift(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """At the start and at each change of shift: make the shift's plan and approve it."""
    key = shift_day(t)
    if sim.plan_key == key:
        return
    sim.plan_key = key  # once per shift, even if the service refuses (logged by the caller)
    planner = staff(session, "dispatcher", Role.DISPATCHER, PLANNER)
    plan = deployment.make_plan(
        session,
        planner,
        sim.city,
        day=key[0],
        shift_code=key[1],
        posts_path=sim.posts_path,
        now=t,
    )
    _adopt(sim, session, plan.id)
    sim.last_replan = t
    sim.figures.plans += 1


def replan_for_crowds(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """When the counted crowd differs a lot from the plan's figures (the evening fountain
    peak, the bridge build-up), re-plan with the counts the crowd panel shows."""
    if sim.plan_id is None or t < sim.next_crowd_check:
        return
    sim.next_crowd_check = t + timedelta(seconds=REPLAN["check_every_s"])
    if sim.last_replan and (t - sim.last_replan).total_seconds() < REPLAN["min_gap_s"]:
        return
    planner = staff(session, "dispatcher", Role.DISPATCHER, PLANNER)
    planned = deployment.get_plan(session, planner, sim.plan_id).detail.get("crowds", {})
    counted = {
        s.area.code: float(s.count)
        for s in crowd.area_status(session, planner, sim.city, now=t)
        if s.count is not None
    }
    moved = [
        code
        for code, now_n in counted.items()
        if abs(now_n - float(planned.get(code, 0.0)))
        > max(REPLAN["min_people"], REPLAN["change_share"] * float(planned.get(code, 0.0)))
    ]
    if not moved:
        return
    plan, _ = deployment.replan(
        session, planner, sim.city, sim.plan_id, crowds=counted, posts_path=sim.posts_path, now=t
    )
    log.info("re-planned at %s for %s: plan %d, %d moves", t.astimezone(LOCAL_TZ), moved,
             plan.id, len(plan.detail.get("moves", [])))  # fmt: skip
    _adopt(sim, session, plan.id)
    sim.last_replan = t
    sim.figures.replans += 1
