"""Cover moves (动中备勤) measured: the same simulated holiday evening without and with them.

    .venv/bin/python bench/moveup.py [--quick] [--hours 6] [--busy 1] [--seed N]

Runs `pingan simulate`'s headless day (the sample city, a temporary SQLite store each, the
platform's simulated world) twice from the same start — the latest holiday evening from
17:00 local (Asia/Shanghai) that has ended by now — once with the simulated dispatcher
ignoring move-up proposals (baseline) and once accepting them after its usual delay.

Prints, per run: incidents, verified arrivals, first arrival within 1/3/5 minutes, P50 and
P90 (received → first unit on scene, the response report's clock), uncovered key-area-minutes
(each simulated minute, the key areas whose 1-minute circle / 3-minute zone is more than
the trigger margin below the plan's own cover: moveup.yaml) and the moves accepted; then one
JSON line of the figures. `--quick`: one hour at five times the call rate.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from day_figures import day_parser, response_fields

from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.demo import build_demo
from pingan.dispatch.kpi import LOCAL_TZ, seconds_text, share_text
from pingan.sim.day import SimConfig
from pingan.sim.run import MAX_REWIND_MIN, DayReport, run_headless

EVENING_LOCAL_H = 17


def evening_start(hours: float, now: datetime) -> datetime:
    """The latest 17:00 local whose stretch has ended by now; if that is more than a day
    back (the simulation's crowd readings are at most a day old), the stretch ending at the
    last whole hour instead."""
    local = now.astimezone(LOCAL_TZ)
    start = local.replace(hour=EVENING_LOCAL_H, minute=0, second=0, microsecond=0)
    while start + timedelta(hours=hours) > local:
        start -= timedelta(days=1)
    if (local - start).total_seconds() > MAX_REWIND_MIN * 60:
        start = local.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    return start.astimezone(now.tzinfo)


def run(moveups: bool, start: datetime, hours: float, busy: float, seed: int):
    with tempfile.TemporaryDirectory(prefix="pingan-bench-moveup-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None)
        build_demo(settings, sample_incidents=False)
        config = SimConfig(day_kind="holiday", seed=seed, rate_scale=busy, tick_s=15,
                           moveups=moveups)  # fmt: skip
        began = time.perf_counter()
        report = run_headless(settings, config, hours, start=start)
        return report, time.perf_counter() - began


def row(name: str, r: DayReport, took: float) -> dict[str, object]:
    f = r.figures
    return {
        "run": name,
        **response_fields(r),
        "uncovered_1_area_min": f.uncovered_minutes.get("tier1", 0),
        "uncovered_3_area_min": f.uncovered_minutes.get("tier3", 0),
        "moveups": f.moveups,
        "seconds": round(took, 1),
    }


def main() -> None:
    ap = day_parser(
        __doc__,
        quick="1 hour at 5× the call rate",
        hours=6.0,
        hours_help="from 17:00 local, at most 23",
    )
    args = ap.parse_args()
    hours, busy = (1.0, 5.0) if args.quick else (args.hours, args.busy)
    if not 0 < hours <= 23:
        ap.error("--hours must be within (0, 23]")
    start = evening_start(hours, utcnow())
    rows = [
        row(name, *run(on, start, hours, busy, args.seed))
        for name, on in (("off (baseline)", False), ("move-ups", True))
    ]
    print(f"holiday from {start.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} local, {hours:g} h, "
          f"calls ×{busy:g}, seed {args.seed}")  # fmt: skip
    print(
        f"{'run':<16}{'calls':>6}{'verif':>6}{'1min':>6}{'3min':>6}{'5min':>6}{'P50':>7}"
        f"{'P90':>7}  {'unc1 a·min':>10}{'unc3 a·min':>11}{'moves':>6}{'s':>7}"
    )
    for r in rows:
        print(
            f"{r['run']:<16}{r['incidents']:>6}{r['verified']:>6}"
            f"{share_text(r['within_1']):>6}{share_text(r['within_3']):>6}"  # type: ignore[arg-type]
            f"{share_text(r['within_5']):>6}{seconds_text(r['p50_s']):>7}"  # type: ignore[arg-type]
            f"{seconds_text(r['p90_s']):>7}  {r['uncovered_1_area_min']:>10}"  # type: ignore[arg-type]
            f"{r['uncovered_3_area_min']:>11}{r['moveups']:>6}{r['seconds']:>7}"
        )
    print(json.dumps({"bench": "moveup", "start": start.isoformat(), "hours": hours,
                      "busy": busy, "seed": args.seed, "rows": rows}))  # fmt: skip


if __name__ == "__main__":
    main()
