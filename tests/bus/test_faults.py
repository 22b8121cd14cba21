"""Fault tests with real processes and servers: PostgreSQL + NATS JetStream + `pingan worker`.

* a worker is SIGKILLed in the middle of 2,000 events and started again;
* the NATS server is restarted while events flow.

Afterwards every event has been applied exactly once in effect (one row each in the test
consumer's table: none lost, none doubled) and in order per aggregate. Selected by
`-m faults`; part of the default run as well.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pingan.bus.jetstream import NatsBus, NatsConfig
from pingan.bus.models import BusConsumer
from pingan.bus.relay import undelivered
from pingan.db.engine import Database
from tests.bus import effects
from tests.bus.conftest import NATS_URL, nats_down_reason, produce, wait_until
from tests.conftest import SECRET, _truncate_postgres, service_unavailable

pytestmark = [pytest.mark.faults, pytest.mark.services, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
NATS_BINARY = "/usr/sbin/nats-server"
NATS_START = [
    "start-stop-daemon", "--start", "--oknodo", "--background", "--exec", NATS_BINARY, "--",
    "-a", "127.0.0.1", "-p", "4222", "-js", "-sd", "/var/lib/nats-server",
    "-l", "/var/log/nats-server.log",
]  # fmt: skip
CONSUMER = "fault_counter"
ACK_WAIT = 2.0


@pytest.fixture
def store(postgres_url: str) -> Iterator[Database]:
    db = Database(postgres_url)
    _truncate_postgres(db)
    effects.prepare(db)
    yield db
    effects.drop(db)
    db.dispose()


@pytest.fixture
def stream() -> Iterator[NatsConfig]:
    if reason := nats_down_reason():
        service_unavailable("NATS", reason)
    tag = uuid.uuid4().hex[:10]
    config = NatsConfig(
        url=NATS_URL, stream=f"PINGAN_FAULT_{tag}", subject_prefix=f"pf{tag}.events"
    )
    yield config
    ensure_nats_running()
    admin = NatsBus(config)
    admin.delete_stream()
    admin.close()


class Workers:
    """`pingan worker` subprocesses sharing one store and one stream."""

    def __init__(self, db: Database, config: NatsConfig, logs: Path) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PINGAN_DATA_DIR": str(logs),
            "PINGAN_DATABASE_URL": db.url,
            "PINGAN_SECRET_KEY": SECRET,  # the key the test store's audit chain is keyed with
            "PINGAN_BUS_URL": config.url,
            "PINGAN_BUS_STREAM": config.stream,
            "PINGAN_BUS_SUBJECT_PREFIX": config.subject_prefix,
            "PINGAN_BUS_ACK_WAIT_SECONDS": str(ACK_WAIT),
            "PINGAN_BUS_RETRY_DELAY_SECONDS": "0.05",
            "PINGAN_BUS_POLL_SECONDS": "0.1",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"worker{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "pingan.cli", "worker", "--load", "tests.bus.fault_handlers",
             "--consumer", CONSUMER],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.procs.append(proc)
        return proc

    def terminate_all(self) -> list[int | None]:
        """SIGTERM (clean shutdown) every live worker; return their exit codes."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(20))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(None)
        return codes

    def tail(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("worker*.log")))


@pytest.fixture
def workers(store: Database, stream: NatsConfig, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(store, stream, tmp_path)
    yield pool
    for proc in pool.procs:  # only our own children, by their handles
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _registered(db: Database) -> bool:
    with db.session() as session:
        return session.execute(select(BusConsumer).where(BusConsumer.name == CONSUMER)).first()


def _assert_exactly_once_in_order(db: Database, total: int, workers: Workers) -> None:
    done = wait_until(
        lambda: effects.count(db)[0] >= total and undelivered(db) == 0, 45, interval=0.2
    )
    assert done, f"{effects.count(db)} of {total}\n{workers.tail()}"
    time.sleep(ACK_WAIT + 0.5)  # a late redelivery would show up as a second row now
    assert effects.count(db) == (total, total), workers.tail()
    for aggregate_id, seqs in effects.sequences(db).items():
        assert seqs == list(range(1, len(seqs) + 1)), aggregate_id


def test_a_killed_worker_loses_and_doubles_nothing(store: Database, workers: Workers) -> None:
    first = workers.spawn()
    workers.spawn()
    assert wait_until(lambda: _registered(store), 20), workers.tail()
    total = produce(store, [(f"inc{i % 40}", "fault.tick") for i in range(2000)], per_tx=20)
    assert wait_until(lambda: effects.count(store)[0] >= 500, 30), workers.tail()
    first.send_signal(signal.SIGKILL)  # mid-stream: in-flight messages stay unacknowledged
    first.wait(10)
    workers.spawn()
    _assert_exactly_once_in_order(store, total, workers)
    assert workers.terminate_all()[1:] == [0, 0], workers.tail()  # clean shutdown


# -- the NATS server itself --------------------------------------------------------------


def _nats_pid() -> int | None:
    """The local NATS server on port 4222 (the one the machine starts), if running."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = os.readlink(proc / "exe")
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if exe == NATS_BINARY and b"4222" in cmdline:
            return int(proc.name)
    return None


def ensure_nats_running() -> None:
    if nats_down_reason() is None:
        return
    subprocess.run(NATS_START, check=False, timeout=10)
    if not wait_until(lambda: nats_down_reason() is None, 15, interval=0.1):
        raise RuntimeError("NATS did not come back up")


@pytest.fixture
def restartable_nats(stream: NatsConfig) -> Iterator[None]:
    if "127.0.0.1:4222" not in NATS_URL or not os.path.exists(NATS_BINARY):
        pytest.skip("the NATS restart test needs the local server at 127.0.0.1:4222")
    if os.geteuid() != 0 or _nats_pid() is None:
        pytest.skip("the NATS restart test needs to stop and start the local nats-server")
    try:
        yield
    finally:
        ensure_nats_running()


def _restart_nats() -> None:
    pid = _nats_pid()
    assert pid is not None
    os.kill(pid, signal.SIGTERM)  # a clean stop: JetStream writes its state out
    assert wait_until(lambda: _nats_pid() is None, 15, interval=0.1), "NATS did not stop"
    time.sleep(1.0)
    ensure_nats_running()


@pytest.mark.usefixtures("restartable_nats")
def test_workers_catch_up_after_a_nats_restart(
    store: Database, workers: Workers, stream: NatsConfig
) -> None:
    workers.spawn()
    workers.spawn()
    assert wait_until(lambda: _registered(store), 20), workers.tail()
    items = [(f"inc{i % 25}", "fault.tick") for i in range(1000)]

    def trickle() -> None:  # events keep coming before, during and after the restart
        for i in range(0, len(items), 20):
            produce(store, items[i : i + 20], per_tx=10)
            time.sleep(0.06)

    producer = threading.Thread(target=trickle)
    producer.start()
    try:
        assert wait_until(lambda: effects.count(store)[0] >= 200, 30), workers.tail()
        _restart_nats()
    finally:
        producer.join()
    _assert_exactly_once_in_order(store, len(items), workers)
    admin = NatsBus(stream)
    try:  # every acknowledged publish survived the restart: the stream holds each event once
        info = admin._call(admin.js.stream_info(stream.stream), timeout=10)
        assert info.state.messages == len(items)
    finally:
        admin.close()
    assert workers.terminate_all() == [0, 0], workers.tail()
