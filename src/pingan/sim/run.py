"""Running a simulated day: beside the server (`pingan demo`) or headless (`pingan simulate`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pingan import runtime
from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.bus.registry import load_handlers
from pingan.bus.worker import Backbone
from pingan.config import Settings
from pingan.crowd import service as crowd
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.deployment.realized import PlannedVsRealized, planned_lines, planned_vs_realized
from pingan.devices.config import DeviceSettings
from pingan.devices.hub import DeviceHub
from pingan.dispatch.kpi import EtaAccuracy, KpiRow, eta_text, seconds_text, share_text
from pingan.dispatch.service import PoolCache, eta_report, response_report
from pingan.dispatch.tier_report import tier_report
from pingan.dispatch.tiers import TierRow, tier_lines
from pingan.fraud.localbank import LocalBanks, store_keys
from pingan.geo.city import City, KeyArea
from pingan.i18n import msg, text
from pingan.incidents import service as incidents
from pingan.services import stats as help_stats
from pingan.sim.day import LOCAL, DaySimulation, Figures, SimConfig
from pingan.sim.devices import HubGetter
from pingan.sim.fraud_desk import FraudDesk, FraudFigures, fraud_figures

REPORTER = Actor.system("sim-report")


def simulation_for(
    settings: Settings,
    db: Database,
    config: SimConfig,
    devices: HubGetter | None = None,
    city: City | None = None,
    banks: LocalBanks | None = None,
) -> DaySimulation:
    """A simulation over this process's shared city, pools and vault (see pingan.runtime);
    `devices` gives the process's device hub (the server's, once its lifespan started it);
    `city`: the platform's city with other speed profiles (a pool of its own then);
    `banks`: the in-process banks fraud victims pay into (default: the store's, kept in its
    data folder — the demo server's registry when the day runs beside it)."""
    rt = runtime.configure(settings)
    audit.use_key(db, rt.vault.audit_key)
    banks = banks or local_banks(settings, db)
    return DaySimulation(
        db,
        rt.vault,
        city or rt.city.get(),
        PoolCache() if city else rt.pools,
        config,
        posts_path=settings.city_posts,
        osm_path=settings.city_osm,
        photo_dir=settings.data_dir / "help_photos",  # as the services router keeps them
        devices=devices,
        fraud=FraudDesk(banks, config.seed),
    )


FRAUD_BANKS = "fraud-banks"  # the in-process banks' ledgers, in the data folder


def local_banks(settings: Settings, db: Database) -> LocalBanks:
    """The demo's and the simulated day's banks (the bank simulator in process, never a real
    bank): their ledgers in `<data dir>/fraud-banks`, orders checked against the store's keys."""
    return LocalBanks.from_folder(settings.data_dir / FRAUD_BANKS, store_keys(db))


MAX_REWIND_MIN = 23 * 60.0  # crowd readings and device fixes may be at most a day old


def live_config(
    day_kind: str,
    *,
    speed: float = 1.0,
    rewind_minutes: float | None = None,
    **options: object,
) -> SimConfig:
    """The demo's day: services refuse future times, so a clock at N× must start in the past.
    It starts `rewind_minutes` ago (default: 30 at speed 1, caught up flat out; else
    (N − 1) × 60, an hour of N× time) and keeps N× until it reaches the present."""
    if speed < 1:
        raise ValueError(msg("sim.bad_speed"))
    if rewind_minutes is None:
        rewind_minutes = 30.0 if speed == 1 else min(MAX_REWIND_MIN, (speed - 1) * 60.0)
    if not 0 <= rewind_minutes <= MAX_REWIND_MIN:
        raise ValueError(msg("sim.bad_rewind", max=MAX_REWIND_MIN))
    return SimConfig(
        day_kind=day_kind,
        start=utcnow().replace(microsecond=0) - timedelta(minutes=rewind_minutes),
        speed=speed,
        rewind_speed=speed if speed > 1 else None,  # speed 1: catch up flat out
        **options,  # type: ignore[arg-type]
    )


# `pingan demo` with no options (lively_config): what a newcomer sees in the first minute.
LIVELY = {
    # the world's local hour the replay opens on: National Day's evening, the fountain show
    # (19:00-21:00 in October) and then the crowd pressing onto bridge 3 at 21:18
    "opens_at_h": 19.0,
    "replay_h": 3.0,  # 19:00-22:00 of the world, replayed from 3 h ago up to the present
    "speed": 30.0,  # so the 3 h take 6 minutes: a simulated minute every 2 s
    # calls at three times the day's rates (sim/data/calls.yaml): at the day's own rates, or
    # twice them, the page's first 30 s (15 simulated minutes) often bring one call or none
    "rate_scale": 3.0,
}


def lively_config(day_kind: str, *, now: datetime | None = None, **options: object) -> SimConfig:
    """The default demo: the same busy evening at any hour of the wall clock.

    Services refuse future timestamps and crowd readings may be at most a day old, so the
    clock starts `replay_h` ago and replays at `speed` until it reaches the present, then
    runs live. The world's hours are shifted ahead of the timestamps it writes so that the
    replay opens on `opens_at_h` local time: at 04:00 the calls come in stamped 01:00-04:00
    from an evening's crowds (the date is the kind of day's anyway, scenario.DAYS)."""
    start = (now or utcnow()).replace(microsecond=0) - timedelta(hours=LIVELY["replay_h"])
    local = start.astimezone(LOCAL)
    shift = (LIVELY["opens_at_h"] - (local.hour + local.minute / 60 + local.second / 3600)) % 24
    options.setdefault("rate_scale", LIVELY["rate_scale"])
    return SimConfig(
        day_kind=day_kind,
        start=start,
        speed=1.0,
        rewind_speed=LIVELY["speed"],
        clock_shift_h=shift,
        **options,  # type: ignore[arg-type]
    )


@dataclass
class DayReport:
    """The day's figures, read back from the store through the services."""

    since: datetime
    until: datetime
    kpi: KpiRow | None
    per_type: dict[str, int]
    alerts: dict[str, int]
    services: help_stats.ServiceStats | None = None
    figures: Figures = field(default_factory=Figures)
    eta: EtaAccuracy | None = None  # the platform's ETAs against the simulated world
    tiers: list[TierRow] = field(default_factory=list)  # tiered 1-3-5 by area type
    planned: PlannedVsRealized | None = None  # the plans' expected coverage vs the day
    fraud: FraudFigures | None = None  # fraud reports, their stop orders and the answers

    def lines(self) -> list[str]:
        out = [
            text(
                "sim.report.period",
                since=f"{self.since:%Y-%m-%d %H:%M}",
                until=f"{self.until:%H:%M}",
            )
        ]
        k = self.kpi
        # The line is printed on a quiet stretch too: "-" says there was nothing to measure.
        within = k.within if k else {}
        n, reached = (k.incidents, k.responded) if k else (0, 0)
        verified, overridden = (k.verified, k.overridden) if k else (0, 0)
        p50, p90 = (k.p50_s, k.p90_s) if k else (None, None)
        out.append(
            text(
                "sim.report.kpi",
                incidents=n,
                responded=reached,
                verified=verified,
                overridden=overridden,
                tier1=share_text(within.get("tier1")),
                tier3=share_text(within.get("tier3")),
                tier5=share_text(within.get("tier5")),
                p50=seconds_text(p50),
                p90=seconds_text(p90),
            )
        )
        out.append(eta_text(self.eta or EtaAccuracy(0, None, None, None)))
        out += tier_lines(self.tiers)
        out += planned_lines(self.planned)
        per_type = [f"{t} {n}" for t, n in self.per_type.items()]
        out.append(text("sim.report.per_type", types=per_type))
        alerts = [f"{k} {n}" for k, n in self.alerts.items()] or "0"
        out.append(text("sim.report.alerts", alerts=alerts))
        s = self.services
        if s is not None:
            rate = share_text(s.return_rate)
            out.append(
                text(
                    "sim.report.services",
                    cars_found=s.cars_found,
                    lost=s.lost_reports,
                    found=s.found_items,
                    returned=s.items_returned,
                    rate=rate,
                    missing=s.missing_reported,
                    missing_found=s.missing_found,
                    breakdowns=s.breakdowns_requested,
                    helped=s.breakdowns_helped,
                )
            )
        if self.fraud is not None:
            out.append(fraud_line(self.fraud))
        f = self.figures
        out.append(
            text(
                "sim.report.written",
                readings=f.readings,
                incidents=f.incidents,
                dispatches=f.dispatched,
                positions=f.positions,
                telemetry=f.telemetry,
                plate_reads=f.plate_reads,
                plans=f.plans,
                replans=f.replans,
                help_cases=f.help_cases,
                refused=f.refused,
            )
        )
        out.append(
            text(
                "sim.report.world",
                late=f.fixes_late,
                lost=f.fixes_lost,
                refused=f.arrivals_refused,
            )
        )
        return out


def fraud_line(f: FraudFigures) -> str:
    median = f.median_min()
    return text(
        "sim.report.fraud",
        cases=f.cases,
        orders=sum(f.outcomes.values()),
        stopped=f.outcomes.get("stopped", 0),
        not_stopped=f.outcomes.get("not_stopped", 0),
        unavailable=f.outcomes.get("unavailable", 0),
        other=sum(n for k, n in f.outcomes.items()
                  if k not in ("stopped", "not_stopped", "unavailable")),
        held=f"{f.held_fen / 100:,.2f}",
        minutes="-" if median is None else f"{median:.1f}",
    )  # fmt: skip


def day_report(
    session: Session,
    since: datetime,
    until: datetime,
    key_areas: Mapping[str, KeyArea] | None = None,
) -> DayReport:
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
    # help records are stamped when the service stores them (wall clock): count up to now
    services = help_stats.service_stats(session, REPORTER, since=since, until=utcnow())
    eta = eta_report(session, REPORTER, since=since, until=None)
    tiers = tier_report(session, REPORTER, key_areas or {}, since=since, until=None, by="area_type")
    planned = planned_vs_realized(session, REPORTER, since=since, until=None)
    fraud = fraud_figures(session, since)
    return DayReport(
        since,
        until,
        rows[0] if rows else None,
        per_type,
        alerts,
        services,
        eta=eta,
        tiers=tiers,
        planned=planned,
        fraud=fraud,
    )


def run_headless(
    settings: Settings,
    config: SimConfig,
    hours: float,
    *,
    start: datetime | None = None,
    speed: float | None = None,
    hub: DeviceHub | None = None,
) -> DayReport:
    """Simulate `hours` from `start` (default: the `hours` up to now) at `speed` × wall time
    throughout (None: as fast as the store allows); events are delivered after each step in
    this thread (in-process handlers), so a seed gives the same day. `hub`: the device hub
    robots and drones report to (default: one of this run's own, not started, flushed after
    each step)."""
    db = Database(settings.resolved_database_url)
    try:
        load_handlers()
        backbone = Backbone(settings, db)  # relay driven by hand below, not as a thread
        if start is None:
            until = utcnow().replace(microsecond=0)
            since = until - timedelta(hours=hours)
        else:
            since, until = start, start + timedelta(hours=hours)
            if until > utcnow():
                raise ValueError(msg("sim.stretch_in_future"))
        config = replace(config, start=since, end=until, speed=speed, rewind_speed=speed)
        # a hub of its own, flushed after each step rather than by its timer thread, so the
        # robots' positions the dispatcher reads are the same in every run of a seed
        hub = hub or DeviceHub(db, DeviceSettings(device_state_interval_s=0.0))
        hub.refresh_registry()
        sim = simulation_for(settings, db, config, devices=lambda: hub)
        relay = backbone.relay

        def after_tick() -> None:
            hub.flush()
            hub.mirror()
            if relay:
                relay.drain()

        sim.after_tick = after_tick
        try:
            figures = sim.run()
            after_tick()
        finally:
            hub.stop()
            backbone.stop()
        with db.session() as session:
            report = day_report(session, since, until, sim.city.key_areas)
        report.figures = figures
        return report
    finally:
        db.dispose()
