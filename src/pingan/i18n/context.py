"""Which language the current request or command speaks (a context variable, so each request
handled concurrently keeps its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT_LANG = "zh_CN"
SUPPORTED = ("zh_CN", "en")

_lang: ContextVar[str] = ContextVar("pingan_lang", default=DEFAULT_LANG)


def current_lang() -> str:
    return _lang.get()


def set_lang(lang: str | None) -> None:
    """Speak `lang` from here on in this context (unknown or empty: Chinese)."""
    _lang.set(_supported(lang) or DEFAULT_LANG)


@contextmanager
def use_lang(lang: str | None) -> Iterator[None]:
    token = _lang.set(_supported(lang) or DEFAULT_LANG)
    try:
        yield
    finally:
        _lang.reset(token)


def _supported(tag: str | None) -> str | None:
    """A language tag (zh-CN, zh_Hans, en-GB, en_US.UTF-8 …) mapped to a catalogue we have."""
    if not tag:
        return None
    primary = tag.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return {"zh": "zh_CN", "en": "en"}.get(primary)


def negotiate(header: str | None) -> str | None:
    """The best catalogue for an HTTP Accept-Language header (RFC 9110 §12.5.4), or None.

    Weighted tags are tried from the highest q; `*` and tags we have no catalogue for are
    passed over, so a browser asking "fr, en;q=0.8" gets English.
    """
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            weighted.append((-q, i, tag))
    for _, _, tag in sorted(weighted):
        if found := _supported(tag):
            return found
    return None


def cli_lang(environ: dict[str, str] | None = None) -> str:
    """The CLI's language: PINGAN_LANG, else the POSIX locale (LC_ALL, LC_MESSAGES, LANG).

    C and POSIX locales (a bare server or container) get Chinese, the platform's first language.
    """
    env = os.environ if environ is None else environ
    for name in ("PINGAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        if found := _supported(env.get(name)):
            return found
    return DEFAULT_LANG
