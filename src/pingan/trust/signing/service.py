"""The signing service: sign with the active key of an algorithm, verify against a key list,
rotate and revoke keys, publish the public keys.

Private keys are opened only by `signer`, with the KEK bound to the session (`use_key`) or,
for event handlers, derived from the process runtime's secret: rows alone cannot sign. An
opened key lives in its `Signer` object only, for as long as the caller keeps it, and is never
written anywhere unsealed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.i18n import msg
from pingan.trust.signing import jwk
from pingan.trust.signing.algorithms import ALGORITHMS, DEFAULT_SM2_UID, SM2, KeyPair, algorithm
from pingan.trust.signing.kek import derive_kek, seal, unseal
from pingan.trust.signing.models import SigningKey

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"
KEK_INFO = "pingan.signing_kek"
PERMISSION = "trust.keys"
ISSUER = "pingan"
ROTATE_ATTEMPTS = 3  # a retry follows a rival rotation that committed meanwhile


class KeyUnavailable(RuntimeError):
    """No KEK is bound: this process was not given the platform's secret key."""


@dataclass(frozen=True)
class Signature:
    key_id: str
    alg: str
    value: bytes

    def as_dict(self) -> dict[str, str]:
        return {"kid": self.key_id, "alg": self.alg, "sig": jwk.b64u(self.value)}


@dataclass(frozen=True)
class Verdict:
    """A verification's answer: truthy only when the signature holds; `reason` says why not
    (unknown_key, key_revoked, algorithm_mismatch, malformed_key, bad_signature)."""

    ok: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def use_key(db: Database, secret: bytes) -> None:
    """Every session of this store signs under the KEK derived from `secret`."""
    db.bind_info(KEK_INFO, derive_kek(secret))


def _kek(session: Session) -> bytes:
    kek = session.info.get(KEK_INFO)
    if kek is not None:
        return kek
    from pingan import runtime  # late: the runtime imports services

    configured = runtime.configured()
    if configured is None:
        raise KeyUnavailable(msg("trust.no_kek"))
    return derive_kek(configured.vault.key_bytes)


def _checked_algorithm(name: str) -> str:
    if name not in ALGORITHMS:
        raise ValidationFailed(
            msg("trust.unknown_algorithm", algorithm=name, choices=", ".join(ALGORITHMS)),
            code="unknown_algorithm",
        )
    return name


def _active(session: Session, alg: str, *, lock: bool = False) -> SigningKey | None:
    """The algorithm's active key; the store holds at most one (ux_signing_keys_one_active)."""
    query = select(SigningKey).where(SigningKey.algorithm == alg, SigningKey.status == ACTIVE)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalars().first()


def _new_key(session: Session, actor: Actor, alg: str, now: datetime) -> SigningKey:
    pair = algorithm(alg).generate()
    kid = jwk.key_id(alg, pair.public)
    row = SigningKey(
        key_id=kid,
        algorithm=alg,
        status=ACTIVE,
        public_key=pair.public,
        private_sealed=seal(_kek(session), kid, alg, pair.private),
        sm2_uid=DEFAULT_SM2_UID if alg == SM2 else None,
        created_at=now,
        created_by=actor.username,
    )
    session.add(row)
    return row


def rotate(session: Session, actor: Actor, alg: str, *, now: datetime | None = None) -> SigningKey:
    """Make a new active key for `alg`; the one it replaces is retired and still verifies.

    Two rotations at once (or two first signatures) both find the same active key, or none;
    the one-active index turns the later insert into an IntegrityError. That attempt alone is
    undone (a savepoint) and retried: it now sees, and retires, the winner's key."""
    require(actor, PERMISSION)
    alg = _checked_algorithm(alg)
    now = now or utcnow()
    retired: list[str] = []
    for attempt in range(1, ROTATE_ATTEMPTS + 1):
        old = _active(session, alg, lock=True)
        if old is not None:
            old.status, old.retired_at = RETIRED, now
            retired.append(old.key_id)
            session.flush()
        try:
            with session.begin_nested():
                row = _new_key(session, actor, alg, now)
            break
        except IntegrityError:
            if attempt == ROTATE_ATTEMPTS:
                raise
    audit.record(
        session, actor, "trust.key_rotate", "signing_key", row.key_id,
        {"algorithm": alg, "retired": retired},
    )  # fmt: skip
    finish(session)
    return row


def revoke(
    session: Session, actor: Actor, key_id: str, reason: str, *, now: datetime | None = None
) -> SigningKey:
    """Withdraw a key (e.g. compromised): nothing it signed verifies any more. An active key
    revoked leaves its algorithm without one until the next rotation or signature."""
    require(actor, PERMISSION)
    row = session.get(SigningKey, key_id, with_for_update=True)
    if row is None:
        raise NotFound(msg("trust.unknown_key", key_id=key_id), code="unknown_key")
    if row.status == REVOKED:
        raise Conflict(msg("trust.already_revoked", key_id=key_id), code="already_revoked")
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise ValidationFailed(msg("trust.bad_reason"), code="bad_reason")
    row.status, row.revoked_at, row.revoke_reason = REVOKED, now or utcnow(), reason
    session.flush()
    audit.record(
        session, actor, "trust.key_revoke", "signing_key", key_id,
        {"algorithm": row.algorithm, "reason": reason},
    )  # fmt: skip
    finish(session)
    return row


class Signer:
    """The active key of one algorithm, opened once for a batch of signatures: the key object
    is built here, not per signature. It keeps signing with this key even if the key is
    rotated or revoked meanwhile, so hold it for a batch, not for the life of a process."""

    def __init__(self, row: SigningKey, private: bytes) -> None:
        self.key_id, self.alg = row.key_id, row.algorithm
        uid = row.sm2_uid.encode() if row.sm2_uid is not None else None
        self._key = algorithm(row.algorithm).load(KeyPair(private, row.public_key), uid)

    def sign(self, payload: bytes) -> Signature:
        return Signature(self.key_id, self.alg, self._key.sign(payload))


def signer(session: Session, alg: str) -> Signer:
    """A signer for `alg`'s active key; the first use of an algorithm creates its key
    (recorded in the audit trail as the platform's own act)."""
    alg = _checked_algorithm(alg)
    row = _active(session, alg)
    if row is None:
        row = rotate(session, Actor.system("trust"), alg)
    return Signer(row, unseal(_kek(session), row.key_id, row.algorithm, row.private_sealed))


def sign(session: Session, alg: str, payload: bytes) -> Signature:
    return signer(session, alg).sign(payload)


KeySource = Session | Mapping[str, Any] | Sequence[Mapping[str, Any]]


def _lookup(keys: KeySource, key_id: str) -> jwk.PublicKey | None:
    if isinstance(keys, Session):
        row = keys.get(SigningKey, key_id)
        if row is None:
            return None
        uid = row.sm2_uid.encode() if row.sm2_uid is not None else None
        return jwk.PublicKey(row.key_id, row.algorithm, row.public_key, uid, row.status)
    entries = keys["keys"] if isinstance(keys, Mapping) else keys
    for entry in entries:
        if entry.get("kid") == key_id:
            return jwk.from_jwk(entry)
    return None


def verify(keys: KeySource, key_id: str, payload: bytes, signature: bytes | Signature) -> Verdict:
    """Check `signature` over `payload` by `key_id`, against the store (a session) or a
    published key list (its document, or its list of keys) — the latter needs nothing else."""
    try:
        key = _lookup(keys, key_id)
    except (KeyError, ValueError, TypeError):
        return Verdict(False, "malformed_key")
    if key is None:
        return Verdict(False, "unknown_key")
    if key.status == REVOKED:
        return Verdict(False, "key_revoked")
    if isinstance(signature, Signature):
        if signature.alg != key.algorithm or signature.key_id != key_id:
            return Verdict(False, "algorithm_mismatch")
        signature = signature.value
    if not algorithm(key.algorithm).verify(key.public, payload, bytes(signature), key.uid):
        return Verdict(False, "bad_signature")
    return Verdict(True)


def list_keys(session: Session) -> list[SigningKey]:
    return list(
        session.execute(
            select(SigningKey).order_by(SigningKey.algorithm, SigningKey.created_at.desc())
        ).scalars()
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def published_entry(row: SigningKey) -> dict[str, Any]:
    entry: dict[str, Any] = jwk.public_members(row.algorithm, row.public_key)
    entry |= {"kid": row.key_id, "alg": jwk.JOSE_ALG[row.algorithm], "use": "sig"}
    if row.sm2_uid is not None:
        entry["uid"] = row.sm2_uid
    entry |= {
        "status": row.status,
        "valid_from": _iso(row.created_at),
        "retired_at": _iso(row.retired_at),
        "revoked_at": _iso(row.revoked_at),
    }
    return entry


def published_keys(session: Session) -> dict[str, Any]:
    """The key list anyone may fetch and keep: every key ever used, with its status. A
    signature verifies when its key is listed and not revoked (retired keys still verify)."""
    return {"issuer": ISSUER, "keys": [published_entry(r) for r in list_keys(session)]}
