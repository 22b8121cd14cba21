"""The two signature algorithms, behind one small interface: Ed25519 and SM2 with SM3.

Ed25519 comes from `cryptography`. SM2 comes from `gmssl-pyx` (a binding of GmSSL 3, which
`cryptography` lacks): signing hashes SM3(Z_A || M), where Z_A binds the signer's user id
(GM/T 0009 default "1234567812345678") and public key. The user id is always passed in
explicitly — never left to a library default — because it is part of what is verified.

Signatures are fixed length (64 bytes) on both: Ed25519's own encoding, and SM2's r || s as
two 32-byte big-endian integers (the DER form GmSSL speaks is converted at this edge), so
compact payloads such as QR codes need no ASN.1.

A private key is opened once (`load`) and then signs many payloads: Ed25519 keeps
`cryptography`'s key object; SM2 keeps Z_A, which depends only on the key and user id, and
signs the digest SM3(Z_A || M) — GmSSL's whole-message call recomputes far more per signature
(about ten times slower in bench/signing.py).
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


class PrivateKey(Protocol):
    """An opened private key: built once, it signs many payloads."""

    def sign(self, payload: bytes) -> bytes: ...


class Algorithm(Protocol):
    name: str

    def generate(self) -> KeyPair: ...
    def load(self, pair: KeyPair, uid: bytes | None) -> PrivateKey: ...
    def sign(self, pair: KeyPair, payload: bytes, uid: bytes | None) -> bytes: ...
    def verify(
        self, public: bytes, payload: bytes, signature: bytes, uid: bytes | None
    ) -> bool: ...


class _Loads:
    def load(self, pair: KeyPair, uid: bytes | None) -> PrivateKey:
        raise NotImplementedError

    def sign(self, pair: KeyPair, payload: bytes, uid: bytes | None) -> bytes:
        """One signature, the key opened for it alone (a batch keeps `load`'s key)."""
        return self.load(pair, uid).sign(payload)


class _Ed25519(_Loads):
    name = ED25519

    def generate(self) -> KeyPair:
        key = Ed25519PrivateKey.generate()
        return KeyPair(key.private_bytes_raw(), key.public_key().public_bytes_raw())

    def load(self, pair: KeyPair, uid: bytes | None) -> PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(pair.private)  # its .sign(payload)

    def verify(self, public: bytes, payload: bytes, signature: bytes, uid: bytes | None) -> bool:
        if len(public) != 32 or len(signature) != SIGNATURE_BYTES:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, payload)
        except InvalidSignature:
            return False
        return True


# GM/T 0003.5 / GB/T 32918.5 recommended curve: a, b and the base point G, as Z_A hashes them.
_SM2_CURVE = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


def sm2_z(uid: bytes, public: bytes) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || x_G || y_G || x_A || y_A) (GM/T 0003.2 §5.5).
    Written out because GmSSL's binding offers no call for it; the tests check it against
    gmalg and every signature made with it against GmSSL's own verification."""
    bits = len(uid) * 8
    if bits >= 1 << 16:
        raise ValueError("SM2 user id too long")
    return gmssl_pyx.sm3_hash(bits.to_bytes(2, "big") + uid + _SM2_CURVE + public)


class _Sm2Key:
    """d and Z_A: each signature hashes SM3(Z_A || M) and signs that digest."""

    __slots__ = ("_private", "_z")

    def __init__(self, private: bytes, z: bytes) -> None:
        self._private, self._z = private, z

    def sign(self, payload: bytes) -> bytes:
        der = gmssl_pyx.sm2_sign_sm3_digest(self._private, gmssl_pyx.sm3_hash(self._z + payload))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class _Sm2(_Loads):
    name = SM2

    def generate(self) -> KeyPair:
        public, private = gmssl_pyx.sm2_key_generate()
        return KeyPair(private, public)

    def load(self, pair: KeyPair, uid: bytes | None) -> PrivateKey:
        if not uid:  # GmSSL, as verifiers use it, refuses an empty id too
            raise ValueError("SM2 needs an explicit user id")
        return _Sm2Key(pair.private, sm2_z(uid, pair.public))

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
