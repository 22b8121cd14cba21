"""A clock the app reads, pinned by the test (as the identity tests do)."""

from __future__ import annotations

import pytest

from tests.trust.conftest import Clock


@pytest.fixture
def clock(client) -> Clock:
    c = Clock()
    client.app.state.clock = c
    return c
