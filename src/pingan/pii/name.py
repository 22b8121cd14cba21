"""Personal names (reporters, guardians, claimants): masked for lists, encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass

from pingan.pii.vault import Vault

MAX_STARS = 6


def mask_name(value: str) -> str:
    """李** for 李小明: the first character kept, one star per other character (at most six,
    so a long name's length is not shown); a one-character name is a single star."""
    name = value.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * min(len(name) - 1, MAX_STARS)


@dataclass(frozen=True, slots=True)
class SealedName:
    """A name as stored: the Fernet token and the masked copy shown in lists."""

    enc: str
    masked: str


def seal_name(vault: Vault, raw: str | None) -> SealedName | None:
    """Encrypt and mask a name (surrounding spaces dropped); None for no name."""
    name = (raw or "").strip()
    if not name:
        return None
    return SealedName(vault.encrypt(name), mask_name(name))
