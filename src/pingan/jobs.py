"""Timed jobs: what must happen when no request or event asks for it.

- ``crowd.silent_sources`` — a count source quiet past its limit raises a `sensor_silent`
  alert (a silent sensor must never read as an empty square);
- ``video.patrol`` — one step of the camera rota (the rota itself decides which cameras are
  due, so running it every minute is what keeps each camera within its interval);
- ``deployment.apply_posts`` — units take the posts of their shift's approved plan when the
  shift begins (a plan is usually approved ahead of its shift).

`pingan serve` and `pingan worker` both run them. On PostgreSQL each turn takes a
transaction-scoped advisory lock first, so with several processes one of them does each
turn and a camera is never checked twice in the same minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.engine import Database
from pingan.periodic import Periodic

log = logging.getLogger(__name__)


def check_silent_sources(session: Session) -> None:
    from pingan.crowd.service import check_silent

    alerts = check_silent(session, runtime.current().city.get())
    if alerts:
        log.info("静默传感器告警 %d 条 / %d silent-sensor alerts", len(alerts), len(alerts))


def patrol_step(session: Session) -> None:
    from pingan.video.patrol import run_step

    step = run_step(session, Actor.system("video-patrol"), runtime.current().vault)
    if step.observations:
        log.info(
            "视频巡查 %d 路，事件 %d 起 / patrol checked %d cameras, %d incidents",
            len(step.observations),
            len(step.incidents),
            len(step.observations),
            len(step.incidents),
        )


def apply_posts(session: Session) -> None:
    from pingan.deployment.service import apply_current_plan

    moved = apply_current_plan(session, Actor.system("deployment"))
    if moved:
        log.info("按布警方案调整岗位 %d 个 / %d units moved to their planned posts", moved, moved)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    lock_key: int  # PostgreSQL advisory lock ("pingan" + job number): one process per turn
    interval: Callable[[Settings], float]
    run: Callable[[Session], None]


JOBS = (
    Job(
        "crowd.silent_sources",
        0x70696E67616E_01,
        lambda s: s.sensor_check_seconds,
        check_silent_sources,
    ),
    Job("video.patrol", 0x70696E67616E_02, lambda s: s.video_patrol_seconds, patrol_step),
    Job("deployment.apply_posts", 0x70696E67616E_03, lambda s: s.plan_posts_seconds, apply_posts),
)


def run_turn(db: Database, job: Job) -> bool:
    """Run one turn of `job`; False when another process holds this turn (PostgreSQL)."""
    with db.session() as session:
        if (
            db.dialect == "postgresql"
            and not session.execute(
                select(func.pg_try_advisory_xact_lock(job.lock_key))
            ).scalar_one()
        ):
            return False
        job.run(session)  # the service commits, which also releases the lock
        session.commit()
    return True


def start(settings: Settings, db: Database) -> Periodic | None:
    """Start the enabled jobs in one background thread (None when all are off)."""
    timer = Periodic("pingan-jobs")
    enabled = [j for j in JOBS if j.interval(settings) > 0]
    for job in enabled:
        timer.every(job.interval(settings), job.name, lambda job=job: run_turn(db, job))
    return timer.start() if enabled else None
