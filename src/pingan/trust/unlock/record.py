"""The signed unlock record (电子开锁登记单): one canonical record, a signature per party, the
platform's seal — built and checked here, with nothing but a key list needed to check.

The document is JSON in its RFC 8785 (JCS) form:

    {"record": {...}, "signatures": [{"role", "statement", "kid", "alg", "sig"}, ...],
     "seal": {"kid", "alg", "sig"}}

Each party signs a statement naming the record's SHA-256 (of its JCS bytes), the party's role
and identity (masked) and the moment — so one record carries three different signatures, each
binding its signer to exactly that record. The platform's seal covers the record and every
party signature. The parties sign through the platform's signing service after their own
sign-in (and, for the requester, a fresh re-verification): hosted signing, the signer's
intent shown by their act, recorded in the audit trail.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from pingan.trust.signing import Signature, Verdict, verify
from pingan.trust.signing.jwk import b64u, unb64u

STATEMENT_TYPE = "pingan.unlock.signature.v1"
SEAL_TYPE = "pingan.unlock.seal.v1"


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def digest(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def statement(record_sha256: str, role: str, party: Mapping[str, Any], at: str) -> dict[str, Any]:
    """What one party signs: the record's hash, who they are in it, and when."""
    return {
        "type": STATEMENT_TYPE,
        "record_sha256": record_sha256,
        "role": role,
        "party": dict(party),
        "signed_at": at,
    }


def party_signature(stmt: Mapping[str, Any], sig: Signature) -> dict[str, Any]:
    return {"role": stmt["role"], "statement": dict(stmt), **sig.as_dict()}


def seal_payload(record: Mapping[str, Any], signatures: Sequence[Mapping[str, Any]]) -> bytes:
    return canonical({"type": SEAL_TYPE, "record": record, "signatures": list(signatures)})


def document(
    record: Mapping[str, Any], signatures: Sequence[Mapping[str, Any]], seal: Signature
) -> bytes:
    return canonical({"record": record, "signatures": list(signatures), "seal": seal.as_dict()})


@dataclass(frozen=True, slots=True)
class Check:
    """A document's verdict: truthy only when every part holds; `reason` and `where` say why
    not (malformed, not_canonical, missing_party, hash_mismatch, role_mismatch, or the signing
    service's reasons: unknown_key, key_revoked, algorithm_mismatch, bad_signature)."""

    ok: bool
    reason: str | None = None
    where: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def _strict_b64u(text: object) -> bytes:
    """Decode base64url that is in its one canonical form: unused trailing bits set would
    otherwise let a changed character decode to the same signature."""
    if not isinstance(text, str):
        raise ValueError("not text")
    raw = unb64u(text)
    if b64u(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


Verifier = Callable[[str, bytes, Signature], Verdict]


def _check_sig(entry: Mapping[str, Any], payload: bytes, verifier: Verifier) -> Verdict:
    sig = Signature(entry["kid"], entry["alg"], _strict_b64u(entry["sig"]))
    return verifier(sig.key_id, payload, sig)


def check(raw: bytes, keys: Any) -> Check:
    """Verify a document's bytes against a key list (the published document, or a session)."""

    def verifier(kid: str, payload: bytes, sig: Signature) -> Verdict:
        return verify(keys, kid, payload, sig)

    try:
        doc = json.loads(raw.decode("utf-8"))
        if canonical(doc) != raw:
            return Check(False, "not_canonical")
        record, sigs, seal = doc["record"], doc["signatures"], doc["seal"]
        if set(doc) != {"record", "signatures", "seal"}:
            return Check(False, "malformed")
        return _check_parts(record, sigs, seal, verifier)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        return Check(False, "malformed")


def _check_parts(
    record: Mapping[str, Any],
    sigs: Sequence[Mapping[str, Any]],
    seal: Mapping[str, Any],
    verifier: Verifier,
) -> Check:
    want = list(record["parties"])
    if [s["role"] for s in sigs] != want:
        return Check(False, "missing_party")
    sha = digest(record)
    for s in sigs:
        stmt = s["statement"]
        if stmt.get("type") != STATEMENT_TYPE or stmt.get("record_sha256") != sha:
            return Check(False, "hash_mismatch", s["role"])
        if stmt.get("role") != s["role"] or stmt.get("party") != record["people"][s["role"]]:
            return Check(False, "role_mismatch", s["role"])
        if set(s) != {"role", "statement", "kid", "alg", "sig"}:
            return Check(False, "malformed", s["role"])
        verdict = _check_sig(s, canonical(stmt), verifier)
        if not verdict:
            return Check(False, verdict.reason, s["role"])
    verdict = _check_sig(seal, seal_payload(record, sigs), verifier)
    if not verdict:
        return Check(False, verdict.reason, "seal")
    return Check(True)


def canonical_load(text: str) -> dict[str, Any]:
    """A stored record back as data (it was stored in its canonical form)."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a record is an object")
    return value
