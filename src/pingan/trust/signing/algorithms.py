"""The two signature algorithms, behind one small interface: Ed25519 and SM2 with SM3.

Ed25519 comes from `cryptography`. SM2 comes from `gmssl-pyx` (a binding of GmSSL 3, which
`cryptography` lacks): signing hashes SM3(Z_A || M), where Z_A binds the signer's user id
(GM/T 0009 default "1234567812345678") and public key. The user id is always passed in
explicitly — never left to a library default — because it is part of what is verified.

Signatures are fixed length (64 bytes) on both: Ed25519's own encoding, and SM2's r || s as
two 32-byte big-endian integers (the DER form GmSSL speaks is converted at this edge), so
compact payloads such as QR codes need no ASN.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import gmssl_pyx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ED25519 = "ed25519"
SM2 = "sm2"
SIGNATURE_BYTES = 64
DEFAULT_SM2_UID = "1234567812345678"  # GM/T 0009-2012 §10 default signer id


@dataclass(frozen=True)
class KeyPair:
    private: bytes  # Ed25519: the 32-byte seed; SM2: the 32-byte scalar d
    public: bytes  # Ed25519: 32 bytes; SM2: X || Y, 64 bytes (uncompressed, without 04)


class Algorithm(Protocol):
    name: str

    def generate(self) -> KeyPair: ...
    def sign(self, pair: KeyPair, payload: bytes, uid: bytes | None) -> bytes: ...
    def verify(
        self, public: bytes, payload: bytes, signature: bytes, uid: bytes | None
    ) -> bool: ...


class _Ed25519:
    name = ED25519

    def generate(self) -> KeyPair:
        key = Ed25519PrivateKey.generate()
        return KeyPair(key.private_bytes_raw(), key.public_key().public_bytes_raw())

    def sign(self, pair: KeyPair, payload: bytes, uid: bytes | None) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(pair.private).sign(payload)

    def verify(self, public: bytes, payload: bytes, signature: bytes, uid: bytes | None) -> bool:
        if len(public) != 32 or len(signature) != SIGNATURE_BYTES:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, payload)
        except InvalidSignature:
            return False
        return True


class _Sm2:
    name = SM2

    def generate(self) -> KeyPair:
        public, private = gmssl_pyx.sm2_key_generate()
        return KeyPair(private, public)

    def sign(self, pair: KeyPair, payload: bytes, uid: bytes | None) -> bytes:
        if uid is None:
            raise ValueError("SM2 needs an explicit user id")
        der = gmssl_pyx.sm2_sign(pair.private, pair.public, payload, signer_id=uid)
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def verify(self, public: bytes, payload: bytes, signature: bytes, uid: bytes | None) -> bool:
        if uid is None or len(public) != 64 or len(signature) != SIGNATURE_BYTES:
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        if r == 0 or s == 0:
            return False
        try:
            return bool(gmssl_pyx.sm2_verify(public, payload, encode_dss_signature(r, s), uid))
        except gmssl_pyx.GmsslInnerError:  # not a point on the curve, r or s out of range
            return False


ALGORITHMS: dict[str, Algorithm] = {ED25519: _Ed25519(), SM2: _Sm2()}


def algorithm(name: str) -> Algorithm:
    """The algorithm called `name`; KeyError for any other."""
    return ALGORITHMS[name]
