"""The device protocol's pure parts: topics, schemas, limits, times, published JSON Schemas."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from pingan.devices.protocol import (
    Channel,
    CommandBody,
    Reason,
    Rejected,
    Telemetry,
    TimeRules,
    check_time,
    decode,
    json_schemas,
    parse_topic,
    subscriptions,
    wgs84,
)
from pingan.geo.coords import Crs, wgs84_to_gcj02

DOCS = Path(__file__).resolve().parents[2] / "docs" / "device-protocol"
NOW = time.time()


def reason(channel: Channel, raw: bytes, max_bytes: int = 8192) -> Reason:
    with pytest.raises(Rejected) as exc:
        decode(channel, raw, max_bytes=max_bytes)
    return exc.value.reason


def test_topics_round_trip_and_refuse_anything_else():
    assert parse_topic("pingan/v1/devices/RB-0001/telemetry") == ("RB-0001", Channel.TELEMETRY)
    assert parse_topic("pingan/v1/devices/uav_7.a/ack") == ("uav_7.a", Channel.ACK)
    for bad in (
        "pingan/v1/devices/RB-0001/command",  # outbound only
        "pingan/v1/devices/RB-0001/telemetry/x",
        "pingan/v2/devices/RB-0001/telemetry",
        "pingan/v1/devices/-lead/telemetry",
        "pingan/v1/devices/" + "x" * 65 + "/telemetry",
        "other/topic",
    ):
        with pytest.raises(Rejected) as exc:
            parse_topic(bad)
        assert exc.value.reason is Reason.BAD_TOPIC


def test_telemetry_at_qos0_everything_else_at_qos1():
    subs = dict(subscriptions())
    assert subs["pingan/v1/devices/+/telemetry"] == 0
    assert {subs[f"pingan/v1/devices/+/{c}"] for c in ("status", "alert", "ack")} == {1}


def test_valid_telemetry_accepts_iso_or_unix_time_and_ignores_unknown_fields():
    iso = decode(
        Channel.TELEMETRY,
        b'{"ts":"2026-07-28T20:15:03+08:00","lon":109.78,"lat":39.61,"firmware":"2.1"}',
        max_bytes=8192,
    )
    unix = decode(Channel.TELEMETRY, b'{"ts":1785240903,"lon":109.78,"lat":39.61}', max_bytes=8192)
    assert isinstance(iso, Telemetry) and iso.ts.timestamp() == unix.ts.timestamp()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"not json", Reason.MALFORMED_JSON),
        (b"\xff\xfe\x00", Reason.MALFORMED_JSON),
        (b"", Reason.MALFORMED_JSON),
        (b'{"ts":1,"lon":109.7', Reason.MALFORMED_JSON),
        (b"[1,2]", Reason.INVALID_MESSAGE),
        (b'{"lon":109.78,"lat":39.61}', Reason.INVALID_MESSAGE),
        (b'{"ts":1785240903,"lon":190,"lat":39.61}', Reason.INVALID_MESSAGE),
        (b'{"ts":1785240903,"lon":NaN,"lat":39.61}', Reason.INVALID_MESSAGE),
        (b'{"ts":"yesterday","lon":109.78,"lat":39.61}', Reason.INVALID_MESSAGE),
        (b'{"ts":"2026-07-28T20:15:03","lon":109.78,"lat":39.61}', Reason.INVALID_MESSAGE),
        (b'{"ts":1785240903,"lon":109.78,"lat":39.61,"battery_pct":101}', Reason.INVALID_MESSAGE),
    ],
)
def test_bad_telemetry_is_refused_with_a_stable_reason(raw, expected):
    assert reason(Channel.TELEMETRY, raw) is expected


def test_size_is_checked_before_parsing():
    big = json.dumps({"ts": NOW, "lon": 1, "lat": 1, "pad": "x" * 9000}).encode()
    assert reason(Channel.TELEMETRY, big) is Reason.OVERSIZED
    assert reason(Channel.TELEMETRY, b"x" * 101, max_bytes=100) is Reason.OVERSIZED


def test_refusal_details_never_echo_the_payload():
    secret = "13912345678"
    with pytest.raises(Rejected) as exc:
        decode(Channel.ALERT, json.dumps({"ts": NOW, "type": secret}).encode(), max_bytes=8192)
    assert secret not in str(exc.value) and "type" in exc.value.detail


def test_other_channels():
    status = decode(Channel.STATUS, b'{"ts":1785240903,"state":"charging"}', max_bytes=8192)
    assert status.state == "charging"
    ack = decode(
        Channel.ACK, b'{"ts":1785240903,"command_id":"c1","result":"done"}', max_bytes=8192
    )
    assert ack.result == "done"
    assert reason(Channel.ACK, b'{"ts":1785240903,"command_id":"c1","result":"ok"}') is (
        Reason.INVALID_MESSAGE
    )
    alert = decode(
        Channel.ALERT, b'{"ts":1785240903,"type":"crowd_density","count":1800}', max_bytes=8192
    )
    assert alert.level == "warning" and alert.count == 1800


def test_time_rules():
    rules = TimeRules(max_clock_skew_s=60, max_age_s=3600)
    ts = Telemetry.model_validate({"ts": NOW - 10, "lon": 1, "lat": 1}).ts
    assert math.isclose(check_time(ts, NOW, rules), NOW - 10, abs_tol=1e-3)
    for off in (+120, -7200):
        late = Telemetry.model_validate({"ts": NOW + off, "lon": 1, "lat": 1}).ts
        with pytest.raises(Rejected) as exc:
            check_time(late, NOW, rules)
        assert exc.value.reason is Reason.BAD_TIME


def test_gcj02_is_converted_at_the_edge():
    g = wgs84_to_gcj02(109.78, 39.61)
    lon, lat = wgs84(g.lon, g.lat, Crs.GCJ02)
    assert abs(lon - 109.78) < 1e-6 and abs(lat - 39.61) < 1e-6
    assert wgs84(109.78, 39.61, Crs.WGS84) == (109.78, 39.61)


def test_command_bodies():
    adapter = TypeAdapter(CommandBody)
    b = adapter.validate_python({"type": "broadcast", "text": "请勿拥挤，注意安全"})
    assert (b.repeat, b.volume) == (1, 80)
    m = adapter.validate_python({"type": "mission", "waypoints": [{"lon": 109.78, "lat": 39.6}]})
    assert m.waypoints[0].alt_m == 60 and m.return_home
    for bad in (
        {"type": "broadcast", "text": ""},
        {"type": "mission", "waypoints": []},
        {"type": "recording", "action": "pause"},
        {"type": "selfdestruct"},
    ):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)


def test_published_json_schemas_are_current():
    """docs/device-protocol/*.schema.json are generated by `pingan devices schemas`."""
    for name, schema in json_schemas().items():
        path = DOCS / f"{name}.schema.json"
        assert path.is_file(), f"missing {path}; run `pingan devices schemas`"
        assert json.loads(path.read_text("utf-8")) == schema, f"{path} is out of date"
