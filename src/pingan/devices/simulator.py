"""Drive a simulated fleet over MQTT: telemetry at a steady rate, periodic status, and
answers to commands, as real devices would send them.

One MQTT connection carries the whole fleet (a simulation shortcut; real devices connect
one by one). Devices report out of phase, spread evenly over each period, so 2,000 devices
at 5 Hz make a smooth 10,000 messages/s rather than bursts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from pingan.devices.fleet import Fleet
from pingan.devices.gateway import broker_address, no_delay
from pingan.devices.protocol import COMMAND_CHANNEL, Channel, topic

log = logging.getLogger("pingan.devices")
TICK_S = 0.01


@dataclass(frozen=True, slots=True)
class SimReport:
    telemetry: int
    status: int
    acks: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.telemetry / self.seconds if self.seconds else 0.0


def _client(url: str, client_id: str) -> mqtt.Client:
    host, port, tls, user, password = broker_address(url)
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    if user:
        c.username_pw_set(user, password)
    if tls:
        c.tls_set()
    c.max_queued_messages_set(20_000)  # while the broker is away, keep a little, not all
    c.connect_async(host, port, keepalive=30)
    return c


class _Pump:
    """Runs paho's network work in the publishing thread.

    With paho's own network thread, the two threads hand the GIL back and forth for every
    message and fixes wait tens of milliseconds; here a publish writes to the socket at once
    and the idle time between ticks serves reads, keep-alives and reconnects.
    """

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self._retry_at = 0.0
        self._up = False

    def serve(self, timeout: float) -> None:
        c = self.client
        if not self._up:
            now = time.monotonic()
            if now < self._retry_at:
                time.sleep(max(0.0, min(timeout, self._retry_at - now)))
                return
            try:
                c.reconnect()
                self._up = True
            except OSError:
                self._retry_at = now + 1.0
                return
        if c.loop(timeout=max(0.0, timeout)) != mqtt.MQTT_ERR_SUCCESS:
            self._up = False
            self._retry_at = time.monotonic() + 1.0


def simulate(
    fleet: Fleet,
    url: str,
    *,
    hz: float = 5.0,
    duration_s: float | None = None,
    status_every_s: float = 30.0,
    stop: threading.Event | None = None,
    client_id: str | None = None,
    on_second: Callable[[int], None] | None = None,
) -> SimReport:
    """Publish until `duration_s` passes or `stop` is set; returns what was sent."""
    stop = stop or threading.Event()
    client = _client(url, client_id or f"pingan-sim-{os.getpid()}")
    acks = 0
    ack_lock = threading.Lock()
    connected = threading.Event()

    def on_connect(c, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if not reason_code.is_failure:
            no_delay(c)
            c.subscribe(topic("+", COMMAND_CHANNEL), qos=1)
            connected.set()

    def on_message(c, userdata, message) -> None:  # type: ignore[no-untyped-def]
        nonlocal acks
        serial = message.topic.split("/")[3]
        answer = fleet.command(serial, message.payload, time.time())
        if answer is not None:
            c.publish(topic(serial, Channel.ACK), answer, qos=1)
            with ack_lock:
                acks += 1

    client.on_connect = on_connect
    client.on_message = on_message
    pump = _Pump(client)
    deadline = time.monotonic() + 10
    while not connected.is_set() and time.monotonic() < deadline and not stop.is_set():
        pump.serve(0.1)

    n = len(fleet.serials)
    telemetry_topics = [topic(s, Channel.TELEMETRY) for s in fleet.serials]
    status_topics = [topic(s, Channel.STATUS) for s in fleet.serials]
    slots = max(1, round(1.0 / (hz * TICK_S)))
    groups = [range(k, n, slots) for k in range(slots)]
    status_slots = max(1, round(status_every_s / TICK_S))
    sent = statuses = 0
    start = last = time.monotonic()
    tick = 0
    next_second = start + 1.0
    try:
        while not stop.is_set():
            now = time.monotonic()
            if duration_s is not None and now - start >= duration_s:
                break
            fleet.step(now - last)
            last = now
            wall = time.time()
            for i in groups[tick % slots]:
                client.publish(telemetry_topics[i], fleet.telemetry(i, wall), qos=0)
                sent += 1
            for i in range(tick % status_slots, n, status_slots):
                client.publish(status_topics[i], fleet.status(i, wall), qos=1)
                statuses += 1
            tick += 1
            if on_second is not None and now >= next_second:
                next_second += 1.0
                on_second(sent)
            due = start + tick * TICK_S
            pump.serve(0.0)
            while (wait := due - time.monotonic()) > 0:
                pump.serve(wait)
    finally:
        elapsed = time.monotonic() - start
        client.disconnect()
    return SimReport(sent, statuses, acks, elapsed)
