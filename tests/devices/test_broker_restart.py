"""Fault: Mosquitto restarts during a run. The gateway reconnects, subscribes again and goes
on; QoS 1 commands the broker acknowledged reach a device that was offline meanwhile."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from pingan.devices import service
from pingan.devices.models import DeviceCommand
from pingan.devices.protocol import Broadcast
from tests.conftest import service_unavailable

from .conftest import ADMIN, Device, fix, register, wait_until

CONF = "/etc/mosquitto/mosquitto.conf"
START = ["mosquitto", "-d", "-c", CONF]


def _listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1).close()
        return True
    except OSError:
        return False


def _pid() -> int | None:
    """The broker started from CONF: its pid_file, else the only mosquitto process."""
    for line in Path(CONF).read_text().splitlines():
        if line.split()[:1] == ["pid_file"]:
            try:
                pid = int(Path(line.split()[1]).read_text().strip())
                if "mosquitto" in Path(f"/proc/{pid}/cmdline").read_text():
                    return pid
            except (OSError, ValueError):
                pass
    out = subprocess.run(["pgrep", "-x", "mosquitto"], capture_output=True, text=True)
    pids = out.stdout.split()
    return int(pids[0]) if len(pids) == 1 else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture
def broker(mqtt_url):
    """Restart control over the local Mosquitto; it is running again after the test."""
    if not (shutil.which("mosquitto") and Path(CONF).is_file() and _pid()):
        service_unavailable("Mosquitto (restartable)", "no local mosquitto process and config")
    try:
        os.kill(_pid(), 0)
    except PermissionError:
        service_unavailable("Mosquitto (restartable)", "not permitted to signal the broker")

    def restart() -> None:
        pid = _pid()
        os.kill(pid, signal.SIGTERM)  # a clean stop saves the persistent sessions
        wait_until(lambda: not _alive(pid), timeout=10, what="mosquitto to stop")
        subprocess.run(START, check=True)
        wait_until(_listening, timeout=10, what="mosquitto to listen")

    try:
        yield restart
    finally:
        if not _listening():
            subprocess.run(START, check=False)
            wait_until(_listening, timeout=10, what="mosquitto to come back")


def test_broker_restart(db, make_hub, mqtt_url, broker):
    register(db, "RB-0701", "patrol_robot")  # offline while commands are sent
    register(db, "CAR-0702")  # keeps reporting throughout
    hub = make_hub(mqtt_url=mqtt_url)
    robot = Device(mqtt_url, "RB-0701", persistent=True).connect(subscribe=True)
    robot.close()  # the broker keeps its session and queues QoS 1 commands for it

    stop = threading.Event()
    car = Device(mqtt_url, "CAR-0702").connect()

    def report() -> None:
        while not stop.is_set():
            car.client.publish("pingan/v1/devices/CAR-0702/telemetry", fix(), qos=0)
            time.sleep(0.05)

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        wait_until(lambda: hub.counters.accepted["telemetry"] > 5, what="telemetry flowing")
        with db.session() as session:
            before = service.issue_command(
                session, ADMIN, "RB-0701", Broadcast(text="防拥挤踩踏，请勿停留"), timeout_s=60
            ).command_id

        def state(cid: str) -> str:
            with db.session() as session:
                return session.execute(
                    select(DeviceCommand.state).where(DeviceCommand.command_id == cid)
                ).scalar_one()

        wait_until(lambda: state(before) == "sent", what="broker PUBACK")

        broker()
        restarted_at = time.time()
        with db.session() as session:  # issued while the gateway may still be reconnecting
            during = service.issue_command(
                session, ADMIN, "RB-0701", Broadcast(text="注意安全，有序通行"), timeout_s=60
            ).command_id
        wait_until(lambda: hub.counters.events["mqtt_connects"] >= 2, timeout=15, what="reconnect")
        wait_until(
            lambda: (hub.live.get("CAR-0702").fix_at or 0) > restarted_at + 0.2,
            timeout=10,
            what="telemetry accepted after the restart",
        )
        wait_until(lambda: state(during) == "sent", timeout=10, what="second command sent")

        robot = Device(mqtt_url, "RB-0701", persistent=True).connect()
        wait_until(lambda: len(robot.commands) >= 2, timeout=10, what="queued commands delivered")
        texts = [c["command"]["text"] for c in robot.commands]
        assert texts[:2] == ["防拥挤踩踏，请勿停留", "注意安全，有序通行"]
        for c in robot.commands[:2]:
            robot.send(
                "ack",
                json.dumps(
                    {"ts": time.time(), "command_id": c["command_id"], "result": "done"}
                ).encode(),
            )
        wait_until(
            lambda: state(before) == "acked" and state(during) == "acked",
            what="acks matched after the restart",
        )
        assert hub.stats()["events"].get("internal_error", 0) == 0
    finally:
        stop.set()
        reporter.join(2)
        car.close()
        robot.close()
        Device(mqtt_url, "RB-0701").forget_session()
