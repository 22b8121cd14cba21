"""Every simulation test runs on a pinned clock: 'now' is a fixed afternoon of a holiday, so
stretches taken back from now start at the same local hour whenever CI runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.clock import local_time, pinned_clock

NOW = local_time(15, 30)


@pytest.fixture(autouse=True)
def small_fleet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 18-unit demo fleet keeps simulated stretches quick; tests of the article-scale
    roster ask for it by name (build_demo(fleet="article"))."""
    monkeypatch.setenv("PINGAN_DEMO_FLEET", "small")


@pytest.fixture(autouse=True)
def fixed_now() -> Iterator[datetime]:
    with pinned_clock(NOW) as now:
        yield now
