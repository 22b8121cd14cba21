"""110 call volumes come from the stated assumptions in sim/data/calls.yaml."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from pingan.incidents.catalogue import incident_types
from pingan.sim import visitors
from pingan.sim.scenario import (
    CALLS,
    RATES_PER_1000,
    REPORTS,
    RESIDENT_CALLS_PER_DAY,
    RESIDENT_HOURLY,
    day_for,
)


def _expected(kind: str) -> float:
    day = day_for(kind)
    arriving = visitors.hourly_visitors(day, day + timedelta(days=1)).daily_totals()[0]
    return arriving * sum(RATES_PER_1000.values()) / 1000 + sum(RESIDENT_CALLS_PER_DAY.values())


def test_a_holiday_draws_about_110_incidents_and_an_ordinary_day_fewer():
    assert _expected("holiday") == pytest.approx(112, rel=0.12)
    assert _expected("normal") == pytest.approx(76, rel=0.12)
    assert sum(RESIDENT_CALLS_PER_DAY.values()) == pytest.approx(150 * 0.35)


def test_shares_are_whole_and_every_type_can_be_reported():
    assert sum(RESIDENT_HOURLY) == pytest.approx(1.0) and len(RESIDENT_HOURLY) == 24
    assert RESIDENT_HOURLY.index(max(RESIDENT_HOURLY)) in range(19, 23)  # the evening
    for key in ("visitor_types", "resident_types"):
        assert sum(CALLS[key].values()) == pytest.approx(1.0)
    for type_code in {*RATES_PER_1000, *RESIDENT_CALLS_PER_DAY}:
        assert type_code in incident_types() and REPORTS[type_code]
    assert yaml.safe_dump(CALLS)  # plain data
