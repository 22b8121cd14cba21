"""Video-visit fixtures: a clock the app reads, pinned by the test (as the identity tests do),
and the call tests' world of bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pingan.auth.roles import Role
from tests.trust.conftest import Clock
from tests.visits import call_rows
from tests.visits.call_rows import START


@pytest.fixture
def clock(client) -> Clock:
    c = Clock()
    client.app.state.clock = c
    return c


@pytest.fixture
def call_world(client, accounts, db, vault):  # type: ignore[no-untyped-def]
    """The call tests' world (a family and a lawyer booking starting at START, the visitors
    verified five minutes before), with the app's clock a minute past the start."""
    client.app.state.clock = lambda: START + timedelta(minutes=1)
    with db.session() as s:
        return call_rows.make(
            s, vault, family_user=accounts.ids[Role.CITIZEN], lawyer_user=accounts.ids[Role.LAWYER],
            fresh_at=START - timedelta(minutes=5),
        )  # fmt: skip
