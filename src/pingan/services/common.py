"""Checks every help service shares: time, place, key area, phone, names, photos, ID numbers."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import shapely

from pingan.db.base import utcnow
from pingan.errors import ValidationFailed
from pingan.geo.city import City
from pingan.geo.input import validated_point
from pingan.i18n import Msg, msg
from pingan.pii.id_number import InvalidIdNumber, mask_id_number, normalise_id_number
from pingan.pii.name import SealedName, seal_name
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_PHOTO_BYTES = 600_000


def bad(detail: Msg | str, code: str) -> ValidationFailed:
    return ValidationFailed(detail, code=code)


def when(at: datetime | None, what: Msg | None = None) -> datetime:
    """A required, zone-aware, not-future instant; `what` names it in the refusal."""
    if at is None:
        raise bad(msg("services.time_required", what=what or msg("services.what.time")), "no_time")
    if at.tzinfo is None:
        raise bad(msg("services.naive_time"), "naive_time")
    if at > utcnow() + MAX_CLOCK_SKEW:
        raise bad(msg("services.future_time"), "future_time")
    return at


def where(lon: float | None, lat: float | None, crs: str = "wgs84") -> tuple[float, float]:
    """A required point, converted to WGS-84."""
    if lon is None or lat is None:
        raise bad(msg("services.no_place"), "no_place")
    return validated_point(lon, lat, crs)


def area(city: City | None, code: str | None) -> str | None:
    """A key-area code the city knows, or None."""
    if code is None:
        return None
    if city is None or code not in city.key_areas:
        known = ", ".join(city.key_areas) if city else ""
        raise bad(msg("services.unknown_area", area=code, known=known), "unknown_area")
    return code


def area_at(city: City, lon: float, lat: float) -> str | None:
    """The key area a point lies in, if any (first match in file order)."""
    for code, key_area in city.key_areas.items():
        if shapely.contains_xy(shapely.Polygon(key_area.polygon), lon, lat):
            return code
    return None


@dataclass(frozen=True, slots=True)
class Sealed:
    """A personal value encrypted, masked and (where needed) hashed for equality."""

    enc: str
    masked: str
    key: str


def phone(vault: Vault, raw: str | None, *, required: bool = False) -> Sealed | None:
    if not raw:
        if required:
            raise bad(msg("services.no_phone"), "no_phone")
        return None
    try:
        value = normalise_phone(raw)
    except InvalidPhone as exc:
        raise bad(str(exc), "bad_phone") from exc
    return Sealed(vault.encrypt(value), mask_phone(value), vault.index(f"phone:{value}"))


def name(vault: Vault, raw: str, what: Msg | None = None) -> SealedName:
    """A required name, encrypted with its masked copy (as phones are)."""
    sealed = seal_name(vault, raw)
    if sealed is None:
        raise bad(
            msg("services.name_required", what=what or msg("services.what.name")), "empty_name"
        )
    return sealed


def id_number(vault: Vault, raw: str | None) -> Sealed:
    """A resident ID number (GB 11643 check) sealed; only its hash is compared later."""
    if not raw:
        raise bad(msg("services.no_id_number"), "no_id_number")
    try:
        value = normalise_id_number(raw)
    except InvalidIdNumber as exc:
        raise bad(str(exc), "bad_id_number") from exc
    return Sealed(vault.encrypt(value), mask_id_number(value), vault.index(f"id:{value}"))


def photo(photo_dir: Path, b64: str | None) -> str | None:
    """Decode, check that the bytes are an image OpenCV can read, store by content hash."""
    if not b64:
        return None
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad(msg("services.photo_not_base64"), "bad_photo") from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise bad(msg("services.photo_too_large", max=MAX_PHOTO_BYTES), "bad_photo")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise bad(msg("services.photo_not_image"), "bad_photo")
    name = hashlib.sha256(data).hexdigest()[:32] + ".img"
    photo_dir.mkdir(parents=True, exist_ok=True)
    path = photo_dir / name
    if not path.exists():
        path.write_bytes(data)
    return name
