"""Send queued commands to their devices and follow them until the broker acknowledged.

The store is the queue: a command is written `queued` by the service, published here with
QoS 1, and becomes `sent` once the broker's PUBACK came back. A restarted gateway publishes
whatever is still queued, so a command is delivered at least once; devices recognise a
repeated command_id.
"""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt

from pingan.db.engine import Database
from pingan.devices import service
from pingan.devices.counters import Counters
from pingan.devices.gateway import MqttGateway
from pingan.devices.protocol import COMMAND_CHANNEL, topic


class CommandSender:
    def __init__(self, db: Database, gateway: MqttGateway, counters: Counters) -> None:
        self.db = db
        self.gateway = gateway
        self.counters = counters
        self._inflight: dict[str, mqtt.MQTTMessageInfo] = {}
        self._lock = threading.Lock()

    def poll(self) -> None:
        """Confirm broker-acknowledged commands, then publish newly queued ones."""
        with self._lock, self.db.session() as session:
            done = [cid for cid, info in self._inflight.items() if info.is_published()]
            if done:
                service.mark_sent(session, done)
                for cid in done:
                    del self._inflight[cid]
                self.counters.note("commands_sent", len(done))
            if not self.gateway.connected.is_set():
                return
            for serial, row in service.queued_commands(session):
                if row.command_id in self._inflight:
                    continue
                payload = service.command_message(row).model_dump_json().encode()
                self._inflight[row.command_id] = self.gateway.publish(
                    topic(serial, COMMAND_CHANNEL), payload, qos=1
                )
            session.rollback()

    def expire(self) -> None:
        """Commands past their deadline become `timeout`."""
        with self._lock, self.db.session() as session:
            n = service.expire_commands(session)
            if n:
                self.counters.note("commands_timed_out", n)
                waiting = service.still_queued(session, list(self._inflight))
                for cid in list(self._inflight):
                    if cid not in waiting:
                        del self._inflight[cid]
                session.rollback()
