"""Uploaded documents and pictures kept under the data directory by their SHA-256.

A file is recognised by its first bytes (never by the name or the type the sender claims) and
kept once as `<sha256><ending>`: the same file sent twice is one file on disk. Both a visit's
proof of kinship and a family-search case's photos are kept this way. `image_size` reads a
PNG's or JPEG's pixel size from its header, before any decoding, because a small compressed
file can unpack to gigabytes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from pingan.pii.vault import write_private

# Magic numbers of the files accepted anywhere, with the media type and the file ending kept.
PDF, JPEG, PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
MAGIC = ((PDF, "application/pdf", ".pdf"), (JPEG, "image/jpeg", ".jpg"), (PNG, "image/png", ".png"))
# JPEG start-of-frame markers (SOF0–SOF15 less DHT, JPG and DAC), which carry the size
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True, slots=True)
class Kept:
    sha256: str
    media_type: str
    file: str  # the file's name under its folder


def media_type(data: bytes) -> str | None:
    """The media type by the file's first bytes, or None for a kind not accepted anywhere."""
    return next((t for magic, t, _ in MAGIC if data.startswith(magic)), None)


def file_name(sha256: str, media: str) -> str:
    """The name a file of this digest and type is kept under."""
    return sha256 + next(ext for _, t, ext in MAGIC if t == media)


def media_type_of_name(name: str) -> str:
    """The media type of a kept file, by its ending."""
    return next((t for _, t, ext in MAGIC if name.endswith(ext)), "application/octet-stream")


def keep(folder: Path, data: bytes, media: str) -> Kept:
    """Write the file once under its digest (readable by the platform's account only)."""
    sha = hashlib.sha256(data).hexdigest()
    name = file_name(sha, media)
    if not (folder / name).exists():
        write_private(folder / name, data)
    return Kept(sha, media, name)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header, or None when it is neither or broken."""
    kind = media_type(data)
    if kind == "image/png":
        if data[12:16] != b"IHDR" or len(data) < 24:
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if kind != "image/jpeg":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
