"""The world's side of the help services: whether someone comes across a lost item or a
missing person, who, when and where, and what they write down (pure; a seeded stream).

Nothing here reads the platform; the desk (sim/helpdesk.py) registers what a finder says and
lets the platform's matching and checks decide what goes back to whom.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pyproj import Geod

from pingan.sim.help_data import (
    AGE_GUESS_ERROR,
    FOUND_CHANCE,
    FOUND_OFF_M,
    FOUND_PLACE_FACTOR,
    ITEM_FINDERS,
    MAX_FOUND_CHANCE,
    PERSON_DRIFT_M,
    PERSON_FINDERS,
    PERSON_SEEN_CHANCE,
    LostItem,
    MissingPerson,
)

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Find:
    """Someone came across it: who, how many seconds later, and where."""

    finder: str
    after_s: float
    lon: float
    lat: float


def near(
    rng: random.Random, lon: float, lat: float, metres: tuple[float, float]
) -> tuple[float, float]:
    """A point some way off in a random direction: near, never at, the given one."""
    x, y, _ = _GEOD.fwd(lon, lat, rng.uniform(0, 360), rng.uniform(*metres))
    return float(x), float(y)


def _who(
    rng: random.Random, finders: dict[str, tuple[float, tuple[float, float]]]
) -> tuple[str, float]:
    names = list(finders)
    name = rng.choices(names, weights=[finders[n][0] for n in names])[0]
    return name, rng.uniform(*finders[name][1])


def found_chance(item: LostItem, area: str) -> float:
    return min(MAX_FOUND_CHANCE, FOUND_CHANCE[item.category] * FOUND_PLACE_FACTOR.get(area, 1.0))


def item_found(
    rng: random.Random, item: LostItem, area: str, lon: float, lat: float
) -> Find | None:
    """Whether someone comes across the item lost near (lon, lat), and who, when, where."""
    if rng.random() >= found_chance(item, area):
        return None
    finder, after = _who(rng, ITEM_FINDERS)
    return Find(finder, after, *near(rng, lon, lat, FOUND_OFF_M))


def finder_words(rng: random.Random, item: LostItem) -> tuple[str, str | None]:
    """The finder's description and colour word: their own, never the owner's report."""
    return rng.choice(item.finder_texts), rng.choice(item.finder_colours)


def person_seen(rng: random.Random, person: MissingPerson, lon: float, lat: float) -> Find | None:
    """Whether someone comes across the missing person that day, who, when and where."""
    if rng.random() >= PERSON_SEEN_CHANCE[person.kind]:
        return None
    finder, after = _who(rng, PERSON_FINDERS)
    return Find(finder, after, *near(rng, lon, lat, PERSON_DRIFT_M[person.kind]))


def person_words(rng: random.Random, person: MissingPerson) -> tuple[str, int]:
    """What the finder writes (what they see, in their words) and the age they guess."""
    error = AGE_GUESS_ERROR[person.kind]
    age = max(1, person.age + rng.randint(-error, error))
    seen = f"约{age}岁，{rng.choice(person.finder_texts)}，{rng.choice(person.finder_clothing)}"
    return seen, age
