"""Crowd counts over the real Mosquitto broker (`pingan/v1/counts/{source_id}`), on both
stores: good readings reach the crowd service in batches, bad ones are refused and counted,
and device telemetry on the same gateway is untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pingan import runtime
from pingan.crowd.models import CountReading

from .conftest import KANGBASHI, Device, fix, register, wait_until


def _stored(db) -> list[tuple[str, float]]:
    with db.session() as session:
        rows = session.execute(select(CountReading.source_id, CountReading.count)).all()
    return sorted((r[0], r[1]) for r in rows)


def test_counts_arrive_in_batches_and_bad_ones_are_counted(db, make_hub, mqtt_url, settings):
    runtime.configure(settings)
    register(db, "CAR-0301", unit=True)
    hub = make_hub(mqtt_url=mqtt_url)
    gate = Device(mqtt_url, "GATE-F1").connect()
    now = datetime.now(UTC)
    reading = {"area_code": "music_fountain", "kind": "gate", "count": 812, "entered": 40}
    try:
        pub = gate.client.publish
        pub("pingan/v1/counts/gate-f1", json.dumps(reading | {"at": now.isoformat()}), qos=1)
        later = [
            reading | {"at": (now + timedelta(seconds=s)).isoformat(), "count": 812 + s}
            for s in (-30, -20)
        ]
        pub("pingan/v1/counts/gate-f1", json.dumps(later), qos=1)
        pub("pingan/v1/counts/gate-f1", b"{not json", qos=1)
        pub("pingan/v1/counts/gate-f2", json.dumps(reading | {"at": "yesterday"}), qos=1)
        future = reading | {"at": (now + timedelta(hours=1)).isoformat()}
        pub("pingan/v1/counts/gate-f3", json.dumps(future), qos=1)
        spoof = reading | {"at": now.isoformat(), "source_id": "gate-x"}
        pub("pingan/v1/counts/gate-f4", json.dumps(spoof), qos=1).wait_for_publish(5)
        gate.send("telemetry", fix(KANGBASHI[0], KANGBASHI[1]), serial="CAR-0301")

        wait_until(lambda: len(_stored(db)) == 3, timeout=10, what="three stored readings")
        assert _stored(db) == [("gate-f1", 782.0), ("gate-f1", 792.0), ("gate-f1", 812.0)]
        wait_until(lambda: hub.counters.accepted["telemetry"] == 1, what="device telemetry")
        wait_until(lambda: hub.counters.rejected["counts_rejected"] == 1, what="future refused")
        rejected = hub.counters.rejected
        assert hub.counters.accepted["counts"] == 4  # 3 good + the future one, refused at store
        assert rejected["counts_bad_json"] == 1 and rejected["counts_bad_reading"] == 1
        assert rejected["counts_bad_shape"] == 1
    finally:
        gate.close()
