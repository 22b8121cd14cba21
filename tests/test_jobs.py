"""Timed jobs on both stores: a silent count source raises its alert with no request, the
patrol step checks due cameras, and on PostgreSQL one process at a time takes each turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pingan import jobs
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.video import scenes
from pingan.video.models import Observation
from tests.video.conftest import CROWD_FEET, camera_body, write

JOB = {j.name: j for j in jobs.load_jobs()}


def test_a_source_quiet_past_its_limit_raises_one_alert(client, accounts, db) -> None:
    quiet_since = datetime.now(UTC) - timedelta(minutes=6)
    reading = {
        "source_id": "gate-f1",
        "area_code": "music_fountain",
        "kind": "gate",
        "at": quiet_since.isoformat(),
        "count": 300,
    }
    h = accounts.headers(Role.OFFICER)
    assert client.post("/api/v1/crowd/readings", json={"readings": [reading]}, headers=h).is_success

    assert jobs.run_turn(db, JOB["crowd.silent_sources"])
    assert jobs.run_turn(db, JOB["crowd.silent_sources"])  # a second turn: same silence
    alerts = client.get("/api/v1/crowd/alerts", headers=h).json()["items"]
    silent = [a for a in alerts if a["kind"] == "sensor_silent"]
    assert len(silent) == 1 and "gate-f1" in silent[0]["text_en"]


def test_the_patrol_job_checks_the_cameras_that_are_due(client, accounts, db, tmp_path) -> None:
    body = camera_body(source=write(tmp_path / "crowd.jpg", scenes.scene(CROWD_FEET)))
    r = client.post("/api/v1/video/cameras", json=body, headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 201, r.text

    assert jobs.run_turn(db, JOB["video.patrol"])
    assert jobs.run_turn(db, JOB["video.patrol"])  # checked a moment ago: not due again
    with db.session() as session:
        rows = session.execute(select(Observation.count)).scalars().all()
    assert rows == [12]


def test_one_process_per_turn_on_postgresql(client, db) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: the turn lock is PostgreSQL's")
    job = JOB["video.patrol"]
    with db.session() as other:  # another process holding this turn
        assert other.execute(select(func.pg_try_advisory_xact_lock(job.lock_key))).scalar_one()
        assert jobs.run_turn(db, job) is False
    assert jobs.run_turn(db, job) is True


def test_a_job_set_to_zero_is_off() -> None:
    off = Settings(
        sensor_check_seconds=0,
        video_patrol_seconds=0,
        plan_posts_seconds=0,
        fraud_expiry_seconds=0,
        visits_reminders_seconds=0,
        visits_no_shows_seconds=0,
    )
    timer = jobs.start(off, None)  # type: ignore[arg-type]
    assert timer is None
