"""The simulated day measured against its own world, and against the platform's model.

    .venv/bin/python bench/sim_world.py [--quick] [--hours 23] [--busy 1] [--seed N]

Runs the same seeded holiday stretch (`pingan simulate`'s headless run, the sample city, a
temporary SQLite store each) twice, from the same start (the whole hours up to now):

* baseline "self": `WorldSpec()`, the platform's own model as truth — trips take the ETA
  the platform would compute from the unit's true position, fixes are exact and on time.
  This is what the day measured before it had a world of its own: its ETA error can only
  come from a fix one step old.
* "world": `sim/data/world.yaml` — speeds per road class, congestion by hour, junction
  waits, parking and the walk from the kerb, GPS noise, late and lost fixes, busy crews.

Prints response times (1/3/5-minute shares, P50, P90 of verified arrivals), the platform's
ETA error (travelled − predicted: bias, median and P90 of the misses), arrivals the fix
check refused and fixes late or lost, one row per world, then one JSON line of figures.
`--quick`: two hours at five times the call rate.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from day_figures import day_parser, response_fields

from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.demo import build_demo
from pingan.dispatch.kpi import seconds_text, share_text
from pingan.sim.day import SimConfig
from pingan.sim.run import DayReport, run_headless
from pingan.sim.world import WorldSpec, load_spec


def run(world: WorldSpec, hours: float, busy: float, seed: int) -> tuple[DayReport, float]:
    # the same whole hours for both worlds, ending by now (crowd readings ≤ a day old)
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    with tempfile.TemporaryDirectory(prefix="pingan-bench-world-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None)
        build_demo(settings, sample_incidents=False, fleet="small")  # the figures docs quote
        config = SimConfig(day_kind="holiday", seed=seed, rate_scale=busy, tick_s=15, world=world)
        began = time.perf_counter()
        report = run_headless(settings, config, hours, start=start)
        return report, time.perf_counter() - began


def row(name: str, r: DayReport, took: float) -> dict[str, object]:
    e, f = r.eta, r.figures
    return {
        "world": name,
        **response_fields(r),
        "eta_arrivals": e.arrivals if e else 0,
        "eta_bias_s": e.bias_s if e else None,
        "eta_median_abs_s": e.median_abs_s if e else None,
        "eta_p90_abs_s": e.p90_abs_s if e else None,
        "arrivals_refused": f.arrivals_refused,
        "fixes_late": f.fixes_late,
        "fixes_lost": f.fixes_lost,
        "seconds": round(took, 1),
    }


def main() -> None:
    ap = day_parser(
        __doc__,
        quick="2 hours at 5× the call rate",
        hours=23.0,
        hours_help="at most 23 (whole hours)",
    )
    args = ap.parse_args()
    hours, busy = (2.0, 5.0) if args.quick else (args.hours, args.busy)
    if not 0 < hours <= 23:
        ap.error("--hours must be within (0, 23]")
    rows = [
        row(name, *run(world, hours, busy, args.seed))
        for name, world in (("self (baseline)", WorldSpec()), ("world", load_spec()))
    ]
    print(f"holiday, {hours:g} h, calls ×{busy:g}, seed {args.seed}")
    print(
        f"{'world':<16}{'calls':>6}{'verif':>6}{'1min':>6}{'3min':>6}{'5min':>6}{'P50':>7}"
        f"{'P90':>7}  {'ETA n':>5}{'bias':>7}{'med':>6}{'P90':>6}  {'refused':>7}"
        f"{'late':>6}{'lost':>6}{'s':>7}"
    )
    for r in rows:
        print(
            f"{r['world']:<16}{r['incidents']:>6}{r['verified']:>6}"
            f"{share_text(r['within_1']):>6}{share_text(r['within_3']):>6}"  # type: ignore[arg-type]
            f"{share_text(r['within_5']):>6}{seconds_text(r['p50_s']):>7}"  # type: ignore[arg-type]
            f"{seconds_text(r['p90_s']):>7}  {r['eta_arrivals']:>5}"  # type: ignore[arg-type]
            f"{seconds_text(r['eta_bias_s'], signed=True):>7}"  # type: ignore[arg-type]
            f"{seconds_text(r['eta_median_abs_s']):>6}{seconds_text(r['eta_p90_abs_s']):>6}"  # type: ignore[arg-type]
            f"  {r['arrivals_refused']:>7}{r['fixes_late']:>6}{r['fixes_lost']:>6}"
            f"{r['seconds']:>7}"
        )
    print(json.dumps({"bench": "sim_world", "hours": hours, "busy": busy, "rows": rows}))


if __name__ == "__main__":
    main()
