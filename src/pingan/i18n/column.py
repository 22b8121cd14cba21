"""Texts a package stores in a column of its own as a message, read back in words.

A message is stored as its JSON form (`Msg.to_json`), so a note written today reads in
either language tomorrow; a value that is not such a message (older rows, text a person
typed) is shown as it is.
"""

from __future__ import annotations

import json

from pingan.i18n.catalogue import Msg


def column_text(value: str, lang: str | None = None) -> str:
    """`value` in words: a stored message in `lang` (default: the current one), else as is."""
    if not value.startswith("{"):
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if not isinstance(data, dict) or "code" not in data:
        return value
    return Msg.from_json(data).text(lang)
