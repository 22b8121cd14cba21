"""A register loaded once per test, and a pinned clock for the identity endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.trust.identity import register
from tests.trust.people import CSV


class Clock:
    """The app's clock, started at the real instant (login tokens are checked against the
    wall clock) and then moved only by the test."""

    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock(client) -> Clock:
    c = Clock()
    client.app.state.clock = c
    return c


@pytest.fixture
def loaded(db, vault, clock) -> None:
    with db.session() as session:
        register.import_csv(session, Actor.system("test"), vault, CSV, now=clock.now)


@pytest.fixture
def accounts(clock, accounts):
    """The shared accounts, logged in on the pinned clock (tokens are checked against it)."""
    return accounts
