"""Process-wide services that event handlers need: they receive only a session and an event.

`create_app` and `pingan worker` configure it from their settings; everything in one process
then shares one vault (the personal-data key), one loaded city and one unit-pool cache.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pingan.config import Settings
from pingan.dispatch.service import PoolCache
from pingan.geo.provider import CityProvider
from pingan.pii.vault import Vault


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    vault: Vault
    city: CityProvider
    pools: PoolCache


_lock = threading.Lock()
_current: Runtime | None = None


def configure(settings: Settings, vault: Vault | None = None) -> Runtime:
    """`vault`: one already checked against the store (pingan.store.load_vault)."""
    global _current
    with _lock:
        _current = Runtime(
            settings=settings,
            vault=vault or Vault.from_setting_or_file(settings.secret_key, settings.data_dir),
            city=CityProvider(settings),
            pools=PoolCache(),
        )
        return _current


def configured() -> Runtime | None:
    """The runtime if this process configured one (never builds one from the environment)."""
    return _current


def current() -> Runtime:
    """The configured runtime, or one built from the environment's PINGAN_* settings."""
    return _current or configure(Settings())
