"""Signing service: Ed25519 and SM2-with-SM3 keys, rotation, sealed storage, key list."""

from pingan.trust.signing.service import (
    Signature,
    Signer,
    Verdict,
    list_keys,
    published_keys,
    revoke,
    rotate,
    sign,
    signer,
    use_key,
    verify,
)

__all__ = [
    "Signature",
    "Signer",
    "Verdict",
    "list_keys",
    "published_keys",
    "revoke",
    "rotate",
    "sign",
    "signer",
    "use_key",
    "verify",
]
