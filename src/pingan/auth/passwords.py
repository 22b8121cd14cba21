"""Password hashing with Argon2id (argon2-cffi defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pingan.i18n import msg

_hasher = PasswordHasher()
MIN_LENGTH = 10


class WeakPassword(ValueError):
    """The password does not meet the minimum policy."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(msg("auth.password_too_short", MIN_LENGTH=MIN_LENGTH))
    kinds = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if kinds < 2:
        raise WeakPassword(msg("auth.password_too_simple"))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash of a random string, verified against when the user does not exist, so a login for
# an unknown name costs the same time as one with a wrong password.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A one-time password for new accounts (printed once, never stored in clear)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            check_strength(candidate)
        except WeakPassword:
            continue
        return candidate
