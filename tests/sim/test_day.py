"""A simulated stretch of a day on a real SQLite store, through the domain services only."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingan import runtime
from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.cli import app
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.deployment import service as deployment
from pingan.incidents import service as incidents
from pingan.services import stats as help_stats
from pingan.sim import visitors
from pingan.sim.day import SimConfig, surge
from pingan.sim.run import live_config, run_headless, simulation_for
from pingan.sim.scenario import DAYS, day_for
from pingan.units import service as units
from tests.sim.unaudited import WRITTEN, unaudited_writes

READER = Actor.system("test")


def _store(path: Path) -> Settings:
    settings = Settings(data_dir=path, database_url=None)
    build_demo(settings, sample_incidents=False)
    return settings


def _run(settings: Settings, config: SimConfig) -> tuple[list[tuple], tuple, list[tuple]]:
    """Incidents with their units, the help-service figures and the plan's posts."""
    db = Database(settings.resolved_database_url)
    try:
        simulation_for(settings, db, config).run()
        with db.session() as session:
            found, _ = incidents.list_incidents(
                session, READER, incidents.IncidentFilter(), limit=1000
            )
            calls = sorted(
                (i.type_code, i.area_code, (i.received_at - config.start).total_seconds(),
                 i.state, tuple(a.unit_id for a in incidents.assignments(session, READER, i.id)))
                for i in found
            )  # fmt: skip
            s = help_stats.service_stats(
                session, READER, since=config.start, until=utcnow() + timedelta(seconds=1)
            )
            help_figures = (s.cars_found, s.lost_reports, s.found_items, s.items_returned,
                            s.missing_reported, s.missing_found, s.breakdowns_requested,
                            s.breakdowns_helped)  # fmt: skip
            plans, _ = deployment.list_plans(session, READER, day=None, limit=10, offset=0)
            posts = [
                (p.version, q.unit_id, q.site_code)
                for p in plans
                for q in deployment.plan_posts(session, READER, p.id)
            ]
            return calls, help_figures, sorted(posts)
    finally:
        db.dispose()


def test_a_seed_gives_the_same_stretch_of_day(tmp_path):
    start = (utcnow() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    config = SimConfig(
        day_kind="holiday", start=start, end=start + timedelta(minutes=30), speed=None,
        tick_s=20, rate_scale=15,
    )  # fmt: skip
    first, help_a, posts_a = _run(_store(tmp_path / "a"), config)
    second, help_b, posts_b = _run(_store(tmp_path / "b"), config)
    assert first == second
    assert len(first) >= 3  # calls arrived, and were handled
    assert any(assigned for *_, assigned in first)
    assert help_a == help_b and sum(help_a) >= 1  # the same help cases, step for step
    assert posts_a == posts_b and posts_a  # the same plan, the same posts


def test_headless_run_reports_what_the_store_holds(tmp_path):
    settings = _store(tmp_path)
    report = run_headless(settings, SimConfig(day_kind="holiday", rate_scale=15, tick_s=20), 0.5)
    db = Database(settings.resolved_database_url)
    try:
        with db.session() as session:
            stored, total = incidents.list_incidents(
                session, READER, incidents.IncidentFilter(since=report.since), limit=1000
            )
            moved = [u for u in units.list_units(session, limit=100)[0] if u.position_at]
            chain = audit.verify(session)
            trail = unaudited_writes(session)
    finally:
        db.dispose()
    assert report.kpi is not None and report.kpi.incidents == total
    assert sum(report.per_type.values()) == total
    assert report.kpi.responded == sum(1 for i in stored if i.on_scene_at)
    assert report.kpi.responded >= 1  # units drove there along the roads and arrived
    assert moved and report.figures.positions > 0 and report.figures.readings > 0
    assert chain.ok and not trail.problems, trail.problems  # every write left its own record
    assert all(trail.checked[k] for k in WRITTEN), trail.checked  # and there were writes
    assert any("按类别" in line for line in report.lines())
    # the tiers count the same incidents: every grade has a first-force tier in both area types
    first = next(r for r in report.tiers if (r.group, r.tier) == ("all", "tier1"))
    assert first.incidents == report.kpi.incidents
    assert (
        first.measured + first.overridden + first.unverified + first.not_reached + first.pending
        == total
    )
    tiers = "\n".join(report.lines())
    assert "分级到场" in tiers and "从派警起" in tiers  # the tier lines: one language


def test_the_days_match_the_bureaus_totals():
    for kind, expected in (("normal", 20_000), ("holiday", 50_000)):
        day = day_for(kind)
        total = visitors.hourly_visitors(day, day + timedelta(days=1)).daily_totals()[0]
        assert abs(total - expected) / expected < 0.15, (kind, total)
    with pytest.raises(ValueError, match="未知日期类型"):
        day_for("weekday")
    assert set(DAYS) == {"normal", "holiday"}


def test_holiday_build_up_on_the_bridge_crosses_the_yellow_line(tmp_path):
    city = runtime.configure(Settings(data_dir=tmp_path)).city.get()
    bridge = city.key_areas["bridge_3"]
    peak = max(surge("bridge_3", h / 60, "holiday", city) for h in range(24 * 60))
    assert peak >= 0.8 * (bridge.instant_capacity or 0)  # 80 %: the yellow threshold
    assert surge("music_fountain", 21.5, "holiday", city) == 0


def test_simulate_command_prints_the_days_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("PINGAN_LANG", "zh_CN")  # the report in one language: Chinese
    r = CliRunner().invoke(
        app, ["simulate", "--day", "holiday", "--hours", "0.2", "--busy", "10", "--report"]
    )
    assert r.exit_code == 0, r.output
    assert "1分钟" in r.output and "按类别：" in r.output and "客流告警：" in r.output
    assert "预计到达误差" in r.output and "模拟世界：" in r.output
    assert "分级到场" in r.output and "从接警起" in r.output
    assert "便民服务：" in r.output and "找车 " in r.output and "车辆故障" in r.output
    assert "计划与实际：" in r.output and "口径：" in r.output
    assert r.output.count("期望 ") == 3  # one line per tier, the plan's figure beside
    assert "cars found" not in r.output and "planned vs realized" not in r.output
    r = CliRunner().invoke(app, ["simulate", "--day", "weekday"])
    assert r.exit_code == 2 and "未知日期类型" in r.output


def test_speed_paces_the_whole_run_not_only_the_replay(tmp_path):
    """`pingan demo --speed N`: the clock starts far enough back to keep N× for an hour and
    keeps N× all the while it is behind the present."""
    ten = live_config("holiday", speed=10)
    behind = utcnow() - ten.start
    assert timedelta(hours=8, minutes=59) <= behind <= timedelta(hours=9, minutes=1)
    assert ten.speed == ten.rewind_speed == 10
    assert live_config("holiday").rewind_speed is None  # speed 1: catch up at once
    with pytest.raises(ValueError, match="回放分钟数"):
        live_config("holiday", speed=10, rewind_minutes=25 * 60)
    settings = _store(tmp_path)
    config = live_config("normal", speed=120, rewind_minutes=20, tick_s=20, rate_scale=0)
    config = replace(config, end=config.start + timedelta(minutes=4))
    db = Database(settings.resolved_database_url)
    try:
        began = time.monotonic()
        simulation_for(settings, db, config).run()
        took = time.monotonic() - began
    finally:
        db.dispose()
    assert 1.8 <= took <= 10, took  # 240 simulated seconds at 120×: 2 s, not flat out
