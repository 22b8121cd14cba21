"""Timed jobs: what must happen when no request or event asks for it.

Domains declare their jobs in `pingan/<domain>/jobs.py` with `@timed(name, every=...)`;
`load_jobs()` imports every such module, so this scheduler (and the bus worker that starts
it) knows no domain. Today: `crowd.silent_sources`, `video.patrol`, `deployment.apply_posts`,
`fraud.expiry`, `visits.reminders`, `visits.no_shows`.

`pingan serve` and `pingan worker` both run them. On PostgreSQL each turn takes a
transaction-scoped advisory lock first (its key derived from the job's name), so with several
processes one of them does each turn and a camera is never checked twice in the same minute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.config import Settings
from pingan.db.engine import Database
from pingan.domains import import_domain_modules
from pingan.periodic import Periodic

JobRun = Callable[[Session], None]
"""One turn inside the given session (the scheduler commits after it)."""


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    lock_key: int  # PostgreSQL advisory lock: one process per turn
    interval: Callable[[Settings], float]  # seconds between turns; 0 turns the job off
    run: JobRun


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key per job name (no number to coordinate)."""
    digest = hashlib.blake2b(f"pingan-job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


JOBS: dict[str, Job] = {}
"""The process's jobs by name, as the domains' `jobs` modules registered them."""


def timed(name: str, *, every: Callable[[Settings], float]) -> Callable[[JobRun], JobRun]:
    """Declare a timed job; `every` reads its interval from the settings."""

    def register(run: JobRun) -> JobRun:
        known = JOBS.get(name)
        if known is not None and known.run is not run:
            raise ValueError(f"timed job {name!r} is already registered")
        JOBS[name] = Job(name, lock_key(name), every, run)
        return run

    return register


def load_jobs(extra_modules: Iterable[str] = ()) -> list[Job]:
    """Import every `pingan.<domain>.jobs` module (and any extra ones); all jobs known."""
    import_domain_modules("jobs", extra_modules)
    return list(JOBS.values())


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
    enabled = [j for j in load_jobs() if j.interval(settings) > 0]
    for job in enabled:
        timer.every(job.interval(settings), job.name, lambda job=job: run_turn(db, job))
    return timer.start() if enabled else None
