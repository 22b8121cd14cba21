"""Message catalogues: gettext .po files read with Babel, one file per domain of the platform.

Files live in `locales/<lang>/LC_MESSAGES/<domain>.po` (Babel's layout); each message id is a
stable code (`incident.not_found`), its text a Python brace template (`警情不存在：{id}`). The
.po files are read as they are (no compiled .mo to keep in step); every file of a language is
merged into one table, so domains add messages without touching each other's files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from pingan.i18n.context import DEFAULT_LANG, SUPPORTED, current_lang

LOCALES = Path(__file__).resolve().parent / "locales"
LANGS = SUPPORTED


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every translated message of one language, code → template."""
    table: dict[str, str] = {}
    for path in sorted((LOCALES / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f, domain=path.stem):
                if message.id and message.string:
                    table[str(message.id)] = str(message.string)
    return table


@dataclass(frozen=True)
class Msg:
    """A message not yet put into words: its code and the values it names."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        return text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.text()

    def to_json(self) -> dict[str, Any]:
        """For storing (timeline notes): parameters that are messages are stored as messages."""
        return {"code": self.code, "params": {k: _json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Msg:
        params = {
            k: cls.from_json(v) if isinstance(v, Mapping) and "code" in v else v
            for k, v in (data.get("params") or {}).items()
        }
        return cls(str(data["code"]), params)


def _json(value: Any) -> Any:
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def msg(code: str, **params: Any) -> Msg:
    return Msg(code, params)


def render(value: Any, lang: str | None = None) -> str:
    """A value as text in `lang`: messages are translated, lists joined, the rest str()."""
    lang = lang or current_lang()
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, list | tuple):
        sep = "、" if lang == "zh_CN" else ", "
        return sep.join(render(v, lang) for v in value)
    return str(value)


def text(code: str, lang: str | None = None, /, **params: Any) -> str:
    """The message `code` in `lang` (default: the current one), its parameters filled in.

    A code missing from a language falls back to Chinese, then to the code itself, so a gap in
    a catalogue shows a findable code rather than failing a request; the catalogue test keeps
    both languages complete.
    """
    lang = lang or current_lang()
    template = catalogue(lang).get(code) or catalogue(DEFAULT_LANG).get(code) or code
    if not params:
        return template
    return template.format(**{k: render(v, lang) for k, v in params.items()})
