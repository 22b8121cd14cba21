"""Photos of a family-search case (an adoptee as a child, a family's old pictures): JPEG or
PNG only, checked by their first bytes and by decoding them, kept once under the data
directory by their SHA-256 (`pingan.kept_files`). The list of a case's photos — digest, type,
caption, when and by whom added — lives in the case's sealed details; adding one needs
kinship.case, and every add and every read is audited (by digest, never the image)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy.orm import Session

from pingan import kept_files
from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.kinship.cases import PHOTOS, details_of, get_case, who
from pingan.kinship.sealed import seal
from pingan.pii.vault import Vault

FOLDER = "kinship_photos"  # under the data directory
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decoded 40-megapixel photo is already 120 MB in memory
MEDIA_TYPES = frozenset({"image/jpeg", "image/png"})
CAPTION_MAX = 100
UPLOAD_PATH = re.compile(r"^/api/v1/kinship/cases/\d+/photos$")  # its own body limit
UPLOAD_LIMIT = MAX_BYTES + 64 * 1024  # the photo, its caption and the multipart framing
SHOWN = ("sha256", "media_type", "caption", "added_at")  # what a case's view lists


class PhotoTooLarge(Bad):
    status = 413


def _bad(code: str, /, **params: Any) -> Bad:
    return Bad(msg(f"kinship.photos.{code}", **params), code=code)


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def check_photo(data: bytes) -> str:
    """The photo's media type; refused unless it is a JPEG or PNG within the limits that
    decodes (a renamed text file or a truncated picture is not kept)."""
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge(
            msg("kinship.photos.photo_too_large", limit=MAX_BYTES // (1024 * 1024)),
            code="photo_too_large",
        )
    kind = kept_files.media_type(data)
    size = kept_files.image_size(data) if kind in MEDIA_TYPES else None
    if kind is None or size is None or 0 in size:
        raise _bad("bad_photo_type")
    if size[0] * size[1] > MAX_PIXELS:
        raise PhotoTooLarge(
            msg("kinship.photos.too_many_pixels", pixels=MAX_PIXELS), code="photo_too_large"
        )
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise _bad("bad_photo_type")
    return kind


def photos_of(vault: Vault, row: Any) -> list[dict[str, Any]]:
    return list(details_of(vault, row).get(PHOTOS, []))


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    """A photo as a case's view lists it (who added it is in the audit, not on screen)."""
    return {k: entry.get(k) for k in SHOWN}


def add_photo(
    session: Session,
    actor: Actor,
    vault: Vault,
    where: Path,
    case_id: int,
    data: bytes,
    *,
    caption: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Keep the photo and list it on the case; the same photo twice stays one entry."""
    require(actor, "kinship.case")
    row = get_case(session, case_id)
    text = (caption or "").strip()
    if len(text) > CAPTION_MAX:
        raise _bad("bad_caption", limit=CAPTION_MAX)
    media = check_photo(data)
    kept = kept_files.keep(where, data, media)
    details = details_of(vault, row)
    listed = list(details.get(PHOTOS, []))
    same = next((p for p in listed if p["sha256"] == kept.sha256), None)
    if same is not None:
        return same
    entry = {
        "sha256": kept.sha256,
        "media_type": media,
        "caption": text,
        "added_at": now.isoformat(),
        "added_by": who(actor),
    }
    details[PHOTOS] = [*listed, entry]
    row.details_enc = seal(vault, details)
    row.updated_at = now
    audit.record(
        session,
        actor,
        "kinship.photo_added",
        "kinship_case",
        row.id,
        {"case_no": row.case_no, "sha256": kept.sha256, "media_type": media, "bytes": len(data)},
    )
    finish(session)
    return entry


def read_photo(
    session: Session, actor: Actor, vault: Vault, where: Path, case_id: int, sha256: str
) -> tuple[bytes, str]:
    """One photo of the case and its media type; the read is audited. A digest not listed on
    this case is not found, even when another case has that photo."""
    require(actor, "kinship.read")
    row = get_case(session, case_id)
    entry = next((p for p in photos_of(vault, row) if p["sha256"] == sha256), None)
    path = where / kept_files.file_name(sha256, entry["media_type"]) if entry else None
    if entry is None or path is None or not path.is_file():
        raise NotFound(msg("kinship.photos.no_photo"), code="photo_not_found")
    data = path.read_bytes()
    audit.record(
        session,
        actor,
        "kinship.photo_read",
        "kinship_case",
        row.id,
        {"case_no": row.case_no, "sha256": sha256},
    )
    finish(session)
    return data, entry["media_type"]
