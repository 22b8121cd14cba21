"""Live push benchmark: delivery latency of new incidents to 50 connected browsers.

    .venv/bin/python bench/live.py [--quick] [--clients 50] [--seconds 20] [--rate 4]

Starts a real `pingan demo` server (SQLite, simulation off so only the benchmark writes),
connects N clients to `GET /api/v1/live/stream` (SSE) and creates incidents through the REST
API at a steady rate. Latency is from the moment the create request is sent to the moment
each client has the `incident.received` frame: API write, commit, outbox relay, hub, push.
Baseline in the same run: the same N clients polling `GET /api/v1/incidents` once a second,
as the first page did, timed to the poll that first shows the incident.
Target: p99 ≤ 200 ms for the push. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

FOUNTAIN = (109.7835, 39.5993)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingan.cli", "demo", "--data-dir", str(tmp), "--port", str(port),
         "--no-simulate"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    passwords: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.match(r"^\s+(\w+)\s+\w+\s+(\S+)$", line)
        if m:
            passwords[m.group(1)] = m.group(2)
        if "/api/docs" in line:  # the "open URL" line, in the CLI's language
            break
    # keep reading the server's log, or its pipe fills and the server blocks mid-run
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, url, passwords


async def create_incidents(client, headers, sent: dict[str, float], n: int, rate: float) -> None:
    for k in range(n):
        t0 = time.perf_counter()
        r = await client.post(
            "/api/v1/incidents",
            headers=headers,
            json={"type": "lost_item", "summary": f"基准测试失物 {k}", "lon": FOUNTAIN[0],
                  "lat": FOUNTAIN[1], "source": "call_110"},
        )  # fmt: skip
        r.raise_for_status()
        sent[r.json()["case_number"]] = t0
        await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))


async def sse_client(client, headers, sent, got: list[float], stop: asyncio.Event, ready) -> None:
    async with client.stream("GET", "/api/v1/live/stream", headers=headers) as r:
        ready.release()
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            if line.startswith("data: ") and event == "incident.received":
                now = time.perf_counter()
                case = json.loads(line[6:]).get("case_number")
                while case not in sent and not stop.is_set():  # the create call not back yet
                    await asyncio.sleep(0.001)
                if case in sent:
                    got.append(now - sent[case])
            if stop.is_set():
                return


async def poll_client(client, headers, sent, got: list[float], stop: asyncio.Event) -> None:
    seen: set[str] = set()
    await asyncio.sleep(random.random())  # browsers do not poll in step
    while not stop.is_set():
        r = await client.get("/api/v1/incidents?state=received&limit=100", headers=headers)
        now = time.perf_counter()
        for item in r.json()["items"]:
            case = item["case_number"]
            if case in sent and case not in seen:
                seen.add(case)
                got.append(now - sent[case])
        await asyncio.sleep(1.0)


async def run(url: str, token: str, clients: int, n: int, rate: float, mode: str) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        sent: dict[str, float] = {}
        got: list[float] = []
        stop = asyncio.Event()
        ready = asyncio.Semaphore(0)
        if mode == "push":
            tasks = [asyncio.create_task(sse_client(client, headers, sent, got, stop, ready))
                     for _ in range(clients)]  # fmt: skip
            for _ in range(clients):
                await ready.acquire()
        else:
            tasks = [asyncio.create_task(poll_client(client, headers, sent, got, stop))
                     for _ in range(clients)]  # fmt: skip
        await asyncio.sleep(0.5)
        await create_incidents(client, headers, sent, n, rate)
        await asyncio.sleep(2.0)  # let the last ones arrive
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        expected = n * clients
        if len(got) < expected:
            print(f"  {mode}: {expected - len(got)} of {expected} deliveries missing")
        return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few seconds, 10 clients")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=4, help="incidents per second")
    args = ap.parse_args()
    clients, seconds = (10, 3.0) if args.quick else (args.clients, args.seconds)
    n = max(1, int(seconds * args.rate))
    with tempfile.TemporaryDirectory(prefix="pingan-live-") as tmp:
        proc, url, passwords = start_server(Path(tmp))
        try:
            token = httpx.post(
                f"{url}/api/v1/auth/login",
                json={"username": "dispatcher", "password": passwords["dispatcher"]},
            ).json()["access_token"]
            results = {}
            for mode in ("push", "poll"):
                got = np.asarray(asyncio.run(run(url, token, clients, n, args.rate, mode))) * 1000
                results[mode] = {
                    "deliveries": int(got.size),
                    "expected": n * clients,
                    "p50_ms": round(float(np.percentile(got, 50)), 1) if got.size else None,
                    "p99_ms": round(float(np.percentile(got, 99)), 1) if got.size else None,
                    "max_ms": round(float(got.max()), 1) if got.size else None,
                }
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"\n{clients} clients, {n} incidents at {args.rate:g}/s (SQLite store)")
    print(f"{'method':<34}{'delivered':>12}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    names = {"push": "SSE push (/live/stream)", "poll": "baseline: REST poll every 1 s"}
    for mode, r in results.items():
        print(f"{names[mode]:<34}{r['deliveries']:>6}/{r['expected']:<5}{r['p50_ms']:>10}"
              f"{r['p99_ms']:>10}{r['max_ms']:>10}")  # fmt: skip
    push = results["push"]
    ok = (
        push["p99_ms"] is not None
        and push["p99_ms"] <= 200
        and push["deliveries"] == push["expected"]
    )
    print(f"target p99 ≤ 200 ms, none missing: {'met' if ok else 'NOT met'}")
    print(json.dumps({"bench": "live", "clients": clients, "incidents": n, "rate": args.rate,
                      **{f"{m}_{k}": v for m, r in results.items() for k, v in r.items()},
                      "target_met": ok}))  # fmt: skip


if __name__ == "__main__":
    main()
