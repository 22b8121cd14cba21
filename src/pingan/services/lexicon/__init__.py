"""What a description names: item kinds, brands, characters, colours, materials, modifiers.

The curated words live in this package's YAML files (see their headers, and docs/services.md,
"Extending the lexicon"). Text is normalised, then cut greedily left to right taking the
longest lexicon word at each place (钱包 over 包, 蓝牙耳机 over 蓝); a dictionary lookup per
candidate length is cheaper than jieba and keeps the lexicon apart from the jieba dictionary
the text tokenisers use. Two context rules stop common false hits: one-character colour and
material words (黑, 金, 棉) count only where they describe something, and brand names that are
also ordinary words (北面, 大众) only beside an item word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pingan.services.lexicon.load import Entry, boundary_class, lexicon, normalise

__all__ = [
    "Attributes",
    "brand_ids",
    "canonical_text",
    "colour_families",
    "detail_text",
    "extract",
    "kind_similarity",
    "version",
]

# What may follow a one-character colour or material word for it to count (黑色, 黑的, 红白相间,
# 黑底, 金边, 黑框, 白壳, 条纹, 格子, 波点, 木质, 钢制, 棉料).
_DESCRIBED = frozenset("色的相底边框壳条格点纹质制料")
_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Attributes:
    """Everything the lexicon recognises in one text (ids from the lexicon files)."""

    kinds: frozenset[str]
    categories: frozenset[str]
    colours: frozenset[str]
    brands: frozenset[str]
    characters: frozenset[str]
    materials: frozenset[str]
    modifiers: frozenset[str]


Span = tuple[int, int, Entry]


def _cut(s: str) -> list[Span]:
    """Longest lexicon word at each place, left to right; Latin words only on word edges."""
    lex = lexicon()
    entries, lengths = lex.entries, lex.lengths
    out: list[Span] = []
    i, n = 0, len(s)
    while i < n:
        for size in lengths.get(s[i], ()):
            j = i + size
            if j > n:
                continue
            e = entries.get(s[i:j])
            if e is None:
                continue
            if e.latin_start and i and boundary_class(s[i - 1]) == e.latin_start:
                continue
            if e.latin_end and j < n and boundary_class(s[j]) == e.latin_end:
                continue
            out.append((i, j, e))
            i = j
            break
        else:
            i += 1
    return out


def _counts(s: str, spans: list[Span], k: int) -> bool:
    """Whether span k names something here (the context rules; see the module docstring)."""
    _, end, e = spans[k]
    if e.ignore:
        return False
    nxt = spans[k + 1] if k + 1 < len(spans) else None
    if e.short:
        if end == len(s) or not s[end].isalnum() or s[end] in _DESCRIBED:
            return True
        return nxt is not None and nxt[0] == end and not nxt[2].ignore
    if e.weak:
        if s[end : end + 1] == "牌" or "品牌" in s or "牌子" in s:
            return True
        gap = 1 if s[end : end + 1] == "的" else 0
        return nxt is not None and nxt[0] == end + gap and bool(nxt[2].kinds)
    return True


def _spans(s: str) -> list[Span]:
    spans = _cut(s)
    return [sp for k, sp in enumerate(spans) if _counts(s, spans, k)]


@lru_cache(maxsize=8192)
def extract(text: str) -> Attributes:
    """The kinds (with their categories), colour families, brands, characters, materials and
    modifiers named in free text (a description, or fields joined into one text)."""
    found: dict[str, set[str]] = {f: set() for f in Attributes.__slots__}
    for _, _, e in _spans(normalise(text)):
        for f in Attributes.__slots__:
            found[f].update(getattr(e, f))
    return Attributes(**{f: frozenset(v) for f, v in found.items()})


@lru_cache(maxsize=8192)
def canonical_text(text: str) -> str:
    """The text normalised, with every lexicon word replaced by its entry's canonical word
    (拉杆箱 → 行李箱, Apple → 苹果, Peppa → 小猪佩奇, 深蓝色 → 蓝), so tokenisers see one word."""
    s = normalise(text)
    parts: list[str] = []
    at = 0
    for i, j, e in _spans(s):
        parts += [s[at:i], e.canonical]
        at = j
    parts.append(s[at:])
    return "".join(parts)


@lru_cache(maxsize=8192)
def detail_text(text: str) -> str:
    """The canonical text without the words for kind, colour and brand: what is left are the
    details (a cracked screen, a red string on the handle) that tell two black Nike bags apart,
    since the matcher scores kind, colour and brand on their own."""
    s = normalise(text)
    parts: list[str] = []
    at = 0
    for i, j, e in _spans(s):
        scored = e.kinds or e.colours or e.brands
        parts += [s[at:i], " " if scored else e.canonical]
        at = j
    parts.append(s[at:])
    return "".join(parts)


def _field(value: str | None, attr: str) -> frozenset[str]:
    if not value or not value.strip():
        return _EMPTY
    whole = lexicon().entries.get(normalise(value).strip())
    if whole is not None and getattr(whole, attr):
        return getattr(whole, attr)  # the whole field is one word: no context rule applies
    found = getattr(extract(value), attr)
    return found or frozenset({canonical_text(value).strip()})


def colour_families(value: str | None) -> frozenset[str]:
    """The colour field's families (深蓝 → {blue}); an unknown word stands for itself, folded."""
    return _field(value, "colours")


def brand_ids(value: str | None) -> frozenset[str]:
    """The brand field's brand ids (Apple, 苹果, iPhone 13 → {apple}); unknown → the folded word."""
    return _field(value, "brands")


@lru_cache(maxsize=65536)
def kind_similarity(a: frozenset[str], b: frozenset[str]) -> float | None:
    """1.0 when two sets of kinds share one, else the best `near` value between them (0.0 when
    none); None when either side names no kind. Cached: a ranking asks it for every candidate,
    and the same few sets of kinds recur."""
    if not a or not b:
        return None
    if a & b:
        return 1.0
    near = lexicon().near
    return max((near.get((x, y), 0.0) for x in a for y in b), default=0.0)


def version() -> str:
    """A short hash of the lexicon files and matching rules; stored tokens carry it."""
    return lexicon().version
