"""Event-type patterns mean the same as NATS subject wildcards."""

from __future__ import annotations

import pytest

from pingan.bus.patterns import matches, validate
from pingan.bus.registry import Registry


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("incident.dispatched", "incident.dispatched", True),
        ("incident.dispatched", "incident.closed", False),
        ("incident.*", "incident.closed", True),
        ("incident.*", "incident", False),
        ("incident.*", "incident.unit.released", False),
        ("incident.>", "incident.unit.released", True),
        ("incident.>", "incident", False),
        (">", "unit.status_changed", True),
        ("*.status_changed", "unit.status_changed", True),
        ("unit", "unit.status_changed", False),
    ],
)
def test_matches(pattern: str, event_type: str, expected: bool) -> None:
    assert matches(pattern, event_type) is expected


@pytest.mark.parametrize("bad", ["", "incident..x", ">.incident", "a.>.b"])
def test_invalid_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        validate(bad)


def test_registry_routes_by_pattern_and_refuses_a_second_handler_for_a_name() -> None:
    reg = Registry()

    @reg.subscribe("dispatch", "incident.received")
    def recommend(session, event) -> None:  # type: ignore[no-untyped-def]
        pass

    reg.add("map", ["incident.>", "unit.>"], recommend)
    assert [s.name for s in reg.for_event("incident.received")] == ["dispatch", "map"]
    assert [s.name for s in reg.for_event("unit.status_changed")] == ["map"]
    with pytest.raises(ValueError):
        reg.add("dispatch", ["incident.closed"], lambda s, e: None)
    with pytest.raises(KeyError):
        reg.subscriptions(["nobody"])
