"""Identifiers that prove ownership: IMEI (Luhn), serial numbers, resident ID numbers.

Each is normalised and checked here; only a keyed hash (the vault's blind index) is kept
for lookup and a masked form for lists, so a listing never carries the plain value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pingan.i18n import msg
from pingan.pii.id_number import InvalidIdNumber, mask_id_number, normalise_id_number
from pingan.pii.vault import Vault

KINDS = ("imei", "serial", "id_number")
_IMEI = re.compile(r"^\d{15}$")
_SERIAL = re.compile(r"^[A-Z0-9]{4,40}$")


class InvalidIdentifier(ValueError):
    """An identifier that fails its shape or check digit."""


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812 Luhn check, as the IMEI's 15th digit uses (GSMA TS.06).

    Hand-written: eight lines, and the libraries that offer it pull in far more.
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise(kind: str, raw: str) -> str:
    """The canonical value, or InvalidIdentifier with the reason (a message)."""
    value = re.sub(r"[\s\-/]", "", raw).upper()
    if kind == "imei":
        if not _IMEI.match(value) or not luhn_ok(value):
            raise InvalidIdentifier(msg("services.bad_imei"))
        return value
    if kind == "serial":
        if not _SERIAL.match(value):
            raise InvalidIdentifier(msg("services.bad_serial"))
        return value
    if kind == "id_number":
        try:
            return normalise_id_number(value)
        except InvalidIdNumber as exc:
            raise InvalidIdentifier(str(exc)) from exc
    raise InvalidIdentifier(msg("services.bad_identifier_kind", kind=kind, known=list(KINDS)))


def mask(kind: str, value: str) -> str:
    """Enough to recognise, not enough to claim: ID 1527**********1234, others ****1234."""
    if kind == "id_number":
        return mask_id_number(value)
    return "*" * max(len(value) - 4, 0) + value[-4:]


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str
    value: str

    def key(self, vault: Vault) -> str:
        """Keyed hash used by the index; the kind is part of it so types never collide."""
        return vault.index(f"ident:{self.kind}:{self.value}")


def parse(pairs: dict[str, str] | None) -> list[Identifier]:
    """Validate every identifier given; the first bad one raises."""
    return [Identifier(k, normalise(k, v)) for k, v in (pairs or {}).items() if v]
