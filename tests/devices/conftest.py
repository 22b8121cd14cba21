"""Fixtures for device tests: the real Mosquitto and Redis servers, hubs, registered devices.

Broker and Redis tests skip with a stated reason when the server does not answer, unless
PINGAN_TEST_REQUIRE_SERVICES=1, which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion

from pingan.app import create_app
from pingan.auth.actor import Actor
from pingan.config import Settings
from pingan.db.engine import Database
from pingan.devices import service
from pingan.devices.config import DeviceSettings
from pingan.devices.hub import DeviceHub
from pingan.units import service as units
from tests.conftest import service_unavailable

MQTT_URL = os.environ.get("PINGAN_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
REDIS_URL = os.environ.get("PINGAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN = Actor.system("test")
KANGBASHI = (109.7835, 39.5993)


def _port_open(host: str, port: int) -> str | None:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return None
    except OSError as exc:
        return f"{host}:{port}: {type(exc).__name__}"


@pytest.fixture
def mqtt_url() -> str:
    why = _port_open("127.0.0.1", int(MQTT_URL.rsplit(":", 1)[1]))
    if why:
        service_unavailable("Mosquitto", why)
    return MQTT_URL


@pytest.fixture
def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        service_unavailable("Redis", f"{REDIS_URL}: {type(exc).__name__}")
    return REDIS_URL


def device_settings(**overrides: Any) -> DeviceSettings:
    """Fast, isolated settings: a unique MQTT client id, short flush interval."""
    base: dict[str, Any] = {
        "mqtt_url": None,
        "redis_url": None,
        "mqtt_client_id": f"test-gw-{uuid.uuid4().hex[:8]}",
        "mqtt_clean_session": True,
        "redis_key_prefix": f"pingan:test:{uuid.uuid4().hex[:8]}",
        "device_flush_interval_s": 0.2,
        "device_state_interval_s": 0,
        "device_command_poll_s": 0.1,
        "device_registry_refresh_s": 0.5,
    }
    base.update(overrides)
    return DeviceSettings(**base)


@pytest.fixture
def make_hub(db: Database) -> Iterator[Callable[..., DeviceHub]]:
    hubs: list[DeviceHub] = []

    def make(**overrides: Any) -> DeviceHub:
        hub = DeviceHub(db, device_settings(**overrides)).start()
        hubs.append(hub)
        if hub.gateway is not None:
            assert hub.gateway.subscribed.wait(10), "gateway did not subscribe"
        return hub

    yield make
    for hub in hubs:
        if hub.redis is not None:
            prefix = hub.settings.redis_key_prefix
            hub.redis.delete(f"{prefix}:devices", f"{prefix}:units")
        hub.stop()


@pytest.fixture
def dev_settings() -> DeviceSettings:
    """The settings the API app's device hub runs with; modules override it."""
    return device_settings()


@pytest.fixture
def client(db: Database, settings: Settings, dev_settings: DeviceSettings) -> Iterator[TestClient]:
    app = create_app(settings, database=db)
    app.state.device_settings = dev_settings
    with TestClient(app) as c:
        yield c


def register(db: Database, serial: str, kind: str = "smart_car", *, unit: bool = False) -> int:
    """Register a device (optionally bound to a new patrol unit); returns its unit id or 0."""
    with db.session() as session:
        unit_id = None
        if unit:
            unit_id = units.create_unit(
                session, ADMIN, call_sign=f"U-{serial}", kind="patrol_car"
            ).id
        service.register_device(session, ADMIN, serial=serial, kind=kind, unit_id=unit_id)
    return unit_id or 0


def fix(
    lon: float = KANGBASHI[0], lat: float = KANGBASHI[1], *, ago: float = 0.0, **extra
) -> bytes:
    return json.dumps({"ts": time.time() - ago, "lon": lon, "lat": lat, **extra}).encode()


def wait_until(check: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Device:
    """A test device on the broker: publishes with QoS 1 by default, records its commands."""

    def __init__(self, url: str, serial: str, *, persistent: bool = False) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.serial = serial
        self.commands: list[dict] = []
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-dev-{serial}-{uuid.uuid4().hex[:6]}"
            if not persistent
            else f"test-dev-{serial}",
            clean_session=not persistent,
        )
        self.client.on_message = lambda c, u, m: self.commands.append(json.loads(m.payload))
        self.client.reconnect_delay_set(1, 2)
        self.host, self.port = host, int(port)
        self.subscribed = False

    def connect(self, *, subscribe: bool = False) -> Device:
        self.client.connect(self.host, self.port)
        self.client.loop_start()
        if subscribe:
            info = self.client.subscribe(f"pingan/v1/devices/{self.serial}/command", qos=1)
            assert info[0] == mqtt.MQTT_ERR_SUCCESS
            time.sleep(0.2)
        return self

    def send(self, channel: str, payload: bytes, qos: int = 1, serial: str | None = None) -> None:
        info = self.client.publish(
            f"pingan/v1/devices/{serial or self.serial}/{channel}", payload, qos=qos
        )
        if qos:
            info.wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def forget_session(self) -> None:
        """Drop the broker's persistent session of this serial (a clean-session connect)."""
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"test-dev-{self.serial}", clean_session=True
        )
        c.connect(self.host, self.port)
        c.disconnect()
