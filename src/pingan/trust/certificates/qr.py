"""The compact signed payload a certificate's QR code carries, checkable offline.

Format (ASCII, one line)::

    PA1.<key id>.<base64url(JCS claims)>.<base64url(signature)>

The signature (Ed25519 by the signing service, 64 bytes) is over the ASCII bytes
``PA1.<key id>.<claims>``, like a compact JWS, so the prefix and key id are covered too.
Claims, short keys to keep the code small: ``n`` number, ``t`` type (C certificate),
``nm`` name masked, ``id`` ID number masked, ``r`` result, ``f``/``u`` valid from/until
(YYYY-MM-DD), ``s`` status list id and ``i`` index. A typical payload is about 290
characters: a version 13 QR code in byte mode at level M. base64url rather than CBOR and
Base45 (as EU HCERT does) because it needs no extra library and a JSON-literate verifier
reads it; the size cost (~25 %) is well inside a printable code.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785
from sqlalchemy.orm import Session

from pingan.trust import signing
from pingan.trust.certificates.encoding import b64u, from_b64u
from pingan.trust.signing.service import KeySource

PREFIX = "PA1"
_SHAPE = re.compile(r"^PA1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$")
CLAIMS = {"n", "t", "nm", "id", "r", "f", "u", "s", "i"}


def encode(session: Session, claims: dict[str, Any]) -> str:
    s = signing.signer(session, "ed25519")
    head = f"{PREFIX}.{s.key_id}.{b64u(rfc8785.dumps(claims))}"
    return f"{head}.{b64u(s.sign(head.encode('ascii')).value)}"


def decode(payload: str, keys: KeySource) -> tuple[dict[str, Any] | None, str | None]:
    """(claims, None) when the signature holds against `keys`, else (None, reason):
    malformed_payload or the signing service's reason."""
    m = _SHAPE.match(payload.strip())
    if not m:
        return None, "malformed_payload"
    key_id, body, sig = m.groups()
    try:
        claims = json.loads(from_b64u(body).decode("utf-8"))
        value = from_b64u(sig)
    except (ValueError, UnicodeDecodeError):
        return None, "malformed_payload"
    if not isinstance(claims, dict) or set(claims) != CLAIMS:
        return None, "malformed_payload"
    head = payload.strip().rsplit(".", 1)[0].encode("ascii")
    verdict = signing.verify(keys, key_id, head, signing.Signature(key_id, "ed25519", value))
    if not verdict:
        return None, verdict.reason
    return claims, None
