"""Strict encodings for signed data: a verifier must not accept two spellings of the same
bytes (a base64 character differing only in its unused low bits would otherwise decode to
the same value and a one-character change would go unnoticed)."""

from __future__ import annotations

import base64
import re

import base58

_B64U = re.compile(r"^[A-Za-z0-9_-]*$")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64u(text: str) -> bytes:
    """Unpadded base64url, canonical only; ValueError otherwise."""
    if not _B64U.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def multibase_b58(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def from_multibase_b58(text: str) -> bytes:
    """Multibase base58btc (`z…`), canonical only; ValueError otherwise."""
    if not text.startswith("z"):
        raise ValueError("not multibase base58btc")
    data = base58.b58decode(text[1:])
    if multibase_b58(data) != text:
        raise ValueError("non-canonical base58")
    return data
