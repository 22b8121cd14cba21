"""Lost-and-found categories as callers name them: a code, an alias or a Chinese/English name.

Desks, apps and people send "ID", "id_card", "身份证", "E-bike" or "电瓶车" for the same
category; every adapter and filter resolves them here, so only codes are stored. The names
come from categories.yaml (loaded by the matcher, which reads the same file).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pingan.services.matcher import categories

_SEPARATORS = re.compile(r"[\s\-_]+")


def fold(value: str) -> str:
    """One spelling per name: full-width folded (NFKC), case-folded, no spaces, hyphens or
    underscores ("E-bike", "e_bike", "ＥＢＩＫＥ" → "ebike")."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value).casefold())


@cache
def _index() -> dict[str, str]:
    """Folded name → code, over each code, its names and its aliases (the first code to claim
    a name keeps it; tests/services/test_categories.py checks that no two codes share one)."""
    out: dict[str, str] = {}
    for code, entry in categories().items():
        names = [code, entry["name_zh"], entry["name_en"], *entry.get("aliases", ())]
        for name in names:
            out.setdefault(fold(str(name)), code)
    return out


def canonical_category(value: str) -> str | None:
    """The category code `value` stands for, or None when no category goes by that name."""
    return _index().get(fold(value)) if value else None


def category_names() -> list[dict[str, str]]:
    """Each category's code and its Chinese and English names, in catalogue order (what a
    form shows; the aliases and neighbours stay with the services that use them)."""
    return [
        {"code": code, "name_zh": e["name_zh"], "name_en": e["name_en"]}
        for code, e in categories().items()
    ]
