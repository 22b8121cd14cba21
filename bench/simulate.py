"""How the simulated day's wall time grows with the number of units on duty.

    .venv/bin/python bench/simulate.py [--quick] [--hours 2] [--sizes 18,150,450] [--day]

Runs the seeded holiday (`pingan simulate`'s headless run: the sample city, a temporary SQLite
store each, 15-second ticks) over the same evening stretch — the latest local evening from
19:00 that ends by now — once per fleet size. The demo's 18 units are the baseline row; larger
fleets add units through the units service (`units.create_unit`), cycling the demo's kinds
over its posts in the key areas with a few tens of metres' jitter, so the planner, dispatcher
and devices see a denser city of the same make-up. Prints wall seconds per simulated hour and
the growth against the 18-unit row (× baseline), then one JSON line of figures.

`--day`: also the whole last 24 hours at the middle size (the target: ≤ 300 s on one core).
`--quick`: 18 and 40 units for ten simulated minutes (a smoke run for CI).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.demo import DEMO_UNITS, PLACES, build_demo
from pingan.sim.day import SimConfig
from pingan.sim.run import DayReport, run_headless
from pingan.sim.visitors import DEFAULT_SEED
from pingan.units import service as units

LOCAL = timezone(timedelta(hours=8))
EVENING_H = 19  # local: the holiday's busiest stretch (fountain show, crowds on the bridge)
BENCH = Actor.system("bench-units")


def evening_start(hours: float, now: datetime) -> datetime:
    """The latest local 19:00 whose stretch of `hours` ends by now (in UTC)."""
    local = now.astimezone(LOCAL).replace(hour=EVENING_H, minute=0, second=0, microsecond=0)
    while local + timedelta(hours=hours) > now:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


def add_units(settings: Settings, total: int) -> None:
    """Grow the demo's 18 units to `total`, of the same kinds at the same posts."""
    rng = random.Random(total)
    db = Database(settings.resolved_database_url)
    try:
        with db.session() as session:
            for i in range(total - len(DEMO_UNITS)):
                _, kind, place = DEMO_UNITS[i % len(DEMO_UNITS)]
                _, lon, lat = PLACES[place]
                units.create_unit(
                    session,
                    BENCH,
                    call_sign=f"B{i + 1:03d}",
                    kind=kind,
                    area_code=place,
                    post=(lon + rng.uniform(-0.0015, 0.0015), lat + rng.uniform(-0.0008, 0.0008)),
                )
    finally:
        db.dispose()


def run(size: int, hours: float, start: datetime | None, seed: int) -> tuple[DayReport, float]:
    with tempfile.TemporaryDirectory(prefix="pingan-bench-sim-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None)
        build_demo(settings, sample_incidents=False)
        add_units(settings, size)
        config = SimConfig(day_kind="holiday", seed=seed, tick_s=15)
        began = time.perf_counter()
        report = run_headless(settings, config, hours, start=start)
        return report, time.perf_counter() - began


def row(name: str, size: int, hours: float, r: DayReport, took: float) -> dict[str, object]:
    f = r.figures
    print(f"{name}: {took:.1f} s", file=sys.stderr, flush=True)  # progress of a long run
    return {
        "run": name,
        "units": size,
        "hours": hours,
        "seconds": round(took, 1),
        "s_per_hour": round(took / hours, 2),
        "incidents": f.incidents,
        "dispatches": f.dispatched,
        "positions": f.positions,
        "device_fixes": f.telemetry,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="18 and 40 units, ten minutes")
    ap.add_argument("--hours", type=float, default=2.0, help="evening stretch per size")
    ap.add_argument("--sizes", default="18,150,450", help="fleet sizes (the first: baseline)")
    ap.add_argument("--day", action="store_true", help="also the last 24 h at the middle size")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    hours = args.hours
    if args.quick:
        sizes, hours, args.day = [len(DEMO_UNITS), 40], 1 / 6, False
    if min(sizes) < len(DEMO_UNITS) or not 0 < hours <= 23:
        ap.error(f"sizes must be ≥ {len(DEMO_UNITS)} and hours within (0, 23]")
    start = evening_start(hours, utcnow())
    rows = [row(f"evening {n}", n, hours, *run(n, hours, start, args.seed)) for n in sizes]
    if args.day:
        mid = sizes[len(sizes) // 2]
        rows.append(row(f"24 h {mid}", mid, 24.0, *run(mid, 24.0, None, args.seed)))
    base = rows[0]["s_per_hour"]
    print(f"holiday, evening from {start.astimezone(LOCAL):%H:%M} local, seed {args.seed}")
    print(
        f"{'run':<14}{'units':>6}{'hours':>6}{'s':>8}{'s/h':>8}{'× base':>8}"
        f"{'calls':>7}{'disp':>6}{'fixes':>8}{'device':>8}"
    )
    for r in rows:
        r["growth"] = round(r["s_per_hour"] / base, 2) if base else None  # type: ignore[operator]
        print(
            f"{r['run']:<14}{r['units']:>6}{r['hours']:>6.3g}{r['seconds']:>8}"
            f"{r['s_per_hour']:>8}{r['growth']:>8}{r['incidents']:>7}{r['dispatches']:>6}"
            f"{r['positions']:>8}{r['device_fixes']:>8}"
        )
    print(json.dumps({"bench": "simulate", "baseline": rows[0]["run"], "rows": rows}))


if __name__ == "__main__":
    main()
