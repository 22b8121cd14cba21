"""MQTT adapter: subscribe to the device topics, hand each message to the ingest path, and
publish commands. paho-mqtt runs its network loop in its own thread and reconnects by
itself; every (re)connect subscribes again, so a broker restart only pauses the flow.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from pingan.devices.counters import Counters
from pingan.devices.protocol import subscriptions
from pingan.i18n import msg

log = logging.getLogger("pingan.devices")
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


def broker_address(url: str) -> tuple[str, int, bool, str | None, str | None]:
    """(host, port, tls, username, password) from mqtt://[user:pass@]host[:port] or mqtts://."""
    u = urlparse(url)
    if u.scheme not in ("mqtt", "mqtts") or not u.hostname:
        raise ValueError(msg("devices.bad_mqtt_url"))
    tls = u.scheme == "mqtts"
    return u.hostname, u.port or (8883 if tls else 1883), tls, u.username, u.password


def no_delay(client: mqtt.Client) -> None:
    """Send small messages at once: without TCP_NODELAY, Nagle's algorithm and delayed ACKs
    hold a fix back by up to ~40 ms."""
    sock = client.socket()
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class MqttGateway:
    def __init__(
        self,
        url: str,
        *,
        client_id: str,
        clean_session: bool,
        on_message: Callable[[str, bytes], None],
        counters: Counters,
        on_connected: Callable[[], None] | None = None,
        extra_subscriptions: list[tuple[str, int]] | None = None,
    ) -> None:
        self.host, self.port, tls, user, password = broker_address(url)
        self.counters = counters
        self._on_message = on_message
        self._on_connected = on_connected
        self._extra = list(extra_subscriptions or [])
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            protocol=mqtt.MQTTv311,
        )
        if user:
            c.username_pw_set(user, password)
        if tls:
            c.tls_set()
        c.reconnect_delay_set(min_delay=1, max_delay=4)
        c.max_inflight_messages_set(100)
        c.on_connect = self._connect
        c.on_disconnect = self._disconnect
        c.on_subscribe = self._subscribed
        c.on_message = self._message
        self.client = c

    def start(self) -> MqttGateway:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> mqtt.MQTTMessageInfo:
        """Queue a message; paho keeps QoS 1 messages and resends them after a reconnect."""
        return self.client.publish(topic, payload, qos=qos)

    # -- paho callbacks (network thread): never let an exception escape ------------------
    def _connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            self.counters.note("mqtt_connect_refused")
            log.warning("MQTT broker refused the connection: %s", reason_code)
            return
        self.counters.note("mqtt_connects")
        no_delay(client)
        self.connected.set()
        client.subscribe(subscriptions() + self._extra)
        if self._on_connected:
            try:
                self._on_connected()
            except Exception:
                log.exception("on_connected hook failed")

    def _subscribed(self, client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        self.subscribed.set()

    def _disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.connected.clear()
        self.subscribed.clear()
        self.counters.note("mqtt_disconnects")

    def _message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        if _QUICKACK is not None and isinstance(sock := client.socket(), socket.socket):
            # ACK at once: a broker without TCP_NODELAY (Mosquitto's default) otherwise waits
            # for our delayed ACK (~40 ms) before sending the next small message.
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            self.counters.reject("bad_topic", "mqtt")
            return
        self._on_message(topic, message.payload)
