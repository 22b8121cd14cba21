"""DNA data sealed with the vault, in the one JSON form every part of the search reads.

Genotypes, Y-STR haplotypes and mtDNA variants are personal data: stored only as
`vault.encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))` and opened only by a
read that is audited with its reason.
"""

from __future__ import annotations

import json
from typing import Any

from pingan.pii.vault import Vault


def seal(vault: Vault, value: Any) -> str:
    return vault.encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))


def unseal(vault: Vault, token: str | None) -> Any:
    """The sealed value, or None for a column left empty."""
    return None if token is None else json.loads(vault.decrypt(token))
