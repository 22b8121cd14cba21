"""Device positions benchmark: simulated fleet → Mosquitto → gateway → live state.

    .venv/bin/python bench/mqtt_positions.py [--quick] [--n 2000] [--hz 5] [--seconds 15]
        [--runs 3] [--mqtt mqtt://127.0.0.1:1883] [--redis redis://127.0.0.1:6379/0]
        [--database-url URL]

The simulator (`pingan devices simulate`, its own process) publishes telemetry for N
devices at HZ over the real broker; the gateway (`DeviceHub`, this process) validates every
message, applies it to the live state (memory, or Redis with --redis) and writes batches to
the store (SQLite by default) once a second. Reported per run, over a window after a warm-up:
sustained updates/s made visible, and publish-to-visible latency (the fix's timestamp is
taken when it is published; visible = applied to the live state, or written to Redis).
Baseline in the same run: a naive subscriber doing one store transaction per message.
Figures quoted are medians over the runs. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select, update
from stores import migrated_store

from pingan.auth.actor import Actor
from pingan.db.engine import Database
from pingan.devices import service
from pingan.devices.cli import register_fleet
from pingan.devices.config import DeviceSettings
from pingan.devices.fleet import plan
from pingan.devices.hub import DeviceHub
from pingan.devices.models import Device, PositionFix
from pingan.devices.protocol import Channel, Telemetry, topic
from pingan.units import service as units

ADMIN = Actor.system("bench")
PREFIX = "BENCH"
WARMUP_S = 2.0


def reachable(url: str) -> bool:
    u = urlparse(url)
    try:
        socket.create_connection((u.hostname, u.port or 1883), timeout=2).close()
        return True
    except OSError:
        return False


def prepare_store(url: str | None, tmp: Path, n: int) -> Database:
    """Register the fleet; bind a fifth of the devices to patrol units."""
    db = migrated_store(url or f"sqlite:///{tmp / 'bench.db'}")
    devices = plan(n, PREFIX)
    register_fleet(db, devices)
    with db.session() as session:
        for k, (serial, _) in enumerate(devices[: n // 5]):
            unit = units.create_unit(
                session, ADMIN, call_sign=f"B{k:04d}-{uuid.uuid4().hex[:4]}", kind="patrol_car"
            )
            service.bind_device(session, ADMIN, serial, unit.id)
    return db


def start_simulator(args: argparse.Namespace, seconds: float) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pingan.cli", "devices", "simulate", "--n", str(args.n)]
    cmd += ["--hz", str(args.hz), "--duration", str(seconds), "--mqtt", args.mqtt]
    cmd += ["--prefix", PREFIX]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def percentiles(lags: np.ndarray) -> tuple[float, float]:
    if lags.size == 0:
        return float("nan"), float("nan")
    return float(np.percentile(lags, 50) * 1000), float(np.percentile(lags, 99) * 1000)


def run_gateway(db: Database, args: argparse.Namespace, seconds: float) -> dict:
    settings = DeviceSettings(
        mqtt_url=args.mqtt,
        mqtt_client_id=f"bench-gw-{uuid.uuid4().hex[:8]}",
        mqtt_clean_session=True,
        redis_url=args.redis,
        redis_key_prefix=f"pingan:bench:{uuid.uuid4().hex[:8]}",
        device_latency_samples=2_000_000,
    )
    hub = DeviceHub(db, settings).start()
    try:
        hub.gateway.subscribed.wait(10)
        sim = start_simulator(args, WARMUP_S + seconds + 1.0)
        time.sleep(WARMUP_S)
        hub.counters.reset_lags()
        a0, t0, c0 = hub.counters.accepted["telemetry"], time.monotonic(), time.process_time()
        time.sleep(seconds)
        a1, t1, c1 = hub.counters.accepted["telemetry"], time.monotonic(), time.process_time()
        lags = hub.counters.lag_samples()
        sim_out = sim.communicate(timeout=60)[0]
        stats = hub.stats()
    finally:
        if hub.redis is not None:
            hub.redis.delete(
                f"{settings.redis_key_prefix}:devices", f"{settings.redis_key_prefix}:units"
            )
        hub.stop()
    p50, p99 = percentiles(lags)
    offered = _offered(sim_out)
    return {
        "updates_per_s": (a1 - a0) / (t1 - t0),
        "offered_per_s": offered,
        "p50_ms": p50,
        "p99_ms": p99,
        "cpu_pct": 100 * (c1 - c0) / (t1 - t0),
        "rejected": stats["rejected_total"],
        "flush_ms": stats["store"]["last_flush_ms"],
        "history_rows": stats["events"].get("history_rows", 0),
    }


def _offered(sim_out: str) -> float:
    for token in sim_out.replace("（", " ").split():
        if token.isdigit() and "条/秒" in sim_out.split(token, 1)[1][:4]:
            return float(token)
    return float("nan")


def run_baseline(db: Database, args: argparse.Namespace, seconds: float) -> dict:
    """One store transaction per message: parse, validate, update the device, insert a fix."""
    with db.session() as s:
        devices = dict(s.execute(select(Device.serial, Device.id)).all())
    done = 0
    lags: list[float] = []
    lock = threading.Lock()
    measuring = threading.Event()
    session = db.sessions()

    def on_message(c, userdata, message) -> None:  # type: ignore[no-untyped-def]
        nonlocal done
        serial = message.topic.split("/")[3]
        t = Telemetry.model_validate_json(message.payload)
        device_id = devices[serial]
        session.execute(
            update(Device).where(Device.id == device_id).values(lon=t.lon, lat=t.lat, fix_at=t.ts)
        )
        session.add(
            PositionFix(
                device_id=device_id,
                at=t.ts,
                lon_e6=round(t.lon * 1e6),
                lat_e6=round(t.lat * 1e6),
            )
        )
        session.commit()
        if measuring.is_set():
            with lock:
                done += 1
                lags.append(time.time() - t.ts.timestamp())

    u = urlparse(args.mqtt)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-naive-{uuid.uuid4().hex[:8]}"
    )
    client.on_message = on_message
    client.connect(u.hostname, u.port or 1883)
    client.subscribe(topic("+", Channel.TELEMETRY), 0)
    client.loop_start()
    time.sleep(0.5)
    sim = start_simulator(args, WARMUP_S + seconds + 1.0)
    time.sleep(WARMUP_S)
    measuring.set()
    t0 = time.monotonic()
    time.sleep(seconds)
    measuring.clear()
    t1 = time.monotonic()
    sim.communicate(timeout=60)
    client.disconnect()
    client.loop_stop()
    session.close()
    p50, p99 = percentiles(np.array(lags))
    return {"updates_per_s": done / (t1 - t0), "p50_ms": p50, "p99_ms": p99}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few-second smoke run")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--hz", type=float, default=5.0)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mqtt", default="mqtt://127.0.0.1:1883")
    ap.add_argument("--redis", default=None, help="keep live state in Redis")
    ap.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = ap.parse_args()
    if args.quick:
        args.n, args.seconds, args.runs = min(args.n, 500), 3.0, 1
    if not reachable(args.mqtt):
        sys.exit(f"MQTT broker not reachable at {args.mqtt}")

    with tempfile.TemporaryDirectory() as tmp:
        db = prepare_store(args.database_url, Path(tmp), args.n)
        runs = [run_gateway(db, args, args.seconds) for _ in range(args.runs)]
        with db.session() as session:
            fixes = session.execute(select(func.count()).select_from(PositionFix)).scalar_one()
        base = run_baseline(db, args, max(3.0, args.seconds / 2))
        db.dispose()

    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    offered = args.n * args.hz
    print(f"\n{args.n} devices × {args.hz:g} Hz = {offered:.0f} offered updates/s over Mosquitto")
    print(
        f"store: {'SQLite' if not args.database_url else args.database_url.split(':')[0]}, "
        f"live state: {'Redis' if args.redis else 'memory'}, {args.runs} run(s) of "
        f"{args.seconds:g} s after {WARMUP_S:g} s warm-up\n"
    )
    print(f"{'':30}{'updates/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for i, r in enumerate(runs, 1):
        print(
            f"{'gateway run ' + str(i):30}{r['updates_per_s']:>12.0f}{r['p50_ms']:>10.1f}"
            f"{r['p99_ms']:>10.1f}   cpu {r['cpu_pct']:.0f}%  flush {r['flush_ms']:.0f} ms"
        )
    print(
        f"{'gateway (median)':30}{med['updates_per_s']:>12.0f}{med['p50_ms']:>10.1f}"
        f"{med['p99_ms']:>10.1f}"
    )
    print(
        f"{'baseline: 1 commit/message':30}{base['updates_per_s']:>12.0f}"
        f"{base['p50_ms']:>10.1f}{base['p99_ms']:>10.1f}"
    )
    kept = offered * (args.seconds + WARMUP_S) * args.runs / max(fixes, 1)
    print(f"\nhistory rows kept: {fixes} (the trail rule keeps about 1 fix in {kept:.0f})")
    result = {
        "devices": args.n,
        "hz": args.hz,
        "offered_per_s": offered,
        "updates_per_s": round(med["updates_per_s"]),
        "p50_ms": round(med["p50_ms"], 1),
        "p99_ms": round(med["p99_ms"], 1),
        "gateway_cpu_pct": round(med["cpu_pct"]),
        "baseline_updates_per_s": round(base["updates_per_s"]),
        "baseline_p99_ms": round(base["p99_ms"], 1),
        "live": "redis" if args.redis else "memory",
        "runs": args.runs,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
