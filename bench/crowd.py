"""Crowd benchmark: count-reading ingest throughput and reading-to-alert latency.

    .venv/bin/python bench/crowd.py [--quick] [--postgres URL] [--ingest-only]

Readings from 700 sources (100 per key area of the sample city) go through the real service
(`pingan.crowd.service.ingest`: validation, idempotent insert, fusion, level tracking and
early warning, one transaction per batch) into a SQLite store (and PostgreSQL when a URL is
given). Baseline in the same run, on the same readings (20,000; 5,000 with --quick): the
same service fed one reading per transaction, as a naive gateway would. Only the batch size
differs, and with it the work done once per call — a commit, an audit record, each touched
area judged again — so the table shows, next to each rate, the readings stored, the
transactions and the audit records. Latency: a build-up in one area, one reading per second
of simulated time, timed from the call to the alert it raises (in-process). Then, unless
--ingest-only, it runs bench/crowd_forecast.py (forecast WAPE against seasonal-naive) and
bench/video.py (detector frames per second) in their own processes and adds their figures,
prefixed forecast_ and video_. Prints the tables, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from companion import companion
from sqlalchemy import func, select
from stores import migrated_store

from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.crowd import service
from pingan.crowd.models import CountReading
from pingan.db.engine import Database
from pingan.geo.city import load_city

SENSOR = Actor.system("bench")
BATCH = 5000  # the API's largest batch; a gateway flushes about once a second


def fresh_store(url: str | None, tmp: Path) -> Database:
    return migrated_store(url or f"sqlite:///{tmp / f'crowd-{time.monotonic_ns()}.db'}")


def readings(city, n: int, start: datetime, per_area: int = 100) -> list[service.NewReading]:
    """n readings spread over sources and areas, one per source per second, moderate counts."""
    areas = list(city.key_areas.values())
    rng = np.random.default_rng(7)
    out = []
    sources = [(a, f"{a.code}-cam{i:03d}") for a in areas for i in range(per_area)]
    for k in range(n):
        area, sid = sources[k % len(sources)]
        at = start + timedelta(seconds=k // len(sources))
        base = 0.3 * (area.instant_capacity or 1000)
        out.append(
            service.NewReading(
                sid, area.code, "camera", at, float(base * (1 + 0.05 * rng.standard_normal()))
            )
        )
    return out


@dataclass(frozen=True)
class Ingest:
    """One ingest run: its rate, and what it left in the store (so two runs can be compared:
    the same readings stored, and how many transactions and audit records they took)."""

    readings_per_s: float
    transactions: int
    stored: int
    audit_records: int


def throughput(db: Database, city, batch: list[service.NewReading], size: int) -> Ingest:
    t0 = time.perf_counter()
    calls = 0
    with db.session() as session:
        for i in range(0, len(batch), size):
            service.ingest(session, SENSOR, city, batch[i : i + size])
            calls += 1
    rate = len(batch) / (time.perf_counter() - t0)
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(CountReading))
        audited = session.scalar(select(func.count()).where(AuditRecord.action == "crowd.ingest"))
    return Ingest(rate, calls, stored or 0, audited or 0)


def alert_latency(db: Database, city, seconds: int) -> tuple[list[float], list[float]]:
    """A build-up on Bridge No. 3, one gate reading per simulated second: the time from the
    ingest call to the area's judged level (every reading) and to each alert it raised."""
    area = city.key_areas["bridge_3"]
    start = datetime.now(UTC) - timedelta(seconds=seconds + 5)
    judged, alerted = [], []
    with db.session() as session:
        for t in range(seconds):
            count = 0.5 * area.instant_capacity + t * 0.004 * area.instant_capacity
            r = service.NewReading(
                "b3-gate", area.code, "gate", start + timedelta(seconds=t), count
            )
            t0 = time.perf_counter()
            result = service.ingest(session, SENSOR, city, [r])
            ms = (time.perf_counter() - t0) * 1000
            judged.append(ms)
            if result.alerts:
                alerted.append(ms)
    return judged, alerted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--postgres", help="also measure on this PostgreSQL URL")
    ap.add_argument(
        "--ingest-only",
        action="store_true",
        help="skip the forecast (bench/crowd_forecast.py) and detector (bench/video.py) parts",
    )
    args = ap.parse_args()
    n = 5_000 if args.quick else 20_000  # both ways; one at a time is what bounds the size
    repeat = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        city = load_city(cache_dir=tmp)
        stores = {"sqlite": None, **({"postgresql": args.postgres} if args.postgres else {})}
        figures: dict[str, float] = {"readings": n}
        rows = []
        ingests: list[tuple[str, float, Ingest]] = []
        # The same n readings both ways: only the batch size differs, and with it the number
        # of transactions and audit records (both printed next to the rate).
        for name, url in stores.items():
            start = datetime.now(UTC) - timedelta(hours=2)
            for way, size, label in (
                ("", BATCH, f"batches of {BATCH:,}"),
                ("baseline_", 1, "baseline: one reading per transaction"),
            ):
                runs = []
                for _ in range(repeat):
                    db = fresh_store(url, tmp)
                    runs.append(throughput(db, city, readings(city, n, start), size))
                    db.dispose()
                rate = statistics.median(r.readings_per_s for r in runs)
                figures[f"{name}_{way}readings_per_s"] = round(rate)
                figures[f"{name}_{way}transactions"] = runs[-1].transactions
                figures[f"{name}_{way}stored"] = runs[-1].stored
                ingests.append((f"{label} ({name})", rate, runs[-1]))
        db = fresh_store(None, tmp)
        judged, alerted = alert_latency(db, city, 200 if args.quick else 600)
        db.dispose()
        for key, values in (("reading", judged), ("alert", alerted)):
            figures[f"{key}_p50_ms"] = round(float(np.percentile(values, 50)), 2)
            figures[f"{key}_p99_ms"] = round(float(np.percentile(values, 99)), 2)
        figures["alerts_measured"] = len(alerted)
        rows.append(
            (
                "reading → level judged p50 / p99 (in-process, SQLite)",
                f"{figures['reading_p50_ms']} / {figures['reading_p99_ms']}",
                "ms",
            )
        )
        rows.append(
            (
                f"reading → alert p50 / p99 ({len(alerted)} alerts)",
                f"{figures['alert_p50_ms']} / {figures['alert_p99_ms']}",
                "ms",
            )
        )
    figures["speedup_sqlite"] = round(
        figures["sqlite_readings_per_s"] / figures["sqlite_baseline_readings_per_s"], 1
    )
    print(f"ingest: the same {n:,} readings each way, median of {repeat}")
    print(f"{'way':<48}{'readings/s':>11}{'stored':>9}{'transactions':>14}{'audit records':>15}")
    for label, rate, run in ingests:
        print(
            f"{label:<48}{rate:>11,.0f}{run.stored:>9,}{run.transactions:>14,}"
            f"{run.audit_records:>15,}"
        )
    print(f"\n{'measure':<56}{'value':>16}  unit")
    for label, value, unit in rows:
        print(f"{label:<56}{value!s:>16}  {unit}")
    print(f"{'speed-up over the baseline (SQLite)':<56}{figures['speedup_sqlite']:>16}  x")
    if not args.ingest_only:
        for prefix, script in (("forecast", "crowd_forecast.py"), ("video", "video.py")):
            part = companion(script, *(["--quick"] if args.quick else []))
            figures.update({f"{prefix}_{k}": v for k, v in part.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
