"""Encryption at rest for personal data, plus a keyed blind index for exact-match search.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) encrypts each value; an HMAC-SHA256
of the normalised value, with a key derived separately, lets the store find "all incidents
reported from this phone" without keeping the number in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from pingan.i18n import msg


class VaultError(RuntimeError):
    """The key is missing or wrong, or a stored value cannot be decrypted."""


class Vault:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise VaultError("secret key must be 32 bytes (base64-encoded in PINGAN_SECRET_KEY)")
        enc_key = hashlib.sha256(b"pingan-enc:" + key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc_key))
        self._index_key = hashlib.sha256(b"pingan-index:" + key).digest()
        # the audit chain's HMAC key: from the same secret, so one key file is kept and backed
        # up, yet a database writer without the file cannot recompute the chain
        self.audit_key = hashlib.sha256(b"pingan-audit:" + key).digest()
        self.key_bytes = key

    @staticmethod
    def key_path(data_dir: Path) -> Path:
        return data_dir / "secret.key"

    @classmethod
    def exists(cls, secret: str | None, data_dir: Path) -> bool:
        """Whether a key is configured or already on disk (loading would not create one)."""
        return bool(secret) or cls.key_path(data_dir).exists()

    @classmethod
    def from_setting_or_file(cls, secret: str | None, data_dir: Path) -> Vault:
        """Use PINGAN_SECRET_KEY, else <data_dir>/secret.key, creating it (mode 0600) once."""
        if secret:
            return cls(base64.urlsafe_b64decode(secret))
        path = cls.key_path(data_dir)
        if not path.exists():
            write_private(path, base64.urlsafe_b64encode(os.urandom(32)))
        return cls(base64.urlsafe_b64decode(path.read_bytes().strip()))

    def key_text(self) -> str:
        """The key as PINGAN_SECRET_KEY and secret.key hold it (for backups)."""
        return base64.urlsafe_b64encode(self.key_bytes).decode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise VaultError(msg("pii.wrong_key")) from exc

    def index(self, value: str) -> str:
        """Deterministic keyed hash of a normalised value, for equality search."""
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()


def write_private(path: Path, data: bytes) -> None:
    """Create a file readable by its owner only (0600), in a 0700 folder made if missing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
