"""Live state mirrored to the real Redis: another process's hub reads the same picture."""

from __future__ import annotations

import pytest

from pingan.devices.protocol import Channel

from .conftest import fix, register, wait_until


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_live_state_through_redis(db, make_hub, redis_url):
    unit_id = register(db, "CAR-0501", unit=True)
    writer = make_hub(redis_url=redis_url)
    reader = make_hub(redis_url=redis_url, redis_key_prefix=writer.settings.redis_key_prefix)
    writer.ingestor.handle("CAR-0501", Channel.TELEMETRY, fix(109.79, 39.6, battery_pct=81), "t")
    devices, units = wait_until(
        lambda: (v := reader.live_view()) and v[0] and v, what="device visible in Redis"
    )
    assert reader.live.get("CAR-0501").fix_at is None  # it was not in this process's memory
    (car,) = devices
    assert (car["lon"], car["lat"], car["battery_pct"], car["freshness"]) == (
        109.79,
        39.6,
        81,
        "live",
    )
    assert units[0]["unit_id"] == unit_id and units[0]["serial"] == "CAR-0501"
    assert writer.stats()["lag_ms"]["samples"] == 1  # measured when written to Redis
