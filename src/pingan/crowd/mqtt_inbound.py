"""Count readings over MQTT: `pingan/v1/counts/{source_id}` (gate counters, cameras, Wi-Fi).

A message is one reading or a list of them, shaped as the HTTP ingest's readings without
`source_id` (the topic names the source):
`{"area_code": "music_fountain", "kind": "gate", "at": "…+08:00", "count": 812,
"entered": 40, "exited": 12}`. Readings are checked as they arrive (refusals counted by
reason in the gateway's statistics) and stored in batches every second through the same
crowd service as the API, so levels, early warnings and incidents follow unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pingan import runtime
from pingan.auth.actor import Actor
from pingan.crowd.schemas import ReadingIn
from pingan.crowd.service import NewReading, ingest, validate
from pingan.db.base import utcnow
from pingan.devices.batched import BatchedTopic
from pingan.devices.topics import inbound
from pingan.i18n import text

TOPIC_ROOT = "pingan/v1/counts"
SYSTEM = Actor.system("crowd.mqtt")


@inbound(f"{TOPIC_ROOT}/+", qos=1)
class CountsTopic(BatchedTopic[NewReading]):
    """Parse on the network thread, store from a timer thread in batches."""

    root = TOPIC_ROOT
    channel = "counts"
    max_items = 5000

    def parse(self, key: str, item: dict[str, Any]) -> NewReading | str:
        if item.get("source_id", key) != key:
            return "bad_shape"
        try:
            r = ReadingIn.model_validate(item | {"source_id": key})
        except ValidationError:
            return "bad_reading"
        return NewReading(r.source_id, r.area_code, r.kind, r.at, r.count, r.entered, r.exited)

    def screen(self, batch: list[NewReading]) -> list[NewReading]:
        city, now = runtime.current().city.get(), utcnow()
        return [r for r in batch if validate(r, city, now) is None]

    def describe(self, item: NewReading) -> str:
        return text("crowd.log.count", source=item.source_id)

    def store(self, items: list[NewReading]) -> None:
        with self.db.session() as session:
            ingest(session, SYSTEM, runtime.current().city.get(), items)
