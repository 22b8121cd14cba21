"""Several sources for one area fused into one estimate with an uncertainty (pure).

Each source's latest reading counts with inverse-variance weight: its relative accuracy by
kind (gate counters ±3 %, cameras ±15 %, Wi-Fi ±30 %…, from thresholds.yaml) grows with the
reading's age. Silent sources are left out and named; when every source is silent the
answer is "no data", never zero — a silent sensor must not read as an empty square.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SourceReading:
    source_id: str
    kind: str
    count: float
    at: datetime


@dataclass(frozen=True, slots=True)
class Estimate:
    count: float | None  # None: no fresh source
    sigma: float | None
    used: tuple[str, ...]
    silent: tuple[str, ...]


def fuse(
    latest: Iterable[SourceReading],
    now: datetime,
    *,
    silent_after_s: float,
    sigma_by_kind: Mapping[str, float],
    default_sigma: float = 0.3,
) -> Estimate:
    weights, values, used, silent = [], [], [], []
    for r in latest:
        age = (now - r.at).total_seconds()
        if age > silent_after_s:
            silent.append(r.source_id)
            continue
        rel = sigma_by_kind.get(r.kind, default_sigma) * (1.0 + max(0.0, age) / silent_after_s)
        sigma = rel * max(r.count, 1.0)
        weights.append(1.0 / sigma**2)
        values.append(r.count)
        used.append(r.source_id)
    if not weights:
        return Estimate(None, None, (), tuple(sorted(silent)))
    total = sum(weights)
    count = sum(w * v for w, v in zip(weights, values, strict=True)) / total
    return Estimate(count, math.sqrt(1.0 / total), tuple(used), tuple(sorted(silent)))
