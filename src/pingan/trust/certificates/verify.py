"""Offline verification: a VC (JSON) or a QR payload, checked with the published key list
alone (and, when the verifier has one, a copy of the status list credential). No store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pingan.trust.certificates import proof, qr, status_list
from pingan.trust.certificates.credential import kind_of
from pingan.trust.signing.service import KeySource


@dataclass(frozen=True)
class Result:
    """`reason` is None when valid; else a code: malformed, not_a_credential, bad proof
    reasons (proof.verify_proofs), not_yet_valid, expired, revoked, wrong_status_list."""

    reason: str | None
    kind: str | None = None
    number: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.reason is None


def _at(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _revoked(entry: Any, status_credential: dict[str, Any], keys: KeySource) -> str | None:
    """None when the entry's bit is 0 in a genuine list credential; else a reason."""
    if not isinstance(entry, dict) or entry.get("statusListCredential") != status_credential.get(
        "id"
    ):
        return "wrong_status_list"
    if proof.verify_proofs(status_credential, keys) is not None:
        return "bad_status_list"
    try:
        bits = status_list.decode(status_credential["credentialSubject"]["encodedList"])
        index = int(entry["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        return "bad_status_list"
    if not 0 <= index < len(bits) * 8:
        return "bad_status_list"
    return "revoked" if status_list.get_bit(bits, index) else None


def credential(
    document: Any, keys: KeySource, *, now: datetime, status: dict[str, Any] | None = None
) -> Result:
    if not isinstance(document, dict):
        return Result("malformed")
    kind = kind_of(document)
    if kind is None:
        return Result("not_a_credential")
    number = str(document.get("id", "")).rsplit(":", 1)[-1]
    reason = proof.verify_proofs(document, keys)
    if reason is not None:
        return Result(reason, kind, number)
    start, end = _at(document.get("validFrom")), _at(document.get("validUntil"))
    if start is None or ("validUntil" in document and end is None):
        return Result("malformed", kind, number)
    if now < start:
        return Result("not_yet_valid", kind, number)
    if end is not None and now >= end:
        return Result("expired", kind, number)
    if status is not None and "credentialStatus" in document:
        reason = _revoked(document["credentialStatus"], status, keys)
        if reason is not None:
            return Result(reason, kind, number)
    return Result(None, kind, number, dict(document.get("credentialSubject") or {}))


def payload(text: str, keys: KeySource, *, now: datetime) -> Result:
    claims, reason = qr.decode(text, keys)
    if claims is None:
        return Result(reason)
    number = str(claims["n"])
    try:
        start, end = date.fromisoformat(claims["f"]), date.fromisoformat(claims["u"])
    except (TypeError, ValueError):
        return Result("malformed", "certificate", number)
    if now.date() < start:
        return Result("not_yet_valid", "certificate", number, claims)
    if now.date() > end:
        return Result("expired", "certificate", number, claims)
    return Result(None, "certificate", number, claims)


def text(
    data: str, keys: KeySource, *, now: datetime, status: dict[str, Any] | None = None
) -> Result:
    """A file's content: a VC when it is JSON, else a QR payload."""
    stripped = data.strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            return Result("malformed")
        return credential(document, keys, now=now, status=status)
    return payload(stripped, keys, now=now)
