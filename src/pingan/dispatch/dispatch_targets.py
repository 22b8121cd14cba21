"""Call-to-dispatch targets (派警时限): how long a call may wait for its first dispatch order,
per priority (dispatch_targets.yaml). The queue times undispatched calls against them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

PRIORITIES = (1, 2, 3, 4)


@cache
def _load(path: str) -> Mapping[int, float]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    seconds = {int(p): float(s) for p, s in (raw.get("seconds") or {}).items()}
    if sorted(seconds) != list(PRIORITIES) or any(s <= 0 for s in seconds.values()):
        raise ValueError(
            f"dispatch_targets.yaml: need a positive number of seconds for each priority "
            f"{PRIORITIES}, got {seconds}"
        )
    return seconds


def dispatch_targets(path: str | Path | None = None) -> Mapping[int, float]:
    """Seconds from the call to the first dispatch order, by priority (cached per path)."""
    default = resources.files("pingan.dispatch").joinpath("dispatch_targets.yaml")
    return _load(str(path or default))
