"""A stored note in both languages, put together from the catalogues.

Some notes are stored through another package's API that still takes plain text (incident
timeline notes, a unit's post reason). Until that API stores a message by code, the note is
written as "中文 / English" from the catalogue, so a reader can still show the half for their
language; the words themselves live only in the .po files.
"""

from __future__ import annotations

from typing import Any

from pingan.i18n.catalogue import text


def both(code: str, **params: Any) -> str:
    """The message `code` in Chinese, then English, as one stored line."""
    return f"{text(code, 'zh_CN', **params)} / {text(code, 'en', **params)}"
