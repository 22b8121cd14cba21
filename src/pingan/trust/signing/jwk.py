"""Public keys as JSON Web Keys, key ids from their thumbprints, and the published key list.

Ed25519 is an RFC 8037 key: {"kty": "OKP", "crv": "Ed25519", "x": …}, "alg": "EdDSA".
SM2 has no registered JOSE form. It is a short-Weierstrass curve over a 256-bit prime field,
like P-256, so it is written the way RFC 7518 §6.2 writes those: {"kty": "EC", "crv": "SM2",
"x": …, "y": …} (32-byte big-endian coordinates), with "alg": "SM2SM3" and the signer's user
id in "uid" (GM/T 0009: it enters Z_A and so every signature; a verifier must use this one).
"crv": "SM2" and "alg": "SM2SM3" are this platform's names, not IANA-registered ones.

A key id is the algorithm name and the first 16 characters of the key's RFC 7638 thumbprint
(SHA-256 over the required members in lexicographic order), so a verifier can recompute it
from the published key and the id cannot be pointed at another key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pingan.trust.signing.algorithms import ED25519, SM2

JOSE_ALG = {ED25519: "EdDSA", SM2: "SM2SM3"}


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_members(algorithm: str, public: bytes) -> dict[str, str]:
    """The JWK members that define the key (the ones RFC 7638 hashes)."""
    if algorithm == ED25519:
        return {"crv": "Ed25519", "kty": "OKP", "x": b64u(public)}
    if algorithm == SM2:
        return {"crv": "SM2", "kty": "EC", "x": b64u(public[:32]), "y": b64u(public[32:])}
    raise KeyError(algorithm)


def thumbprint(members: Mapping[str, str]) -> str:
    """RFC 7638: SHA-256 of the members as compact JSON with sorted keys, base64url."""
    text = json.dumps(dict(sorted(members.items())), separators=(",", ":"), ensure_ascii=False)
    return b64u(hashlib.sha256(text.encode()).digest())


def key_id(algorithm: str, public: bytes) -> str:
    return f"{algorithm}-{thumbprint(public_members(algorithm, public))[:16]}"


@dataclass(frozen=True)
class PublicKey:
    """What a verifier needs of one key: no private part, nothing from the store."""

    key_id: str
    algorithm: str
    public: bytes
    uid: bytes | None
    status: str


def from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """A published key back into bytes; ValueError/KeyError when it is not one of ours."""
    crv = jwk["crv"]
    if jwk.get("kty") == "OKP" and crv == "Ed25519":
        algorithm, public, uid = ED25519, unb64u(jwk["x"]), None
    elif jwk.get("kty") == "EC" and crv == "SM2":
        algorithm = SM2
        public = unb64u(jwk["x"]) + unb64u(jwk["y"])
        uid = str(jwk["uid"]).encode()
    else:
        raise ValueError(f"unsupported key {jwk.get('kty')}/{crv}")
    if len(public) != (32 if algorithm == ED25519 else 64):
        raise ValueError("wrong public key length")
    return PublicKey(str(jwk["kid"]), algorithm, public, uid, str(jwk.get("status", "active")))
