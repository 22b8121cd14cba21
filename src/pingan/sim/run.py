"""Running a simulated day: beside the server (`pingan demo`) or headless (`pingan simulate`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.bus.registry import load_handlers
from pingan.bus.worker import Backbone
from pingan.config import Settings
from pingan.crowd import service as crowd
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.dispatch.kpi import KpiRow
from pingan.dispatch.service import response_report
from pingan.incidents import service as incidents
from pingan.sim.day import DaySimulation, Figures, SimConfig

REPORTER = Actor.system("sim-report")


def simulation_for(settings: Settings, db: Database, config: SimConfig) -> DaySimulation:
    """A simulation over this process's shared city, pools and vault (see pingan.runtime)."""
    rt = runtime.configure(settings)
    return DaySimulation(db, rt.vault, rt.city.get(), rt.pools, config)


@dataclass
class DayReport:
    """The day's figures, read back from the store through the services."""

    since: datetime
    until: datetime
    kpi: KpiRow | None
    per_type: dict[str, int]
    alerts: dict[str, int]
    figures: Figures = field(default_factory=Figures)

    def lines(self) -> list[str]:
        out = [f"模拟时段 / simulated {self.since:%Y-%m-%d %H:%M} – {self.until:%H:%M} UTC"]
        k = self.kpi
        if k is None or not k.incidents:
            out.append("无警情 / no incidents")
        else:

            def pct(v: float | None) -> str:
                return "-" if v is None else f"{v:.0%}"

            out.append(
                f"警情 incidents {k.incidents} · 到场 responded {k.responded} · "
                f"1分钟 {pct(k.within.get('tier1'))} · 3分钟 {pct(k.within.get('tier3'))} · "
                f"5分钟 {pct(k.within.get('tier5'))} · P50 {k.p50_s or 0:.0f}s · "
                f"P90 {k.p90_s or 0:.0f}s"
            )
        out.append("按类别 / per type: " + ", ".join(f"{t} {n}" for t, n in self.per_type.items()))
        out.append(
            "客流告警 / crowd alerts: "
            + (", ".join(f"{k} {n}" for k, n in self.alerts.items()) or "0")
        )
        f = self.figures
        out.append(
            f"写入 / written: readings {f.readings}, incidents {f.incidents}, dispatches "
            f"{f.dispatched}, positions {f.positions}, refused steps {f.refused}"
        )
        return out


def day_report(session: Session, since: datetime, until: datetime) -> DayReport:
    # `until` is not applied: handlers (crowding incidents) stamp the wall clock
    rows = response_report(session, REPORTER, since=since, until=None, by="all")
    found, _ = incidents.list_incidents(
        session, REPORTER, incidents.IncidentFilter(since=since), limit=100_000
    )
    per_type = dict(Counter(i.type_code for i in found).most_common())
    raised, _ = crowd.alerts(
        session, REPORTER, area_code=None, since=since, limit=100_000, offset=0
    )
    alerts = dict(Counter(f"{a.area_code}:{a.level}" for a in raised).most_common())
    return DayReport(since, until, rows[0] if rows else None, per_type, alerts)


def run_headless(settings: Settings, config: SimConfig, hours: float) -> DayReport:
    """Simulate the `hours` up to now as fast as the store allows; events are delivered after
    each step in this thread (in-process handlers), so a seed gives the same day."""
    db = Database(settings.resolved_database_url)
    try:
        load_handlers()
        backbone = Backbone(settings, db)  # relay driven by hand below, not as a thread
        until = utcnow().replace(microsecond=0)
        since = until - timedelta(hours=hours)
        config = replace(config, start=since, end=until, speed=None, rewind_speed=None)
        sim = simulation_for(settings, db, config)
        relay = backbone.relay
        sim.after_tick = relay.drain if relay else None
        figures = sim.run()
        if relay:
            relay.drain()
        backbone.stop()
        with db.session() as session:
            report = day_report(session, since, until)
        report.figures = figures
        return report
    finally:
        db.dispose()
