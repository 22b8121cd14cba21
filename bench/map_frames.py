"""Map frame time: the command centre's map while 500 units and 200 incidents move every second.

    .venv/bin/python bench/map_frames.py [--quick] [--units 500] [--incidents 200]
                                         [--seconds 10] [--rounds 2]

Starts a real `pingan demo` server and headless Debian Chromium (`/usr/bin/chromium`), both
with the browser tests' launchers (tests/web/conftest.py), logs in as the commander at full
scale (1400 × 860) and runs the map's frame probe (`window.pingan.stress`): synthetic units
and incidents redrawn once a second while every animation frame's interval is recorded, and
how long each redraw took. Baseline in the same run: the same page and probe with nothing to
redraw (0 units, 0 incidents). The two alternate, `--rounds` times each. Headless Chromium
paces frames at 60 Hz (16.7 ms): an interval above 25 ms is counted late (a frame missed).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' launchers

from tests.web.browser import login
from tests.web.conftest import CHROMIUM, headless_chromium, running_demo

FRAME_60HZ_MS = 1000 / 60


def _figures(runs: list[dict]) -> dict[str, float]:
    frames = np.concatenate([np.asarray(r["frame_ms"], float) for r in runs])
    draws = np.concatenate([np.asarray(r["draw_ms"], float) for r in runs])
    return {
        "frames": int(frames.size),
        "p50_ms": round(float(np.percentile(frames, 50)), 2),
        "p90_ms": round(float(np.percentile(frames, 90)), 2),
        "p99_ms": round(float(np.percentile(frames, 99)), 2),
        "max_ms": round(float(frames.max()), 2),
        "late_share": round(float((frames > FRAME_60HZ_MS * 1.5).mean()), 4),
        "redraw_p50_ms": round(float(np.percentile(draws, 50)), 2) if draws.size else 0.0,
        "redraw_max_ms": round(float(draws.max()), 2) if draws.size else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 s per run, one round")
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--incidents", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    seconds, rounds = (3.0, 1) if args.quick else (args.seconds, args.rounds)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} missing (apt-get install chromium)")
    cases = {
        "baseline: nothing to redraw": (0, 0),
        f"{args.units} units + {args.incidents} incidents": (args.units, args.incidents),
    }
    runs: dict[str, list[dict]] = {name: [] for name in cases}
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_demo(Path(tmp)) as demo,
        headless_chromium() as browser,
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        login(page, demo, "commander")
        page.goto(demo.url + "/#map")
        page.wait_for_selector("#live.ok")
        page.wait_for_timeout(1000)  # roads and live units drawn
        for _ in range(rounds):
            for name, (n_units, n_incidents) in cases.items():
                probe = f"window.pingan.stress({n_units}, {n_incidents}, {seconds})"
                runs[name].append(page.evaluate(probe))
    figures = {name: _figures(r) for name, r in runs.items()}
    print(f"\nmap frame time, {rounds} × {seconds:g} s per case, headless Chromium at 60 Hz")
    head = f"{'case':<34}{'frames':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(head + f"{'late':>8}{'redraw p50':>12}{'redraw max':>12}")
    for name, f in figures.items():
        print(f"{name:<34}{f['frames']:>8}{f['p50_ms']:>9}{f['p90_ms']:>9}{f['p99_ms']:>9}"
              f"{f['max_ms']:>9}{f['late_share']:>8.1%}{f['redraw_p50_ms']:>12}"
              f"{f['redraw_max_ms']:>12}")  # fmt: skip
    baseline, load = figures.values()
    print(json.dumps({"bench": "map_frames", "units": args.units, "incidents": args.incidents,
                      "seconds": seconds, "rounds": rounds, "baseline": baseline,
                      "load": load}))  # fmt: skip


if __name__ == "__main__":
    main()
