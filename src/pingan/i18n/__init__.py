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

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Msg",
    "catalogue",
    "cli_lang",
    "current_lang",
    "msg",
    "negotiate",
    "render",
    "set_lang",
    "text",
    "use_lang",
]
