"""`pingan report response --by …` prints the tiers with their clocks, in a fresh process on a
fresh data directory whose store holds one key-area fight written straight to the tables."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import shapely

from pingan.config import Settings
from pingan.db.engine import Database
from pingan.geo.city import load_key_areas, sample_paths
from pingan.incidents.models import Assignment, Incident
from pingan.units.models import Unit

AREAS, _ = load_key_areas(sample_paths()[1])


def _pingan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pingan.cli", *args], capture_output=True, text=True, timeout=120
    )


def _store_fight(data: Path) -> None:
    """A P1 fight inside the music fountain's polygon: dispatched 20 s after the call, three
    cars on scene (verified) 45, 150 and 320 s after it."""
    spot = shapely.Polygon(AREAS["music_fountain"].polygon).representative_point()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    db = Database(Settings(data_dir=data).resolved_database_url)
    try:
        with db.session() as s:
            inc = Incident(
                case_number="T-1", type_code="fight", priority=1, state="closed",
                source="call_110", summary="斗殴", lon=spot.x, lat=spot.y, created_by="t",
                received_at=t0, on_scene_at=t0 + timedelta(seconds=45), arrival_check="verified",
            )  # fmt: skip
            s.add(inc)
            s.flush()
            for i, secs in enumerate((45, 150, 320)):
                unit = Unit(
                    call_sign=f"巡{i}", kind="patrol_car", name=f"巡{i}", crew_size=2,
                    capabilities=["arrest", "first_aid"], status="available",
                )  # fmt: skip
                s.add(unit)
                s.flush()
                s.add(
                    Assignment(
                        incident_id=inc.id,
                        unit_id=unit.id,
                        state="released",
                        dispatched_by="t",
                        dispatched_at=t0 + timedelta(seconds=20),
                        on_scene_at=t0 + timedelta(seconds=secs),
                        arrival_check="verified",
                    )
                )
            s.commit()
    finally:
        db.dispose()


def test_report_response_prints_each_tier_from_the_call_and_from_the_dispatch_order(tmp_path):
    data = tmp_path / "data"
    assert _pingan("db", "upgrade", "--data-dir", str(data)).returncode == 0
    _store_fight(data)
    out = _pingan("report", "response", "--data-dir", str(data), "--by", "area_type")
    assert out.returncode == 0, out.stderr
    assert "从接警起" in out.stdout and "从派警起" in out.stdout  # a bare machine: Chinese
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.stdout.splitlines()}
    # applies, measured, not reached, overridden, met and P90 from the call / dispatch, pending
    assert rows[("tier1", "key_area")] == ["1", "1", "0", "0", "100%", "100%", "45s", "25s", "0"]
    assert rows[("tier3", "key_area")] == ["1", "1", "0", "0", "100%", "100%", "150s", "130s", "0"]
    assert rows[("tier5", "key_area")] == ["1", "1", "0", "0", "0%", "100%", "320s", "300s", "0"]
    first = [line for line in out.stdout.splitlines() if line.startswith("all ")]
    assert len(first) == 1 and first[0].split()[1:4] == ["1", "1", "1"]  # first arrival kept
    by_hour = _pingan("report", "response", "--data-dir", str(data), "--by", "hour")
    assert by_hour.returncode == 0 and "tier5" in by_hour.stdout
    bad = _pingan("report", "response", "--data-dir", str(data), "--by", "colour")
    assert bad.returncode == 2 and "未知分组" in bad.stderr
