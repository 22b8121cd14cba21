"""Plate reads over the real Mosquitto broker (`pingan/v1/anpr/{camera_id}`), on both stores:
good reads are stored in batches through the parking service and a car-finding query over
the API finds the newest (misread) sighting; malformed reads are refused and counted without
losing the reads stored before or beside them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from pingan.auth.roles import Role
from pingan.cli import app
from pingan.services.models import PlateRead
from tests.devices.conftest import Device, wait_until
from tests.helpers import FOUNTAIN
from tests.services.conftest import GUARDIAN_ID, ago

API = "/api/v1/services"
TOPIC = "pingan/v1/anpr"


def plate_read(plate: str, minutes: float, dx: float = 0.004) -> dict:
    return {"plate": plate, "at": ago(minutes=minutes), "lon": FOUNTAIN[0] + dx,
            "lat": FOUNTAIN[1], "confidence": 0.91, "place": "湖滨停车场B区"}  # fmt: skip


def _stored(db) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.execute(select(PlateRead.camera_id, PlateRead.plate)).all()
    return sorted((r[0], r[1]) for r in rows)


def test_plate_reads_over_mqtt_find_the_car_and_bad_reads_are_refused(
    client, accounts, db, make_hub, mqtt_url
):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    owner = {"plate": "蒙K85123", "owner_id_number": GUARDIAN_ID}
    assert client.post(f"{API}/parking/owners", json=owner, headers=officer).status_code == 201
    hub = make_hub(mqtt_url=mqtt_url)
    camera = Device(mqtt_url, "P-LAKE-01").connect()
    try:
        pub = camera.client.publish
        pub(f"{TOPIC}/P-LAKE-01", json.dumps(plate_read("蒙K85123", 90, dx=0.002)), qos=1)
        wait_until(lambda: len(_stored(db)) == 1, timeout=10, what="the first stored read")

        future = plate_read("蒙K85123", 0) | {
            "at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        }
        batch = [plate_read("蒙K85I23", 30), future, {"plate": "蒙K85123"}, "not a read"]
        pub(f"{TOPIC}/P-LAKE-02", json.dumps(batch), qos=1)
        pub(f"{TOPIC}/P-LAKE-02", b"{not json", qos=1)
        pub(f"{TOPIC}/P-LAKE-02", json.dumps(plate_read("ABC", 5)), qos=1)
        pub(f"{TOPIC}/P-LAKE-03", json.dumps(plate_read("蒙K77777", 10)), qos=1)
        too_long = f"{TOPIC}/{'C' * 41}"
        pub(too_long, json.dumps(plate_read("蒙K77777", 10)), qos=1).wait_for_publish(5)

        wait_until(lambda: hub.counters.rejected["anpr_rejected"] == 1, what="future refused")
        wait_until(lambda: len(_stored(db)) == 3, timeout=10, what="three stored reads")
        assert _stored(db) == [
            ("P-LAKE-01", "蒙K85123"), ("P-LAKE-02", "蒙K85I23"), ("P-LAKE-03", "蒙K77777")
        ]  # fmt: skip
        rejected = hub.counters.rejected
        assert hub.counters.accepted["anpr"] == 4  # 3 stored + the future one, refused at store
        assert rejected["anpr_bad_read"] == 1 and rejected["anpr_bad_shape"] == 1
        assert rejected["anpr_bad_json"] == 1 and rejected["anpr_bad_plate"] == 1
        assert rejected["anpr_bad_topic"] == 1
    finally:
        camera.close()

    ask = {"plate": "蒙K85123", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    found = client.post(
        f"{API}/parking/find", json={**ask, "owner_id_number": GUARDIAN_ID}, headers=citizen
    )
    assert found.status_code == 200, found.text
    car = found.json()
    # The newest sighting came over MQTT misread by OCR (I for 1) and still counts.
    assert car["plate_read"] == "蒙K85I23" and car["match"] == "corrected"
    assert car["camera_id"] == "P-LAKE-02"


def test_anpr_schema_is_published_with_the_device_protocol(tmp_path):
    """`pingan devices schemas` writes the ANPR message schema next to the device channels'."""
    result = CliRunner().invoke(app, ["devices", "schemas", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "anpr.schema.json").read_text("utf-8"))
    assert written["$id"] == "urn:pingan:device-protocol:v1:anpr"
    assert set(written["required"]) == {"plate", "at", "lon", "lat"}
    committed = Path(__file__).parents[2] / "docs/device-protocol/anpr.schema.json"
    assert json.loads(committed.read_text("utf-8")) == written
