"""Chinese text similarity for item descriptions: synonyms folded, then tokenised.

Synonyms come from the curated lexicon (services/lexicon). Three tokenisers are compared in
bench/matching.py: jieba words (search mode), character bigrams, and whole keywords split on
punctuation (the baseline a desk search gives).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache

import jieba

from pingan.services import lexicon

jieba.setLogLevel(logging.WARNING)

_PUNCT = re.compile(r"[\s,，.。;；:：!！?？、/()（）\"“”'‘’\-]+")
STOP = frozenset(
    [
        "的",
        "了",
        "在",
        "有",
        "一",
        "个",
        "只",
        "是",
        "和",
        "与",
        "及",
        "其",
        "内",
        "里",
        "上",
        "我",
        "把",
        "被",
        "丢",
        "捡",
        "到",
        "在",
    ]
)


def fold(text: str) -> str:
    """Normalised and lower-cased, every lexicon word replaced by its canonical word
    (皮夹 → 钱包, 拉杆箱 → 行李箱, Apple → 苹果, 咖啡色 → 棕; services/lexicon)."""
    return lexicon.canonical_text(text)


def keywords(text: str) -> frozenset[str]:
    """Baseline: the phrases between punctuation, as typed."""
    return frozenset(p for p in _PUNCT.split(text.lower()) if p)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of each phrase (single characters for one-character phrases)."""
    out: set[str] = set()
    for part in _PUNCT.split(fold(text)):
        if len(part) == 1:
            out.add(part)
        out.update(part[i : i + 2] for i in range(len(part) - 1))
    return frozenset(out)


@cache
def _jieba(phrase: str) -> tuple[str, ...]:
    return tuple(jieba.lcut_for_search(phrase))


def words(text: str) -> frozenset[str]:
    """jieba search-mode words, stop words dropped."""
    out: set[str] = set()
    for part in _PUNCT.split(fold(text)):
        if part:
            out.update(w for w in _jieba(part) if w not in STOP and w.strip())
    return frozenset(out)


TOKENIZERS: dict[str, Callable[[str], frozenset[str]]] = {
    "jieba": words,
    "bigram": bigrams,
    "keyword": keywords,
}


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice overlap of two token sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def coverage(needed: frozenset[str], given: frozenset[str]) -> float:
    """Share of the needed tokens present in the given ones (held-back detail check)."""
    return len(needed & given) / len(needed) if needed else 0.0
