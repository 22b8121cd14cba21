"""The lexicon's YAML files read once into one index of surface words.

Every word of every file is normalised the way text is (`normalise`) and mapped to an `Entry`
holding what it names; a word found in several files (金: colour and material) gets the union.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

FILES = ("items", "brands", "characters", "colours", "materials", "modifiers", "ignore")
# Bumped when the matching rules in this package change, so stored tokens are re-made too.
RULES = "2"
_FIELDS = ("kinds", "categories", "brands", "characters", "colours", "materials", "modifiers")
_SPACE = re.compile(r"[\s\-_·]+")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, runs of space / hyphen / underscore to one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).replace("’", "'").lower())


def boundary_class(c: str) -> str:
    """'a' for an ASCII letter, 'd' for an ASCII digit, '' otherwise (word-boundary classes)."""
    if c.isascii():
        if c.isalpha():
            return "a"
        if c.isdigit():
            return "d"
    return ""


@dataclass(frozen=True, slots=True)
class Entry:
    """What one surface word names, and the rules it is matched under."""

    canonical: str
    kinds: frozenset[str]
    categories: frozenset[str]
    brands: frozenset[str]
    characters: frozenset[str]
    colours: frozenset[str]
    materials: frozenset[str]
    modifiers: frozenset[str]
    short: bool  # one-character colour / material: counts only where it describes something
    weak: bool  # a brand name that is also an ordinary word: counts only beside an item
    ignore: bool  # a word that hides a lexicon word inside it (白天)
    latin_start: str  # boundary class of the first character ('' when not Latin)
    latin_end: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    entries: dict[str, Entry]
    lengths: dict[str, tuple[int, ...]]  # first character → word lengths, longest first
    near: dict[tuple[str, str], float]
    version: str


def read(name: str) -> tuple[str, Any]:
    """A lexicon file's text and its parsed content."""
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text("utf-8")
    return text, yaml.load(text, Loader=_Loader)  # a safe loader, C when built


def _words(entry: dict[str, Any]) -> list[str]:
    return [str(w) for w in (entry.get("zh") or []) + (entry.get("en") or [])]


def _canonical(entry: dict[str, Any]) -> str:
    return normalise(((entry.get("zh") or []) + (entry.get("en") or []))[0])


def surfaces(data: dict[str, Any], name: str) -> dict[str, list[str]]:
    """Normalised word → the ids of the entries of one file that list it (for checks)."""
    out: dict[str, list[str]] = defaultdict(list)
    if name == "colours":
        for word in data["words"]:
            out[normalise(str(word)).strip()].append(str(word))
    elif name == "ignore":
        for word in data["words"]:
            out[normalise(word).strip()].append("ignore")
    else:
        for key, entry in data.items():
            for word in _words(entry) + list(entry.get("models") or {}):
                out[normalise(str(word)).strip()].append(key)
    return out


@cache
def lexicon() -> Lexicon:
    """All files compiled into one index (once per process)."""
    texts, data = [], {}
    for name in FILES:
        text, data[name] = read(name)
        texts.append(text)
    acc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    canonical: dict[str, str] = {}
    weak: set[str] = set()

    def add(word: str, field: str | None, value: str, canon: str) -> None:
        w = normalise(str(word)).strip()
        fields = acc[w]  # an ignored word is present and names nothing
        if field:
            fields[field].add(value)
        canonical.setdefault(w, canon)

    items = data["items"]
    for kind, e in items.items():
        for w in _words(e):
            add(w, "kinds", kind, _canonical(e))
            acc[normalise(w).strip()]["categories"].add(e["category"])
    for brand, e in data["brands"].items():
        for w in _words(e):
            add(w, "brands", brand, _canonical(e))
        weak.update(normalise(w).strip() for w in e.get("weak") or [])
        for model, kind in (e.get("models") or {}).items():
            canon = f"{_canonical(e)} {_canonical(items[kind])}"
            add(model, "brands", brand, canon)
            add(model, "kinds", kind, canon)
            acc[normalise(str(model)).strip()]["categories"].add(items[kind]["category"])
    for name, field in (("characters", "characters"), ("materials", "materials")):
        for key, e in data[name].items():
            for w in _words(e):
                add(w, field, key, _canonical(e))
    for key, e in data["modifiers"].items():
        for w in _words(e):
            add(w, "modifiers", key, _canonical(e))
    families = data["colours"]["families"]
    for word, fams in data["colours"]["words"].items():
        for f in fams:
            add(str(word), "colours", f, " ".join(families[x]["zh"] for x in fams))
    for word in data["ignore"]["words"]:
        add(word, None, "", normalise(word))

    entries: dict[str, Entry] = {}
    for w, fields in acc.items():
        sets = {f: frozenset(fields.get(f, ())) for f in _FIELDS}
        named = any(sets.values())
        describes = sets["colours"] or sets["materials"]
        entries[w] = Entry(
            canonical=canonical[w],
            **sets,
            short=len(w) == 1 and bool(describes) and not sets["kinds"],
            weak=w in weak,
            ignore=not named,
            latin_start=boundary_class(w[0]),
            latin_end=boundary_class(w[-1]),
        )
    lengths: dict[str, set[int]] = defaultdict(set)
    for w in entries:
        lengths[w[0]].add(len(w))
    near: dict[tuple[str, str], float] = {}
    for kind, e in items.items():
        for other, v in (e.get("near") or {}).items():
            for pair in ((kind, other), (other, kind)):
                near[pair] = max(near.get(pair, 0.0), float(v))
    digest = hashlib.blake2b(("\0".join([RULES, *texts])).encode(), digest_size=5)
    return Lexicon(
        entries=entries,
        lengths={c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()},
        near=near,
        version=digest.hexdigest(),
    )
