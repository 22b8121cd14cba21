"""Messages by stable code, with their texts in gettext catalogues (zh-CN first, then English).

Code raises or records a `Msg` (a code and its parameters); the text is chosen only when it
is shown, in the language of whoever reads it: the request's `Accept-Language`, the user's
setting, or the CLI's locale. So the API, the CLI and the UI each speak one language at a time,
and a message stored today (a timeline note) reads in either language tomorrow.
"""

from pingan.i18n.catalogue import LANGS, Msg, catalogue, msg, render, text
from pingan.i18n.context import (
    DEFAULT_LANG,
    cli_lang,
    current_lang,
    negotiate,
    set_lang,
    use_lang,
)
from pingan.i18n.stored import bilingual_half, shown_json, stored_json, stored_text, to_store

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Msg",
    "bilingual_half",
    "catalogue",
    "cli_lang",
    "current_lang",
    "msg",
    "negotiate",
    "render",
    "set_lang",
    "shown_json",
    "stored_json",
    "stored_text",
    "text",
    "to_store",
    "use_lang",
]
