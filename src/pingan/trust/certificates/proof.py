"""W3C Data Integrity proofs over JCS (RFC 8785), signed by the signing service.

`eddsa-jcs-2022` (Data Integrity EdDSA Cryptosuites v1.0, checked against the W3C vector):
hashData = SHA-256(JCS(proof config, with the document's @context)) ‖ SHA-256(JCS(document
without proof)); proofValue = multibase base58btc of the Ed25519 signature over hashData.

`sm2-jcs-2025` is this platform's name for the same construction signed with SM2-with-SM3
(GM/T 0003; the signer id is the key list's `uid`), r ‖ s as proofValue: no registered
cryptosuite exists for SM2, so a verifier must know this name.

Hand-written (no maintained Python Data Integrity library covers JCS suites): the steps
are the specification's, a few lines each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import rfc8785
from sqlalchemy.orm import Session

from pingan.trust import signing
from pingan.trust.certificates.encoding import from_multibase_b58, multibase_b58
from pingan.trust.signing.service import KeySource

SUITES = {"ed25519": "eddsa-jcs-2022", "sm2": "sm2-jcs-2025"}
ALG_OF_SUITE = {suite: alg for alg, suite in SUITES.items()}
PROOF_MEMBERS = {
    "type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue",
}  # fmt: skip


def _iso(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_data(document: Mapping[str, Any], config: Mapping[str, Any]) -> bytes:
    """The bytes a JCS suite signs (the document without `proof`, the config without
    `proofValue`)."""
    doc = {k: v for k, v in document.items() if k != "proof"}
    conf = {k: v for k, v in config.items() if k != "proofValue"}
    return (
        hashlib.sha256(rfc8785.dumps(conf)).digest() + hashlib.sha256(rfc8785.dumps(doc)).digest()
    )


def key_url(base_url: str, key_id: str) -> str:
    """The verificationMethod: the published key list, the key id as fragment."""
    return f"{base_url}/api/v1/trust/keys#{key_id}"


def add_proofs(
    session: Session,
    document: dict[str, Any],
    *,
    base_url: str,
    now: datetime,
    algorithms: tuple[str, ...] = ("ed25519",),
) -> dict[str, Any]:
    """The document with one proof per algorithm (a proof set when more than one)."""
    proofs = []
    for alg in algorithms:
        s = signing.signer(session, alg)
        config = {
            "@context": document["@context"],
            "type": "DataIntegrityProof",
            "cryptosuite": SUITES[alg],
            "created": _iso(now),
            "verificationMethod": key_url(base_url, s.key_id),
            "proofPurpose": "assertionMethod",
        }
        value = s.sign(hash_data(document, config)).value
        proof = {k: v for k, v in config.items() if k != "@context"}
        proofs.append(proof | {"proofValue": multibase_b58(value)})
    return document | {"proof": proofs[0] if len(proofs) == 1 else proofs}


def verify_proofs(document: Mapping[str, Any], keys: KeySource) -> str | None:
    """None when every proof holds against `keys` (a key list or a session), else a reason:
    no_proof, malformed_proof, unknown_cryptosuite, wrong_purpose, or the signing service's
    unknown_key / key_revoked / bad_signature …"""
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if not proofs:
        return "no_proof"
    for proof in proofs:
        if not isinstance(proof, Mapping) or set(proof) != PROOF_MEMBERS:
            return "malformed_proof"
        if proof["type"] != "DataIntegrityProof" or proof["cryptosuite"] not in ALG_OF_SUITE:
            return "unknown_cryptosuite"
        if proof["proofPurpose"] != "assertionMethod":
            return "wrong_purpose"
        method = proof["verificationMethod"]
        if not isinstance(method, str) or "#" not in method:
            return "malformed_proof"
        try:
            value = from_multibase_b58(str(proof["proofValue"]))
        except ValueError:
            return "malformed_proof"
        config = {"@context": document.get("@context")} | dict(proof)
        key_id = method.rsplit("#", 1)[1]
        alg = ALG_OF_SUITE[proof["cryptosuite"]]
        verdict = signing.verify(
            keys, key_id, hash_data(document, config), signing.Signature(key_id, alg, value)
        )
        if not verdict:
            return verdict.reason
    return None
