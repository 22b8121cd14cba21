"""The world's side of the help services: finders write their own words, find things near the
loss and not always, and each item's marks prove it and no other of its kind."""

from __future__ import annotations

import random

import pytest

from pingan.geo.coords import haversine_m
from pingan.services import settings
from pingan.services.text import bigrams, coverage, dice
from pingan.sim import finders
from pingan.sim.help_data import (
    FOUND_OFF_M,
    LOST_ITEMS,
    MARKS,
    MISSING_PEOPLE,
    PERSON_DRIFT_M,
    PERSON_SEEN_CHANCE,
)

LOSS = (109.7835, 39.5993)  # the music fountain


def _proves(said: str, noted: str) -> bool:
    """The claim check of lost_found.claim: the share of the desk's held-back note stated."""
    return coverage(bigrams(noted), bigrams(said)) >= settings.lost_found()["claim_details_min"]


@pytest.mark.parametrize("item", LOST_ITEMS, ids=lambda i: i.owner_text)
def test_a_finder_describes_the_item_in_other_words_than_its_owner(item):
    rng = random.Random(7)
    owner = bigrams(f"{item.owner_text} {item.brand or ''}")
    for _ in range(50):
        text, colour = finders.finder_words(rng, item)
        assert text != item.owner_text
        assert item.brand is None or item.brand not in text  # a finder writes down no brand
        assert dice(bigrams(text), owner) < 0.8, text  # their own words, not a copy
        assert colour in item.finder_colours


def test_some_finders_give_a_wrong_colour_word_or_none():
    wrong = [c for i in LOST_ITEMS for c in i.finder_colours if c is not None and c != i.colour]
    assert wrong and any(None in i.finder_colours for i in LOST_ITEMS)


@pytest.mark.parametrize("person", MISSING_PEOPLE, ids=lambda p: p.description)
def test_a_finder_describes_a_person_as_seen_with_a_guessed_age(person):
    rng = random.Random(11)
    guardian = f"{person.description}，{person.clothing}"
    ages = set()
    for _ in range(50):
        text, age = finders.person_words(rng, person)
        assert text != guardian and person.description not in text
        ages.add(age)
    assert len(ages) > 1 and person.age in range(min(ages), max(ages) + 1)


@pytest.mark.parametrize("category", list(MARKS))
def test_an_owners_marks_pass_the_claim_check_for_their_item_only(category):
    marks = MARKS[category]
    for i, (said, _) in enumerate(marks):
        for j, (_, noted) in enumerate(marks):
            assert _proves(said, noted) == (i == j), (said, noted)
        assert said != marks[i][1]  # owner and desk put it in their own words


def test_items_are_found_near_not_at_the_loss_and_not_all_of_them():
    rng = random.Random(3)
    item = next(i for i in LOST_ITEMS if i.category == "umbrella")
    finds = [finders.item_found(rng, item, "bridge_3", *LOSS) for _ in range(2000)]
    found = [f for f in finds if f is not None]
    share = len(found) / len(finds)
    assert share == pytest.approx(finders.found_chance(item, "bridge_3"), abs=0.04)
    assert share < 0.5  # few hand in a cheap umbrella, fewer on the bridge
    metres = [haversine_m(*LOSS, f.lon, f.lat) for f in found]
    assert FOUND_OFF_M[0] * 0.99 <= min(metres) and max(metres) <= FOUND_OFF_M[1] * 1.01
    assert {f.finder for f in found} == {"cleaner", "visitor", "officer", "volunteer"}
    phone = next(i for i in LOST_ITEMS if i.category == "phone")
    assert finders.found_chance(phone, "museum") > finders.found_chance(phone, "bridge_3")


def test_missing_people_are_mostly_come_across_some_way_off():
    rng = random.Random(5)
    for person in MISSING_PEOPLE:
        seen = [finders.person_seen(rng, person, *LOSS) for _ in range(2000)]
        met = [s for s in seen if s is not None]
        assert len(met) / len(seen) == pytest.approx(PERSON_SEEN_CHANCE[person.kind], abs=0.03)
        low, high = PERSON_DRIFT_M[person.kind]
        # geodesic offsets, measured on a sphere: within a per cent
        assert all(low * 0.99 <= haversine_m(*LOSS, s.lon, s.lat) <= high * 1.01 for s in met)
