"""Signed checkpoints of the audit chain's head, kept outside the store.

`pingan audit checkpoint` signs (Ed25519) the newest sequence number and hash and appends
them to a file of JSON lines. Whoever can rewrite the database — even with the audit key —
cannot re-sign: `audit verify` fails when a checkpointed record no longer has its signed hash
or the chain has been cut below a checkpoint. Keep copies of the file off the machine.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pingan.config import Settings
from pingan.pii.vault import write_private


class CheckpointError(RuntimeError):
    """No signing key to make a checkpoint with."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # when it was signed, ISO 8601 UTC
    key: str  # base64 raw public key that signed it
    sig: str  # base64 Ed25519 signature of `message`

    @property
    def message(self) -> bytes:
        return f"pingan-audit-checkpoint:v1:{self.seq}:{self.hash}:{self.at}".encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def public_text(key: Ed25519PublicKey) -> str:
    """The public key as PINGAN_AUDIT_CHECKPOINT_PUBLIC_KEY takes it (base64 of 32 bytes)."""
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@dataclass(frozen=True, slots=True)
class CheckpointBook:
    """The checkpoint file, the signing key beside it and the public key verify trusts."""

    path: Path
    key_path: Path
    public_key: str | None = None  # configured; else derived from the signing key

    @classmethod
    def for_settings(cls, settings: Settings) -> CheckpointBook:
        return cls(
            path=settings.resolved_audit_checkpoints_file,
            key_path=settings.resolved_audit_signing_key_file,
            public_key=settings.audit_checkpoint_public_key,
        )

    def signing_key(self, *, create: bool = False) -> Ed25519PrivateKey | None:
        if not self.key_path.exists():
            if not create:
                return None
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            write_private(self.key_path, pem)
        loaded = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise CheckpointError(f"{self.key_path} is not an Ed25519 private key")
        return loaded

    def trusted_key(self) -> Ed25519PublicKey | None:
        if self.public_key:
            return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
        private = self.signing_key()
        return private.public_key() if private else None

    def sign(self, seq: int, head_hash: str, at: str) -> Checkpoint:
        """Sign the head and append it to the file (created 0600), making the key if missing."""
        key = self.signing_key(create=True)
        assert key is not None
        unsigned = Checkpoint(seq, head_hash, at, public_text(key.public_key()), "")
        cp = Checkpoint(seq, head_hash, at, unsigned.key, _b64(key.sign(unsigned.message)))
        line = json.dumps(
            {"seq": cp.seq, "hash": cp.hash, "at": cp.at, "key": cp.key, "sig": cp.sig}
        )
        if not self.path.exists():
            write_private(self.path, b"")
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return cp

    def load(self) -> tuple[list[Checkpoint], list[str]]:
        """The checkpoints whose signature holds under the trusted key, and every problem."""
        if not self.path.exists():
            return [], []
        trusted = self.trusted_key()
        if trusted is None:
            return [], [f"{self.path}: no public key to check checkpoints with"]
        good: list[Checkpoint] = []
        problems: list[str] = []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                cp = Checkpoint(**json.loads(line))
                trusted.verify(base64.b64decode(cp.sig), cp.message)
            except (ValueError, TypeError, InvalidSignature):
                problems.append(f"checkpoint line {n}: unreadable or not signed by the trusted key")
                continue
            good.append(cp)
        return good, problems
