"""Count readings over MQTT: `pingan/v1/counts/{source_id}` (gate counters, cameras, Wi-Fi).

A message is one reading or a list of them, shaped as the HTTP ingest's readings without
`source_id` (the topic names the source):
`{"area_code": "music_fountain", "kind": "gate", "at": "…+08:00", "count": 812,
"entered": 40, "exited": 12}`. Readings are checked as they arrive (refusals counted by
reason in the gateway's statistics) and stored in batches every second through the same
crowd service as the API, so levels, early warnings and incidents follow unchanged.
"""

from __future__ import annotations

import json
import logging
import threading

from pydantic import ValidationError

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.crowd.schemas import ReadingIn
from pingan.crowd.service import NewReading, ingest, validate
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.devices.counters import Counters
from pingan.devices.topics import inbound
from pingan.errors import ValidationFailed
from pingan.geo.city import City
from pingan.periodic import Periodic

log = logging.getLogger(__name__)
TOPIC_ROOT = "pingan/v1/counts"
MAX_BYTES = 256 * 1024
MAX_READINGS = 5000
FLUSH_EVERY_S = 1.0
MAX_PENDING = 200_000  # kept across a store outage (about 10 minutes of a busy city)
SYSTEM = Actor.system("crowd.mqtt")


@inbound(f"{TOPIC_ROOT}/+", qos=1)
class CountsTopic:
    """Parse on the network thread, store from a timer thread in batches."""

    def __init__(self, db: Database, counters: Counters) -> None:
        self.db = db
        self.counters = counters
        self._lock = threading.Lock()
        self._pending: list[NewReading] = []
        self._timer = Periodic("pingan-crowd-mqtt").every(FLUSH_EVERY_S, "flush", self.flush)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.flush()

    def _refuse(self, reason: str, n: int = 1) -> None:
        for _ in range(n):
            self.counters.reject(f"counts_{reason}", "mqtt")

    def on_message(self, topic: str, raw: bytes) -> None:
        source_id = topic[len(TOPIC_ROOT) + 1 :]
        if not source_id or "/" in source_id or len(source_id) > 64:
            return self._refuse("bad_topic")
        if len(raw) > MAX_BYTES:
            return self._refuse("oversized")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._refuse("bad_json")
        items = body if isinstance(body, list) else [body]
        if not items or len(items) > MAX_READINGS:
            return self._refuse("bad_shape")
        readings = []
        for item in items:
            if not isinstance(item, dict) or item.get("source_id", source_id) != source_id:
                self._refuse("bad_shape")
                continue
            try:
                r = ReadingIn.model_validate(item | {"source_id": source_id})
            except ValidationError:
                self._refuse("bad_reading")
                continue
            readings.append(NewReading(r.source_id, r.area_code, r.kind, r.at, r.count,
                                       r.entered, r.exited))  # fmt: skip
        with self._lock:
            self._pending.extend(readings)
        for _ in readings:
            self.counters.accept("counts", "mqtt")

    def flush(self) -> int:
        """Store what arrived since the last flush; returns how many readings were stored."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        city = runtime.current().city.get()
        now = utcnow()
        good = [r for r in batch if validate(r, city, now) is None]
        self._refuse("rejected", len(batch) - len(good))
        try:
            self._store(city, good)
        except ValidationFailed:  # e.g. a source reporting for a second area: one by one
            for r in good:
                try:
                    self._store(city, [r])
                except ValidationFailed as exc:
                    self._refuse("rejected")
                    log.warning("计数被拒 / count refused (%s): %s", r.source_id, exc)
        except Exception:  # the store is unreachable: keep the batch for the next turn
            with self._lock:
                self._pending[:0] = good[-MAX_PENDING:]
            raise
        return len(good)

    def _store(self, city: City, readings: list[NewReading]) -> None:
        if readings:
            with self.db.session() as session:
                ingest(session, SYSTEM, city, readings)
