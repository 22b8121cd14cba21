"""Chinese phone numbers: mobile (11 digits starting 1[3-9]) and fixed lines with area code."""

from __future__ import annotations

import re

from pingan.i18n import msg

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


class InvalidPhone(ValueError):
    """The text is not a valid Chinese mobile or fixed-line number."""


def normalise_phone(raw: str) -> str:
    """Strip separators and a +86/0086 prefix; raise with a reason if it is not a number."""
    value = re.sub(r"[\s\-()]", "", raw.strip())
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise InvalidPhone(msg("pii.bad_phone"))


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; keep area code and last two digits for landlines."""
    if _MOBILE.match(value):
        return value[:3] + "****" + value[-4:]
    if len(value) > 6:
        return value[:4] + "*" * (len(value) - 6) + value[-2:]
    return "*" * len(value)
