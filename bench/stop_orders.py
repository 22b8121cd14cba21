"""From a victim's report to the bank's answer: how long a stop order takes end to end.

    .venv/bin/python bench/stop_orders.py [--quick] [--reports 40] [--burst 20]

Starts the bank simulator (`pingan fraud banksim`, its own process, on a ledger of fresh mule
accounts) and a real `pingan serve` on a temporary SQLite store whose stop orders go to that
simulator over HTTP (`PINGAN_FRAUD_GATEWAYS_FILE`). An officer then files reports through the
API, one at a time (`--reports`), each with one transfer to its own mule account, and the
clock runs from the POST to the moment `GET /fraud/cases/{id}` shows the bank's answer
("stopped"): intake, sealing with the platform's SM2 key, the background sender, the bank's
four-field check and the stored answer. Then `--burst` reports are filed at once and timed
until the last is answered.

Baseline in the same run: the bank's round trip alone — an order sealed with the same key and
sent by `HttpBankGateway.send_stop` straight to the same simulator, no platform around it.
The issue's aim is "a report becomes correct stop orders in seconds". Prints a table, then one
JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from api import QUIET, free_port
from argon2 import PasswordHasher

from pingan import store
from pingan.auth import passwords
from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.fraud.gateway import HttpBankGateway, RetryPolicy
from pingan.fraud.messages import StopOrder
from pingan.pii.id_number import check_character
from pingan.store import open_store
from pingan.trust import signing

BANK = "ICBC"
LOCAL = ZoneInfo("Asia/Shanghai")
PASSWORD = "bench-Officer-2026!"
ID17 = "15060219850312002"
VICTIM_ID = ID17 + check_character(ID17)


def mule(k: int) -> str:
    return f"62220202{k:011d}"


def ledger(n: int, booked: datetime) -> dict[str, object]:
    """n mule accounts, each credited ¥3,000.00 + k fen by one victim at `booked`."""
    accounts = [{"number": "6222020200000000001", "name": "受害人", "balance_fen": 10**9}]
    txs = []
    for k in range(n):
        accounts.append({"number": mule(k), "name": "测试户名", "balance_fen": 300_000 + k})
        txs.append({
            "serial_no": f"B{k:08d}", "channel": "online_banking",
            "payer_account": "6222020200000000001", "payee_account": mule(k), "payee_bank": BANK,
            "payee_name": "测试户名", "amount_fen": 300_000 + k, "booked_at": booked.isoformat(),
        })  # fmt: skip
    return {"bank": BANK, "accounts": accounts, "transactions": txs}


def report(k: int, booked: datetime) -> dict[str, object]:
    transfer = {
        "channel": "online_banking", "payer_account": "6222020200000000001", "payer_bank": BANK,
        "payee_account": mule(k), "payee_name": "测试户名", "payee_bank": BANK,
        "amount_fen": 300_000 + k, "tx_time": booked.replace(second=0).isoformat(),
        "serial_no": f"B{k:08d}",
    }  # fmt: skip
    return {
        "victim": {"name": "李秀英", "id_number": VICTIM_ID, "phone": "13912345678"},
        "fraud_type": "investment", "fraud_phone": None, "description": "基准测试",
        "area_code": None, "transfers": [transfer], "send": True,
    }  # fmt: skip


def prepare(data_dir: Path) -> str:
    """The store with an officer account and the platform's SM2 key; its published key list."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    settings = Settings(data_dir=data_dir, database_url=None)
    db, vault = open_store(settings)
    try:
        store.upgrade(db, settings, vault)
        with db.session() as s:
            auth_service.create_user(
                s, Actor.system("bench"), vault, username="officer", password=PASSWORD,
                role=Role.OFFICER, phone="13800138000",
            )  # fmt: skip
            signing.signer(s, "sm2")  # the first use makes the key the bank will trust
            keys = json.dumps(signing.published_keys(s))
            s.commit()
        return keys
    finally:
        db.dispose()


def wait_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    for _ in range(1200):
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in 120 s")


def start(cmd: list[str], health: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    wait_up(proc, health, log)
    return proc


def answered(client: httpx.Client, case_id: int) -> dict[str, object]:
    while True:
        case = client.get(f"/api/v1/fraud/cases/{case_id}").json()
        if all(o["status"] != "sending" for o in case["orders"]):
            return case
        time.sleep(0.005)


def file_and_wait(client: httpx.Client, body: dict[str, object]) -> tuple[float, float, str]:
    """(ms to the 201, ms to the bank's answer, the answer)."""
    t0 = time.perf_counter()
    r = client.post("/api/v1/fraud/cases", json=body)
    r.raise_for_status()
    t1 = time.perf_counter()
    case = answered(client, r.json()["id"])
    t2 = time.perf_counter()
    (order,) = case["orders"]
    return (t1 - t0) * 1e3, (t2 - t0) * 1e3, str(order["result"] or order["status"])


def baseline(bank_url: str, data_dir: Path, accounts: range, booked: datetime) -> list[float]:
    """The bank round trip alone: sealed with the same key, sent straight to the simulator."""
    db, _ = open_store(Settings(data_dir=data_dir, database_url=None))
    try:
        with db.session() as s:
            sealer = signing.signer(s, "sm2")
            gateway = HttpBankGateway(BANK, bank_url, sealer, policy=RetryPolicy(tries=1))
            ms = []
            for k in accounts:
                order = StopOrder.model_validate({
                    "order_no": f"BL-{k:06d}", "case_no": "BENCH", "bank": BANK,
                    "requesting_unit": "基准测试", "officer": "李**",
                    "issued_at": datetime.now(UTC).isoformat(), "tx_serial_no": f"B{k:08d}",
                    "channel": "online_banking",
                    "check": {"payee_name": "测试户名", "payee_account": mule(k),
                              "amount_fen": 300_000 + k,
                              "tx_time": booked.replace(second=0).isoformat()},
                })  # fmt: skip
                t0 = time.perf_counter()
                result = gateway.send_stop(order)
                ms.append((time.perf_counter() - t0) * 1e3)
                assert result.result == "stopped", result
            return ms
    finally:
        db.dispose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(n_reports: int, n_burst: int) -> dict[str, float | int]:
    booked = datetime.now(LOCAL).replace(microsecond=0) - timedelta(minutes=20)
    n_base = n_reports
    with tempfile.TemporaryDirectory(prefix="pingan-bench-stop-") as tmp:
        root = Path(tmp)
        data_dir = root / "store"
        data_dir.mkdir()
        keys = root / "keys.json"
        keys.write_text(prepare(data_dir), encoding="utf-8")
        book = root / "ledger.json"
        total = n_reports + n_burst + n_base
        book.write_text(json.dumps(ledger(total, booked), ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, **QUIET}
        env.pop("PINGAN_DATABASE_URL", None)
        bank_port, app_port = free_port(), free_port()
        bank_url, app_url = f"http://127.0.0.1:{bank_port}", f"http://127.0.0.1:{app_port}"
        gateways = root / "gateways.yaml"
        gateways.write_text(f"{BANK}: {bank_url}\n", encoding="utf-8")
        bank = start(
            [sys.executable, "-m", "pingan.fraud.banksim", "--bank", BANK, "--ledger", str(book),
             "--keys", str(keys), "--port", str(bank_port)],
            f"{bank_url}/v1/health", root / "bank.log", env,
        )  # fmt: skip
        app_env = {**env, "PINGAN_FRAUD_GATEWAYS_FILE": str(gateways)}
        app = start(
            [sys.executable, "-m", "pingan.cli", "serve", "--data-dir", str(data_dir),
             "--port", str(app_port)],
            f"{app_url}/healthz", root / "server.log", app_env,
        )  # fmt: skip
        try:
            login = {"username": "officer", "password": PASSWORD}
            token = httpx.post(f"{app_url}/api/v1/auth/login", json=login).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=app_url, headers=headers, timeout=120) as client:
                one = [file_and_wait(client, report(k, booked)) for k in range(n_reports)]
                t0 = time.perf_counter()
                with ThreadPoolExecutor(max_workers=n_burst) as pool:
                    burst = list(
                        pool.map(
                            lambda k: file_and_wait(client, report(k, booked)),
                            range(n_reports, n_reports + n_burst),
                        )
                    )
                burst_s = time.perf_counter() - t0
            base = baseline(bank_url, data_dir, range(total - n_base, total), booked)
        finally:
            for proc in (app, bank):
                proc.terminate()
                proc.wait(timeout=30)
    results = {r for *_, r in one + burst}
    assert results == {"stopped"}, results  # every order right: the four fields matched
    answer_ms = [a for _, a, _ in one]
    return {
        "reports": n_reports,
        "post_p50_ms": round(statistics.median(p for p, _, _ in one), 1),
        "report_to_stopped_p50_ms": round(statistics.median(answer_ms), 1),
        "report_to_stopped_p95_ms": round(pct(answer_ms, 0.95), 1),
        "burst": n_burst,
        "burst_all_stopped_s": round(burst_s, 2),
        "burst_p50_ms": round(statistics.median(a for _, a, _ in burst), 1),
        "baseline_bank_round_trip_p50_ms": round(statistics.median(base), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 reports and a burst of 5")
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    n, burst = (5, 5) if args.quick else (args.reports, args.burst)
    f = run(n, burst)
    print(f"{'measure':<44}{'value':>12}")
    rows = [
        ("POST /fraud/cases answered (p50, ms)", f["post_p50_ms"]),
        ("report → bank's answer stored (p50, ms)", f["report_to_stopped_p50_ms"]),
        ("report → bank's answer stored (p95, ms)", f["report_to_stopped_p95_ms"]),
        (f"burst of {burst}: all stopped (s)", f["burst_all_stopped_s"]),
        (f"burst of {burst}: each report (p50, ms)", f["burst_p50_ms"]),
        ("baseline: bank round trip alone (p50, ms)", f["baseline_bank_round_trip_p50_ms"]),
    ]
    for name, value in rows:
        print(f"{name:<44}{value:>12}")
    print(json.dumps(f))


if __name__ == "__main__":
    main()
