"""A pinned clock for the login throttles, and clients that call from a chosen address."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from pingan.db.base import utcnow


class PinnedClock:
    """The app's clock, moved only by the test (no waiting on wall time)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(client: TestClient) -> PinnedClock:
    pinned = PinnedClock(utcnow().replace(microsecond=0))
    client.app.state.clock = pinned
    return pinned


def from_address(client: TestClient, host: str) -> TestClient:
    """A client of the same app whose TCP peer address is `host`."""
    return TestClient(client.app, client=(host, 50000))
