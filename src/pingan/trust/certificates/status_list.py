"""Revocation through a W3C Bitstring Status List v1.0.

Each certificate holds a `BitstringStatusListEntry` naming a list credential and an index;
bit 1 there means revoked. Bit 0 is the most significant bit of the first byte; the list is
GZIP-compressed and multibase base64url-encoded (`u…`). At least 131,072 entries (16 KiB),
as the specification asks, so one fetch does not tell which certificate was being checked;
indexes are drawn at random for the same reason.
"""

from __future__ import annotations

import gzip
import io
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.trust.certificates.encoding import b64u, from_b64u
from pingan.trust.certificates.models import Document, StatusList
from pingan.trust.certificates.policy import policy

PURPOSE = "revocation"
MAX_ENCODED = 1 << 20  # a list credential's encodedList is refused beyond this (zip bomb)


def get_bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytes, index: int, value: bool = True) -> bytes:
    out = bytearray(bits)
    if value:
        out[index // 8] |= 0x80 >> (index % 8)
    else:
        out[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    return bytes(out)


def encode(bits: bytes) -> str:
    return "u" + b64u(gzip.compress(bits, mtime=0))


def decode(encoded: str) -> bytes:
    """ValueError when not a multibase base64url GZIP bitstring of at least 16 KiB."""
    if not encoded.startswith("u") or len(encoded) > MAX_ENCODED:
        raise ValueError("not multibase base64url")
    with gzip.GzipFile(fileobj=io.BytesIO(from_b64u(encoded[1:]))) as f:
        bits = f.read(MAX_ENCODED + 1)
    if len(bits) * 8 < 131072 or len(bits) > MAX_ENCODED:
        raise ValueError("status list too short or too long")
    return bits


def url(list_id: int) -> str:
    return f"{policy().base_url}/api/v1/trust/certificates/status/{list_id}"


def allocate(session: Session, now: datetime) -> tuple[StatusList, int]:
    """A random unused index in the current list (a new list when it is three-quarters
    full, so random draws stay cheap)."""
    size = policy().status_list_size
    current = session.scalars(
        select(StatusList).where(StatusList.purpose == PURPOSE).order_by(StatusList.id.desc())
    ).first()
    if current is None or current.used >= size * 3 // 4:
        current = StatusList(
            purpose=PURPOSE, size=size, bits=bytes(size // 8), used=0, updated_at=now
        )
        session.add(current)
        session.flush()
    taken = set(
        session.scalars(select(Document.status_index).where(Document.status_list_id == current.id))
    )
    index = secrets.randbelow(size)
    while index in taken:
        index = secrets.randbelow(size)
    current.used += 1
    return current, index


def entry(list_id: int, index: int) -> dict[str, Any]:
    """The `credentialStatus` of a certificate."""
    list_url = url(list_id)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def credential(row: StatusList, now: datetime) -> dict[str, Any]:
    """The unsigned status list credential (signed by the caller, see proof.add_proofs)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url(row.id),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": policy().issuer,
        "validFrom": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url(row.id)}#list",
            "type": "BitstringStatusList",
            "statusPurpose": row.purpose,
            "encodedList": encode(row.bits),
        },
    }
