"""Texts the server stores and shows later (timeline notes, audit reasons), read in the
reader's language.

A system note is stored as its message (code and JSON parameters) next to its Chinese
rendering, and put into words when read. Rows written before messages had codes hold one
"中文 / English" string: the half for the reader's language is shown, no migration needed.
Text a person typed has no code and no such shape, and stays exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pingan.i18n.catalogue import Msg, catalogue
from pingan.i18n.context import DEFAULT_LANG, current_lang

_CJK = re.compile(r"[\u4e00-\u9fff]")
# "中文 / English": the separator after the last Chinese character, English after it
_SPLIT = re.compile(r"\s*/\s+(?=[A-Za-z0-9({\"'])")


def bilingual_half(value: str, lang: str | None = None) -> str:
    """The half of an old "中文 / English" text for `lang`; any other text unchanged."""
    for m in _SPLIT.finditer(value):
        zh, en = value[: m.start()].strip(), value[m.end() :].strip()
        if _CJK.search(zh) and en and not _CJK.search(en):
            return zh if (lang or current_lang()) == DEFAULT_LANG else en
    return value


def to_store(value: Msg | str | None) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(text, code, params) for a note column set: a message keeps its code and values, its
    text the Chinese rendering (searches and exports read it); typed text is kept as is."""
    if isinstance(value, Msg):
        data = value.to_json()
        return value.text(DEFAULT_LANG), data["code"], data["params"]
    return value, None, None


def stored_text(
    note: str | None,
    code: str | None = None,
    params: Mapping[str, Any] | None = None,
    lang: str | None = None,
) -> str | None:
    """A stored note in `lang` (default: the current one)."""
    if code and code in catalogue(DEFAULT_LANG):
        return Msg.from_json({"code": code, "params": params or {}}).text(lang)
    return None if note is None else bilingual_half(note, lang)


def stored_json(value: Any) -> Any:
    """A value for a JSON column (an audit record's detail): messages become {code, params}."""
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, Mapping):
        return {k: stored_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stored_json(v) for v in value]
    return value


# keys whose old string values were written by the system as "中文 / English"
MIXED_KEYS = frozenset({"reason", "unconfirmed"})


def shown_json(value: Any, lang: str | None = None, *, key: str | None = None) -> Any:
    """A stored JSON value for a reader: stored messages in `lang`, and old mixed texts under
    the keys the system wrote them in (MIXED_KEYS) halved; any other text stays as typed."""
    if isinstance(value, Mapping):
        if set(value) == {"code", "params"} and value["code"] in catalogue(DEFAULT_LANG):
            return Msg.from_json(value).text(lang)
        return {k: shown_json(v, lang, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [shown_json(v, lang, key=key) for v in value]
    if isinstance(value, str) and key in MIXED_KEYS:
        return bilingual_half(value, lang)
    return value
