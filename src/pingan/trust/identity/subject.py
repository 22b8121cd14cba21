"""The subject of a verification: an ID number checked by GB 11643, sealed and hashed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.pii.id_number import InvalidIdNumber, mask_id_number, normalise_id_number
from pingan.pii.vault import Vault

_DOTS = re.compile(r"[·•‧∙・．.]")  # 间隔号 variants in minority names (e.g. 买买提·艾力)


@dataclass(frozen=True, slots=True)
class Subject:
    id_number: str  # held in memory for the request only
    key: str  # keyed hash: what tables store and join on
    masked: str


def subject_key(vault: Vault, id_number: str) -> str:
    """The keyed hash of a normalised ID number; the same as the help services' (`id:`
    prefix), so one person is one key across the platform."""
    return vault.index(f"id:{id_number}")


def parse_subject(vault: Vault, raw: str | None, *, today: date | None = None) -> Subject:
    """A valid resident ID number, or 422 `invalid_id_number` with the reason it is wrong."""
    if not raw or not raw.strip():
        raise ValidationFailed(msg("trust.identity.no_id_number"), code="invalid_id_number")
    try:
        value = normalise_id_number(raw, today=today)
    except InvalidIdNumber as exc:
        raise ValidationFailed(
            msg("trust.identity.invalid_id_number", reason=str(exc)), code="invalid_id_number"
        ) from exc
    return Subject(value, subject_key(vault, value), mask_id_number(value))


def same_name(a: str, b: str) -> bool:
    """Names compared as a clerk would: full-width forms folded, spaces ignored and the
    middle-dot variants of minority names taken as one."""

    def canon(s: str) -> str:
        s = unicodedata.normalize("NFKC", s)
        return _DOTS.sub("·", "".join(s.split()))

    return bool(a.strip()) and canon(a) == canon(b)
