"""Plate reads over MQTT: `pingan/v1/anpr/{camera_id}` (parking-lot and road ANPR cameras).

A message is one read or a list of up to 1,000, shaped as `PlateReadMessage` (JSON Schema
`docs/device-protocol/anpr.schema.json`): `{"plate": "蒙K12345", "at": "…+08:00",
"lon": 109.78, "lat": 39.60, "confidence": 0.93, "place": "康巴什广场停车场"}`. The camera is
named by the topic. Reads are checked as they arrive (refusals counted by reason in the gateway
statistics) and stored once a second through `parking.ingest`, the same function as
`POST /api/v1/services/parking/reads`, so a car-finding query sees them at once.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pingan.auth.actor import Actor
from pingan.devices.batched import BatchedTopic
from pingan.devices.protocol import valid_device_id
from pingan.devices.topics import inbound
from pingan.geo.input import service_area
from pingan.i18n import text
from pingan.services import parking, plates
from pingan.services.schemas import PlateReadMessage

TOPIC_ROOT = "pingan/v1/anpr"
MAX_CAMERA_ID = 40  # help_plate_reads.camera_id
SYSTEM = Actor.system("services.anpr")


@inbound(f"{TOPIC_ROOT}/+", qos=1, schema=("anpr", PlateReadMessage))
class AnprTopic(BatchedTopic[parking.ReadSpec]):
    """Parse on the network thread, store from a timer thread in batches."""

    root = TOPIC_ROOT
    channel = "anpr"
    max_bytes = 256 * 1024
    max_items = 1000

    def valid_key(self, key: str) -> bool:
        return valid_device_id(key) and len(key) <= MAX_CAMERA_ID

    def parse(self, key: str, item: dict[str, Any]) -> parking.ReadSpec | str:
        try:
            m = PlateReadMessage.model_validate(item)
            plates.normalise(m.plate)
        except ValidationError:
            return "bad_read"
        except plates.InvalidPlate:
            return "bad_plate"
        if not service_area().contains(m.lon, m.lat):
            return "outside_service_area"
        return parking.ReadSpec(m.plate, key, m.lon, m.lat, m.at, m.confidence, m.place)

    def describe(self, item: parking.ReadSpec) -> str:
        return text("services.log.plate_read", camera=item.camera_id)

    def store(self, items: list[parking.ReadSpec]) -> None:
        with self.db.session() as session:
            parking.ingest(session, SYSTEM, items)
