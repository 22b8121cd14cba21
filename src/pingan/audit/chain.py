"""Pure hash-chain rules for the audit trail.

Each record's hash covers its own fields and the previous record's hash, so changing or
deleting any past record breaks every later link. The head (last sequence number and hash)
is kept separately so that cutting records off the end is detected too.

The hash is an HMAC-SHA256 under the audit key (derived from the personal-data key, which
lives outside the database), so someone who can write to the database but has not got the
key cannot edit a record and recompute every later hash. Stores written before the chain was
keyed used plain SHA-256 (`legacy_hash`); `pingan db upgrade` rechains them once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
KEYED = "hmac-sha256"  # audit_head.scheme of a keyed chain
LEGACY = "sha256"  # audit_head.scheme of a chain written before keying


@dataclass(frozen=True, slots=True)
class ChainEntry:
    seq: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    ip: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _payload(
    *,
    seq: int,
    at: datetime,
    actor: str,
    actor_role: str | None,
    action: str,
    object_type: str,
    object_id: str | None,
    ip: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    return json.dumps(
        [
            seq,
            canonical_time(at),
            actor,
            actor_role,
            action,
            object_type,
            object_id,
            ip,
            detail,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def compute_hash(key: bytes, **fields: Any) -> str:
    """HMAC-SHA256 of a record's fields and its predecessor's hash, under the audit key."""
    return hmac.new(key, _payload(**fields), hashlib.sha256).hexdigest()


def legacy_hash(**fields: Any) -> str:
    """The unkeyed SHA-256 of stores written before the chain was keyed (rechain reads it)."""
    return hashlib.sha256(_payload(**fields)).hexdigest()


def entry_fields(e: ChainEntry) -> dict[str, Any]:
    """The hashed fields of an entry (all but its own hash)."""
    return {
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor,
        "actor_role": e.actor_role,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "ip": e.ip,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
    }


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    head_seq: int,
    head_hash: str,
    hasher: Callable[..., str],
) -> VerifyResult:
    """Walk the records in sequence order; report every broken link, gap or edit.

    `hasher` recomputes one record's hash from its fields (keyed, or legacy for a rechain).
    """
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for e in entries:
        checked += 1
        if e.seq != expected_seq:
            problems.append(f"seq {e.seq}: expected seq {expected_seq} (records missing)")
        if e.prev_hash != expected_prev:
            problems.append(f"seq {e.seq}: link to previous record broken")
        if hasher(**entry_fields(e)) != e.hash:
            problems.append(f"seq {e.seq}: content changed after it was written")
        expected_prev = e.hash
        expected_seq = e.seq + 1
    if expected_seq - 1 != head_seq or expected_prev != head_hash:
        problems.append(
            f"chain ends at seq {expected_seq - 1} but the head says {head_seq} "
            "(records removed from the end, or head altered)"
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
