"""REST API latency under concurrent clients: reads must not queue behind writes.

    .venv/bin/python bench/api.py [--quick] [--seconds 15] [--rate 5] [--rounds 1]
                                  [--clients 10 50] [--postgres ADMIN_URL]

Starts a real `pingan serve` (uvicorn on 127.0.0.1, a free port) on a temporary SQLite store
and on a throwaway PostgreSQL database, each with the demo's users and units plus units to
dispatch. N clients (10, then 50) each send requests with a random think time between them
(mean 1/rate seconds, so the offered load is bounded: about N × rate requests a second):
list (`GET /incidents`), get (`GET /incidents/{id}`), create (`POST /incidents`) and
dispatch (`POST /incidents/{id}/dispatch`, a fresh unit to an incident the client created).
Reads are list and get, writes are create and dispatch.

Baseline in the same run: a second server on a copy of the same store with
PINGAN_DB_LEGACY_TRANSACTIONS=true, the behaviour before read sessions: every transaction,
reads included, takes SQLite's write lock with BEGIN IMMEDIATE, writers wait in SQLite's busy
handler alone, and PostgreSQL reads run in read-write transactions. (The request handling
around the transactions is today's in both: sessions close before the answer is sent, and a
SQLite write request's login check is a transaction of its own.) All servers start at once;
the runs alternate between them. Target at 10 clients on both stores: read p99 ≤ 50 ms,
write p99 ≤ 150 ms. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pingan.auth import passwords
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.tx import deferred_commit
from pingan.demo import build_demo
from pingan.store import open_store
from pingan.units import service as units

FOUNTAIN = (109.7835, 39.5993)
MIX = (("list", 0.35), ("get", 0.35), ("create", 0.2), ("dispatch", 0.1))
READS, WRITES = ("list", "get"), ("create", "dispatch")
TARGET_READ_P99_MS, TARGET_WRITE_P99_MS = 50.0, 150.0
QUIET = {  # only the benchmark writes: no periodic jobs beside the server
    "PINGAN_SENSOR_CHECK_SECONDS": "0",
    "PINGAN_VIDEO_PATROL_SECONDS": "0",
    "PINGAN_PLAN_POSTS_SECONDS": "0",
    "PINGAN_FRAUD_EXPIRY_SECONDS": "0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Store:
    """A populated store: its data directory (secret key; SQLite file), URL and cleanup."""

    name: str
    data_dir: Path
    url: str | None  # None: SQLite in the data directory
    drop: Callable[[], None]
    password: str = ""
    units: list[int] = field(default_factory=list)


def sqlite_store(tmp: Path) -> Store:
    return Store("sqlite", tmp / "sqlite", None, lambda: None)


def postgres_store(tmp: Path, admin_url: str, template: str | None = None) -> Store | str:
    """A throwaway database (a copy of `template` if given), dropped afterwards; or why not."""
    name = f"pingan_bench_api_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        admin.dispose()
        return f"{admin_url}: {type(exc).__name__}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return Store("postgresql", tmp / name, url, drop)


def populate(store: Store, n_units: int) -> None:
    """The demo store (users, units, sample incidents) plus n_units free units to dispatch.

    Passwords are hashed at Argon2's minimum cost (each hash keeps its parameters, so the
    server checks it at that cost too): the benchmark times requests, not key stretching.
    """
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    store.data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=store.data_dir, database_url=store.url)
    accounts = build_demo(settings, fleet="small")  # the 18-unit store its figures were taken on
    store.password = next(p for user, _, p in accounts if user == "dispatcher")
    db, _ = open_store(settings)  # the key build_demo made, so the audit chain stays whole
    try:
        with db.session() as session:
            with deferred_commit(session):
                made = [
                    units.create_unit(
                        session,
                        Actor.system("bench"),
                        call_sign=f"BENCH-{k:05d}",
                        kind="patrol_car",
                        post=(FOUNTAIN[0] + (k % 40) * 1e-4, FOUNTAIN[1] + (k // 40) * 1e-4),
                    )
                    for k in range(n_units)
                ]
            session.commit()
            store.units = [u.id for u in made]
    finally:
        db.dispose()


def clone(store: Store, tmp: Path, admin_url: str) -> Store:
    """The same data in a second store, so each server has its own."""
    if store.url is None:
        twin = Store("sqlite", tmp / "sqlite-twin", None, lambda: None)
    else:
        made = postgres_store(tmp, admin_url, template=make_url(store.url).database)
        assert not isinstance(made, str), made
        twin = made
    shutil.copytree(store.data_dir, twin.data_dir)
    twin.password, twin.units = store.password, list(store.units)
    return twin


def start_server(store: Store, baseline: bool) -> tuple[subprocess.Popen, str]:
    """`pingan serve` on the store; the caller waits for it with `wait_up`."""
    port = free_port()
    env = {**os.environ, **QUIET, "PINGAN_DB_LEGACY_TRANSACTIONS": str(baseline).lower()}
    env.pop("PINGAN_DATABASE_URL", None)
    if store.url:
        env["PINGAN_DATABASE_URL"] = store.url
    log = open(store.data_dir / "server.log", "w")  # noqa: SIM115 - goes with the directory
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingan.cli", "serve", "--data-dir", str(store.data_dir),
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}"


def wait_up(proc: subprocess.Popen, url: str, store: Store) -> None:
    for _ in range(1200):
        if proc.poll() is not None:
            log = (store.data_dir / "server.log").read_text()[-2000:]
            raise RuntimeError(f"server exited: {log}")
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not come up in 120 s")


@dataclass
class Load:
    """What the clients share: known incident ids, free units, and the timings."""

    units: list[int]
    known: list[int] = field(default_factory=list)
    ms: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op, _ in MIX})
    errors: dict[str, int] = field(default_factory=dict)
    recording: bool = False


async def one_request(client: httpx.AsyncClient, load: Load, mine: deque, op: str, rng) -> None:
    if op == "dispatch" and not (mine and load.units):
        op = "create"  # nothing of this client's to dispatch yet (or no free unit left)
    if op == "get" and not load.known:
        op = "list"
    body = {"type": "lost_item", "summary": "基准测试", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    t0 = time.perf_counter()
    if op == "list":
        r = await client.get("/api/v1/incidents", params={"limit": 50})
    elif op == "get":
        r = await client.get(f"/api/v1/incidents/{rng.choice(load.known)}")
    elif op == "create":
        r = await client.post("/api/v1/incidents", json=body)
    else:
        incident, unit = mine.popleft(), load.units.pop()
        r = await client.post(f"/api/v1/incidents/{incident}/dispatch", json={"unit_ids": [unit]})
    elapsed = (time.perf_counter() - t0) * 1000
    if r.status_code >= 400:
        load.errors[f"{op} {r.status_code}"] = load.errors.get(f"{op} {r.status_code}", 0) + 1
        return
    if op == "create":
        mine.append(r.json()["id"])
        load.known.append(r.json()["id"])
    if load.recording:
        load.ms[op].append(elapsed)


async def client_loop(client, load: Load, stop: asyncio.Event, rate: float, seed: int) -> None:
    rng = random.Random(seed)
    ops, weights = zip(*MIX, strict=True)
    mine: deque[int] = deque()
    await asyncio.sleep(rng.expovariate(rate))  # clients do not start in step
    while not stop.is_set():
        await one_request(client, load, mine, rng.choices(ops, weights)[0], rng)
        await asyncio.sleep(rng.expovariate(rate))


async def drive(url: str, token: str, load: Load, clients: int, seconds: float, rate: float):
    """Warm up for a fifth of the time, then record for `seconds`; requests a second."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as c:
        r = await c.get("/api/v1/incidents", params={"limit": 200})
        load.known.extend(item["id"] for item in r.json()["items"])
        stop = asyncio.Event()
        tasks = [asyncio.create_task(client_loop(c, load, stop, rate, k)) for k in range(clients)]
        await asyncio.sleep(max(1.0, seconds / 5))
        load.recording, t0 = True, time.perf_counter()
        await asyncio.sleep(seconds)
        load.recording, wall = False, time.perf_counter() - t0
        stop.set()
        await asyncio.gather(*tasks)
    return sum(len(v) for v in load.ms.values()) / wall


def figures(load: Load, per_second: float) -> dict[str, float | int]:
    def pct(ops: tuple[str, ...], q: float) -> float | None:
        ms = [x for op in ops for x in load.ms[op]]
        return round(float(np.percentile(ms, q)), 1) if ms else None

    out: dict[str, float | int] = {"req_s": round(per_second, 1)}
    for kind, ops in (("read", READS), ("write", WRITES)):
        out[f"{kind}_p50_ms"], out[f"{kind}_p99_ms"] = pct(ops, 50), pct(ops, 99)
    for op, _ in MIX:
        out[f"{op}_p99_ms"] = pct((op,), 99)
    out["errors"] = sum(load.errors.values())
    return out


@dataclass
class Server:
    store: Store
    baseline: bool
    proc: subprocess.Popen
    url: str
    token: str = ""


def serve_all(stores: list[tuple[Store, bool]]) -> list[Server]:
    """Start every server at once (their start-up overlaps), then log each one in."""
    servers = [
        Server(store, baseline, *start_server(store, baseline)) for store, baseline in stores
    ]
    for server in servers:
        wait_up(server.proc, server.url, server.store)
        server.token = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "dispatcher", "password": server.store.password},
        ).json()["access_token"]
    return servers


def measure(server: Server, clients: int, seconds: float, rate: float) -> dict[str, float | int]:
    load = Load(units=server.store.units)  # the server's free units, used up across runs
    per_second = asyncio.run(drive(server.url, server.token, load, clients, seconds, rate))
    if load.errors:
        mode = "baseline" if server.baseline else "now"
        print(f"  {server.store.name} {mode} {clients} clients: errors {load.errors}")
    return figures(load, per_second)


def median_figures(runs: list[dict[str, float | int]]) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r[key] is not None]
        if key == "errors":
            out[key] = sum(values)
        else:
            out[key] = round(float(np.median(values)), 1) if values else None
    return out


def run(names, clients_list, seconds, rate, rounds, n_units, admin_url):
    """Figures per "mode_store_clients" (median over rounds) and the stores skipped."""
    skipped: dict[str, str] = {}
    samples: dict[str, list] = {}
    drops: list[Callable[[], None]] = []
    with tempfile.TemporaryDirectory(prefix="pingan-api-") as tmp_name:
        tmp = Path(tmp_name)
        pairs: list[tuple[Store, bool]] = []
        try:
            for name in names:
                store = sqlite_store(tmp) if name == "sqlite" else postgres_store(tmp, admin_url)
                if isinstance(store, str):
                    skipped[name] = store
                    print(f"{name}: skipped ({store})")
                    continue
                drops.append(store.drop)
                populate(store, n_units)
                twin = clone(store, tmp, admin_url)
                drops.append(twin.drop)
                pairs += [(store, True), (twin, False)]
            servers = serve_all(pairs)
            try:
                # interleaved, so a busy moment on the machine falls on both modes alike
                for _ in range(rounds):
                    for clients in clients_list:
                        for server in servers:
                            mode = "baseline" if server.baseline else "now"
                            key = f"{mode}_{server.store.name}_{clients}"
                            fig = measure(server, clients, seconds, rate)
                            samples.setdefault(key, []).append(fig)
            finally:
                for server in servers:
                    server.proc.terminate()
                for server in servers:
                    server.proc.wait(30)
        finally:
            for drop in reversed(drops):
                drop()
    order = sorted(
        samples, key=lambda k: (names.index(k.split("_")[1]), int(k.split("_")[2]), k[0] != "b")
    )
    return {key: median_figures(samples[key]) for key in order}, skipped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few seconds, 10 clients")
    ap.add_argument("--seconds", type=float, default=15, help="recorded seconds per run")
    ap.add_argument("--rate", type=float, default=5, help="requests a second per client")
    ap.add_argument("--rounds", type=int, default=1, help="runs per case; figures are medians")
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 50], help="client counts")
    ap.add_argument(
        "--postgres",
        default=os.environ.get(
            "PINGAN_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"
        ),
        help="admin URL of a PostgreSQL server for the throwaway databases",
    )
    args = ap.parse_args()
    clients_list, seconds, rounds = ((10,), 2.0, 1) if args.quick else (
        tuple(args.clients), args.seconds, args.rounds)  # fmt: skip
    # a tenth of the requests dispatch one fresh unit each; room for the warm-ups and spare
    n_units = int(sum(clients_list) * args.rate * seconds * 1.2 * 0.1 * rounds * 1.5) + 50
    results, skipped = run(
        ("sqlite", "postgresql"), clients_list, seconds, args.rate, rounds, n_units, args.postgres
    )
    print(f"\n{seconds:g} s recorded per run, {rounds} run(s) per case (medians), "
          f"think time mean {1 / args.rate:g} s per client")  # fmt: skip
    head = ("store", "clients", "transactions", "req/s", "read p50", "read p99", "write p50",
            "write p99", "errors")  # fmt: skip
    print(f"{head[0]:<12}{head[1]:>8}  {head[2]:<24}" + "".join(f"{h:>11}" for h in head[3:]))
    cells = ("req_s", "read_p50_ms", "read_p99_ms", "write_p50_ms", "write_p99_ms", "errors")
    for key, fig in results.items():
        mode, name, clients = key.split("_")
        label = "baseline: all IMMEDIATE" if mode == "baseline" else "read sessions"
        print(f"{name:<12}{clients:>8}  {label:<24}" + "".join(f"{fig[c]!s:>11}" for c in cells))
    met = [
        results[f"now_{name}_10"]["read_p99_ms"] <= TARGET_READ_P99_MS
        and results[f"now_{name}_10"]["write_p99_ms"] <= TARGET_WRITE_P99_MS
        for name in ("sqlite", "postgresql")
        if f"now_{name}_10" in results
    ]
    target_met = bool(met) and all(met) and not skipped
    print(
        f"target at 10 clients, read p99 ≤ {TARGET_READ_P99_MS:g} ms and write p99 ≤ "
        f"{TARGET_WRITE_P99_MS:g} ms on both stores: {'met' if target_met else 'NOT met'}"
    )
    flat = {
        f"{'baseline_' if key.startswith('baseline') else ''}{key.split('_', 1)[1]}_{k}": v
        for key, fig in results.items()
        for k, v in fig.items()
    }
    print(json.dumps({"bench": "api", "seconds": seconds, "rate": args.rate, "rounds": rounds,
                      **flat, "skipped": skipped, "target_met": target_met}))  # fmt: skip


if __name__ == "__main__":
    main()
