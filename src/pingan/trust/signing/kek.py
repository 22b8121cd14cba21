"""The key-encryption key (KEK) that seals signing private keys at rest.

It is derived from the platform's secret key (PINGAN_SECRET_KEY or <data_dir>/secret.key, the
same secret the personal-data vault uses) with HKDF-SHA256 under its own label, so it never
sits in the store: a copy of the database alone cannot sign. Each private key is sealed with
AES-256-GCM; the key id and algorithm are the associated data, so a sealed key moved onto
another row no longer opens.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b"pingan signing-key KEK v1"
NONCE_BYTES = 12


class SealError(RuntimeError):
    """A sealed private key does not open under this KEK (wrong secret, or a moved row)."""


def derive_kek(secret: bytes) -> bytes:
    """The 32-byte KEK for `secret` (the platform's 32-byte secret key)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL).derive(secret)


def _aad(key_id: str, algorithm: str) -> bytes:
    return f"{algorithm}\x00{key_id}".encode()


def seal(kek: bytes, key_id: str, algorithm: str, private: bytes) -> bytes:
    """nonce || AES-GCM(private), bound to the key id and algorithm."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, private, _aad(key_id, algorithm))


def unseal(kek: bytes, key_id: str, algorithm: str, sealed: bytes) -> bytes:
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(kek).decrypt(nonce, body, _aad(key_id, algorithm))
    except InvalidTag as exc:
        raise SealError(key_id) from exc
