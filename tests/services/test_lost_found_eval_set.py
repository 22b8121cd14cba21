"""The hand-written lost-and-found evaluation set stays usable: every case registers as
written (known categories, gazetteer places, times in order) and every class is covered."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pingan.geo.city import load_city
from pingan.geo.gazetteer import Gazetteer, gazetteer_for
from pingan.services.catalogue import canonical_category

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import matching_handset as handset

CLASSES = {
    "synonym",
    "brand",
    "character",
    "colour_in_text",
    "modifier",
    "near_distractor",
    "category",
    "place_name",
    "distance",
    "no_match",
}
CASES = handset.load_cases()


def test_the_set_is_large_enough_and_covers_every_class():
    assert len(CASES) >= 200
    counts = Counter(c for case in CASES for c in case.classes)
    assert set(counts) == CLASSES
    assert min(counts.values()) >= 15, counts
    assert sum(case.found is not None for case in CASES) >= 200


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    return gazetteer_for(load_city())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_case_registers_as_written(case: handset.Case, places: Gazetteer):
    for side in (case.lost, case.found, *case.distractors):
        if side is None:
            continue
        assert canonical_category(side["category"]), side["category"]
        assert side["description"].strip()
        if side.get("lon") is None:
            assert places.lookup(side["place"]) is not None, side["place"]
    if case.found:
        lost_at = handset._instant(case.lost["at"])
        gap = handset._instant(case.found["at"]) - lost_at
        assert timedelta(hours=-24) <= gap <= timedelta(days=7), case.id


def test_times_move_back_whole_weeks_only_when_they_would_be_in_the_future():
    latest = max(handset._instant(s["at"]) for c in CASES for s in (c.lost, c.found) if s)
    assert handset.time_shift(CASES, latest + timedelta(days=30)) == timedelta(0)
    shift = handset.time_shift(CASES, datetime(2026, 1, 10, tzinfo=UTC))
    assert shift.days % 7 == 0 and latest - shift < datetime(2026, 1, 10, tzinfo=UTC)
