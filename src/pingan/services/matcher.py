"""Pure core: rank lost reports against found items (and back) with a reason for each score.

An exact identifier (IMEI, serial, ID number — compared by keyed hash) wins outright. Else a
clash of two known categories vetoes; otherwise category, colour and brand, description
similarity, distance and time gap are weighted (weights in settings.yaml) into 0…1.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from pingan.geo.coords import haversine_m
from pingan.services import settings
from pingan.services.text import TOKENIZERS, dice, fold, keywords


@cache
def categories() -> dict[str, dict[str, str]]:
    text = resources.files("pingan.services").joinpath("categories.yaml").read_text("utf-8")
    return yaml.safe_load(text)


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


@dataclass(frozen=True, slots=True)
class Match:
    item_id: int
    score: float
    by_identifier: bool
    distance_m: float
    gap_h: float
    reason_zh: str
    reason_en: str


def prepare(item: Item, tokenizer: str = "jieba") -> Item:
    """The item with its description tokenised once (indexes keep prepared items)."""
    text = " ".join(x for x in (item.description, item.colour, item.brand) if x)
    return Item(**{**_fields(item), "tokens": TOKENIZERS[tokenizer](text)})


def pack_tokens(item: Item, tokenizer: str) -> str:
    """The prepared item's tokens as stored with the row (`<tokenizer>:` then the tokens).

    Tokens never hold whitespace (the tokenizers split on it), so a space separates them.
    """
    return f"{tokenizer}:" + " ".join(sorted(item.tokens))


def unpack_tokens(stored: str | None, tokenizer: str) -> frozenset[str] | None:
    """Stored tokens, or None when absent or made by another tokenizer (then re-tokenise)."""
    if not stored or not stored.startswith(f"{tokenizer}:"):
        return None
    return frozenset(stored[len(tokenizer) + 1 :].split())


def _fields(item: Item) -> dict[str, Any]:
    return {k: getattr(item, k) for k in Item.__slots__}


@lru_cache(maxsize=4096)
def _folded(value: str) -> str:
    return fold(value).strip()


def _same(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return 1.0 if _folded(a) == _folded(b) else 0.0


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
    if _same(q.colour, c.colour) == 1.0 and _same(q.brand, c.brand) == 1.0:
        zh.append(f"同为{c.colour}{c.brand}{cat['name_zh']}")
        en.append(f"both {c.colour} {c.brand} {cat['name_en']}")
    elif _same(q.colour, c.colour) == 1.0:
        zh.append(f"同为{c.colour}{cat['name_zh']}")
        en.append(f"both {c.colour} {cat['name_en']}")
    elif q.category == c.category:
        zh.append(f"同为{cat['name_zh']}")
        en.append(f"both {cat['name_en']}")
    for z, e in (_fmt_distance(dist), _fmt_gap(gap_h)):
        zh.append(z)
        en.append(e)
    return ", ".join(zh), ", ".join(en)


def _value(q: Item, c: Item) -> tuple[float, bool, float, float] | None:
    """(score, by identifier, distance m, gap h), or None when the categories clash."""
    rules = settings.lost_found()
    by_id = bool(q.identifier_keys & c.identifier_keys)
    if not by_id and q.category != c.category and "other" not in (q.category, c.category):
        return None
    dist = haversine_m(q.lon, q.lat, c.lon, c.lat)
    gap_h = abs((c.at - q.at).total_seconds()) / 3600
    if by_id:
        return 1.0, True, dist, gap_h
    w = rules["weights"]
    attrs = [x for x in (_same(q.colour, c.colour), _same(q.brand, c.brand)) if x is not None]
    attributes = sum(attrs) / len(attrs) if attrs else 0.5
    if len(attrs) == 2 and 0.0 in attrs:
        attributes = 0.0  # colour and brand both known and one differs
    total = (
        w["category"] * (1.0 if q.category == c.category else 0.5)
        + w["attributes"] * attributes
        + w["text"] * dice(q.tokens, c.tokens)
        + w["distance"] * math.exp(-dist / rules["distance_scale_m"])
        + w["time"] * math.exp(-gap_h / rules["time_scale_h"])
    ) / sum(w.values())
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
    scored = [(v, c) for c in candidates if (v := _value(q, c)) is not None]
    best = heapq.nsmallest(top, scored, key=lambda vc: (not vc[0][1], -vc[0][0], vc[1].id))
    return [_match(q, c, v) for v, c in best]


def keyword_rank(q: Item, candidates: Iterable[Item], *, top: int = 5) -> list[int]:
    """The baseline: count the query's typed keywords found in each description."""
    words = keywords(q.description)
    hits = [(sum(w in c.description for w in words), c.id) for c in candidates]
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [i for n, i in hits[:top] if n > 0]


Ranker = Callable[[Item, Iterable[Item]], list[Match]]
