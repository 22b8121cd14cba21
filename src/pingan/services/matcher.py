"""Pure core: rank lost reports against found items (and back) with a reason for each score.

An exact identifier (IMEI, serial, ID number — compared by keyed hash) wins outright. Else a
clash of two categories that are neither equal nor near (categories.yaml) vetoes; otherwise
category, item kind, colour, brand, character, description similarity, distance and time gap
are weighted (weights in settings.yaml) into 0…1.

Kind, colour, brand and character come from the lexicon (lexicon/*.yaml): read from the form's
fields when given, else from the free text, so an attribute a person only wrote in the text
counts as much as one typed in a field. An attribute known on one side only scores neutral
(0.5); known on both, it agrees (1) or disagrees (0), which is what tells a near-identical
found item from the one that answers the report.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from pingan.geo.coords import haversine_m
from pingan.services import lexicon, settings
from pingan.services.text import TOKENIZERS, dice, keywords


@cache
def categories() -> dict[str, dict[str, Any]]:
    text = resources.files("pingan.services").joinpath("categories.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def near_categories(category: str) -> frozenset[str]:
    """Categories a finder may have chosen for the same thing (both directions of `near`)."""
    cats = categories()
    near = set(cats.get(category, {}).get("near") or ())
    near.update(c for c, v in cats.items() if category in (v.get("near") or ()))
    return frozenset(near - {category})


def category_fit(a: str, b: str) -> float | None:
    """1 for the same category, 0.5 for near ones or "other", None for a clash (a veto)."""
    if a == b:
        return 1.0
    if "other" in (a, b) or b in near_categories(a):
        return 0.5
    return None


@dataclass(frozen=True, slots=True)
class Item:
    """One side of a match: a lost report or a found item, as the matcher sees it."""

    id: int
    category: str
    description: str
    lon: float
    lat: float
    at: datetime
    colour: str | None = None
    brand: str | None = None
    identifier_keys: frozenset[str] = frozenset()
    tokens: frozenset[str] = field(default=frozenset(), compare=False)
    # the lexicon's attributes as prefixed features ("k:luggage", "c:blue", "b:apple" …)
    features: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True, slots=True)
class Match:
    item_id: int
    score: float
    by_identifier: bool
    distance_m: float
    gap_h: float
    reason_zh: str
    reason_en: str


# feature prefixes: item kind, category a kind belongs to, colour family, brand, character,
# material, modifier (儿童, 女款 …)
KIND, KIND_CATEGORY, COLOUR, BRAND, CHARACTER, MATERIAL, MODIFIER = (
    "k:", "g:", "c:", "b:", "h:", "m:", "x:"
)  # fmt: skip


def features(item: Item) -> frozenset[str]:
    """The item's attributes as features: colour and brand from the fields when given, else
    from the text; kinds, characters, materials and modifiers from text and fields."""
    found = lexicon.extract(" ".join(x for x in (item.description, item.brand) if x))
    colours = lexicon.colour_families(item.colour) or found.colours
    brands = lexicon.brand_ids(item.brand) or found.brands
    groups = (
        (KIND, found.kinds),
        (KIND_CATEGORY, found.categories),
        (COLOUR, colours),
        (BRAND, brands),
        (CHARACTER, found.characters),
        (MATERIAL, found.materials),
        (MODIFIER, found.modifiers),
    )
    # stored space-separated: a value typed with spaces (an unknown brand "Blue Bird") is
    # joined up, alike on both sides
    return frozenset(prefix + "_".join(v.split()) for prefix, values in groups for v in values)


def prepare(item: Item, tokenizer: str = "jieba") -> Item:
    """The item with its description tokenised and its attributes read once (indexes and
    the store keep prepared items). The tokenizers fold aliases to one word first, so 拉杆箱
    and 行李箱, Apple and 苹果 share their tokens."""
    tokens = TOKENIZERS[tokenizer](lexicon.detail_text(item.description))
    return Item(**{**_fields(item), "tokens": tokens, "features": features(item)})


def token_tag(tokenizer: str) -> str:
    """What stored tokens were made with: the tokenizer and the lexicon's version, so a
    changed lexicon makes every stored row be read afresh."""
    return f"{tokenizer}@{lexicon.version()}"


def pack_tokens(item: Item, tokenizer: str) -> str:
    """The prepared item's tokens and features as stored with the row: `<tag>:`, the tokens,
    a tab, the features. Neither ever holds whitespace (the tokenizers split on it)."""
    return (
        f"{token_tag(tokenizer)}:"
        + " ".join(sorted(item.tokens))
        + "\t"
        + " ".join(sorted(item.features))
    )


def unpack_tokens(
    stored: str | None, tokenizer: str
) -> tuple[frozenset[str], frozenset[str]] | None:
    """Stored (tokens, features), or None when absent or made by another tokenizer or
    lexicon (then the row is prepared afresh)."""
    tag = f"{token_tag(tokenizer)}:"
    if not stored or not stored.startswith(tag):
        return None
    tokens, _, feats = stored[len(tag) :].partition("\t")
    return frozenset(tokens.split()), _feature_set(feats)


@lru_cache(maxsize=65536)
def _feature_set(stored: str) -> frozenset[str]:
    """One set object per distinct stored feature string: many items share their features
    (every black Huawei phone), and grouping them (`attrs`) is then found by identity."""
    return frozenset(stored.split())


def _fields(item: Item) -> dict[str, Any]:
    return {k: getattr(item, k) for k in Item.__slots__}


def _fmt_distance(m: float) -> tuple[str, str]:
    if m < 1000:
        v = int(round(m, -1))
        return f"相距 {v} 米", f"{v} m apart"
    return f"相距 {m / 1000:.1f} 公里", f"{m / 1000:.1f} km apart"


def _fmt_gap(h: float) -> tuple[str, str]:
    if h < 1:
        v = max(1, round(h * 60))
        return f"相隔 {v} 分钟", f"{v} min apart"
    if h < 48:
        v = round(h)
        return f"相隔 {v} 小时", f"{v} h apart"
    return f"相隔 {h / 24:.0f} 天", f"{h / 24:.0f} days apart"


def _explain(q: Item, c: Item, by_id: bool, dist: float, gap_h: float) -> tuple[str, str]:
    cat = categories().get(c.category, {"name_zh": c.category, "name_en": c.category})
    zh, en = [], []
    if by_id:
        zh.append("标识号一致")
        en.append("identifier matches")
    qa, ca = attrs(q.features), attrs(c.features)
    colour = _overlap(qa.colours, ca.colours) == 1.0
    brand = _agree(qa.brands, ca.brands) == 1.0
    # the words a person typed in a field, when the agreement can be said with them
    cw = (c.colour or q.colour or "") if colour else ""
    bw = (c.brand or q.brand or "") if brand else ""
    if cw or bw or q.category == c.category:
        zh.append(f"同为{cw}{bw}{cat['name_zh']}")
        en.append(" ".join(x for x in ("both", cw, bw, cat["name_en"]) if x))
    if colour and not cw:
        zh.append("颜色相符")
        en.append("colour agrees")
    if brand and not bw:
        zh.append("品牌相符")
        en.append("brand agrees")
    if _agree(qa.characters, ca.characters) == 1.0:
        zh.append("图案形象相符")
        en.append("same character")
    for z, e in (_fmt_distance(dist), _fmt_gap(gap_h)):
        zh.append(z)
        en.append(e)
    return ", ".join(zh), ", ".join(en)


class Attrs(NamedTuple):
    """An item's features grouped by attribute, without their prefixes."""

    kinds: frozenset[str]
    categories: frozenset[str]
    colours: frozenset[str]
    brands: frozenset[str]
    characters: frozenset[str]


_PREFIXES = (KIND, KIND_CATEGORY, COLOUR, BRAND, CHARACTER)


@lru_cache(maxsize=65536)
def attrs(features: frozenset[str]) -> Attrs:
    """Grouped once per distinct feature set: the ranking compares hundreds of candidates per
    report, and many stored items share the same words."""
    groups: dict[str, set[str]] = {p: set() for p in _PREFIXES}
    for f in features:
        prefix = f[: f.index(":") + 1]
        if prefix in groups:
            groups[prefix].add(f[len(prefix) :])
    return Attrs(*(frozenset(groups[p]) for p in _PREFIXES))


def _agree(a: frozenset[str], b: frozenset[str]) -> float | None:
    """1 when both sides name the attribute and share a value, 0 when both name it and share
    none, None when a side does not say."""
    if not a or not b:
        return None
    return 1.0 if a & b else 0.0


def _overlap(a: frozenset[str], b: frozenset[str]) -> float | None:
    """How fully two colour descriptions agree: shared families over the larger side's
    (white vs white: 1; transparent-and-white vs black-transparent-yellow: 1/3), so a shared
    trim colour does not make a white phone agree with a black one; None when a side says none."""
    if not a or not b:
        return None
    return len(a & b) / max(len(a), len(b))


def _category(q: Item, c: Item, qa: Attrs, ca: Attrs) -> float | None:
    """As category_fit, but a category either side's own words name counts as the same:
    a report filed under "other" or a neighbour that says 行李箱 is about luggage."""
    if c.category in qa.categories or q.category in ca.categories:
        return 1.0
    return category_fit(q.category, c.category)


NEUTRAL = 0.5  # an attribute one side does not mention neither helps nor hurts


def _part(x: float | None) -> float:
    return NEUTRAL if x is None else x


@dataclass(frozen=True, slots=True)
class _Rules:
    """The scoring rules of settings.yaml, read once per ranking (weights normalised)."""

    category: float
    kind: float
    colour: float
    brand: float
    character: float
    text: float
    distance: float
    time: float
    distance_scale_m: float
    time_scale_h: float

    @classmethod
    def current(cls) -> _Rules:
        rules = settings.lost_found()
        w = rules["weights"]
        total = sum(w.values())
        return cls(
            *(w[k] / total for k in ("category", "kind", "colour", "brand", "character")),
            w["text"] / total,
            w["distance"] / total,
            w["time"] / total,
            rules["distance_scale_m"],
            rules["time_scale_h"],
        )


def _value(q: Item, c: Item, r: _Rules | None = None) -> tuple[float, bool, float, float] | None:
    """(score, by identifier, distance m, gap h), or None when the categories clash."""
    by_id = bool(q.identifier_keys & c.identifier_keys)
    qa, ca = attrs(q.features), attrs(c.features)
    category = _category(q, c, qa, ca)
    if not by_id and category is None:
        return None
    dist = haversine_m(q.lon, q.lat, c.lon, c.lat)
    gap_h = abs((c.at - q.at).total_seconds()) / 3600
    if by_id:
        return 1.0, True, dist, gap_h
    r = r or _Rules.current()
    total = (
        r.category * (category or 0.0)
        + r.kind * _part(lexicon.kind_similarity(qa.kinds, ca.kinds))
        + r.colour * _part(_overlap(qa.colours, ca.colours))
        + r.brand * _part(_agree(qa.brands, ca.brands))
        + r.character * _part(_agree(qa.characters, ca.characters))
        + r.text * dice(q.tokens, c.tokens)
        + r.distance * math.exp(-dist / r.distance_scale_m)
        + r.time * math.exp(-gap_h / r.time_scale_h)
    )
    return min(total, 0.99), False, dist, gap_h  # only an identifier gives certainty


def _match(q: Item, c: Item, value: tuple[float, bool, float, float]) -> Match:
    s, by_id, dist, gap_h = value
    zh, en = _explain(q, c, by_id, dist, gap_h)
    return Match(c.id, round(s, 4), by_id, round(dist, 1), round(gap_h, 2), zh, en)


def score(q: Item, c: Item) -> Match | None:
    """Score one candidate for the query, with its reason; None when the categories clash."""
    value = _value(q, c)
    return None if value is None else _match(q, c, value)


def rank(q: Item, candidates: Iterable[Item], *, top: int = 5) -> list[Match]:
    """Best candidates first: identifier matches, then by score; reasons for the top only."""
    rules = _Rules.current()
    scored = [(v, c) for c in candidates if (v := _value(q, c, rules)) is not None]
    best = heapq.nsmallest(top, scored, key=lambda vc: (not vc[0][1], -vc[0][0], vc[1].id))
    return [_match(q, c, v) for v, c in best]


def keyword_rank(q: Item, candidates: Iterable[Item], *, top: int = 5) -> list[int]:
    """The baseline: count the query's typed keywords found in each description."""
    words = keywords(q.description)
    hits = [(sum(w in c.description for w in words), c.id) for c in candidates]
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [i for n, i in hits[:top] if n > 0]


Ranker = Callable[[Item, Iterable[Item]], list[Match]]
