"""Gateway counters and the ingest-lag reservoir (pure, thread-safe)."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

import numpy as np


class Counters:
    """Per-channel accepted and per-reason rejected counts, and recent publish-to-visible lags.

    Incremented from the MQTT network thread and HTTP workers; one lock keeps them exact.
    """

    def __init__(self, latency_samples: int = 50_000) -> None:
        self._lock = threading.Lock()
        self.accepted: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self._lags: deque[float] = deque(maxlen=latency_samples)

    def accept(self, channel: str, source: str) -> None:
        with self._lock:
            self.accepted[channel] += 1
            self.sources[source] += 1

    def reject(self, reason: str, source: str) -> None:
        with self._lock:
            self.rejected[reason] += 1
            self.sources[source] += 1

    def note(self, event: str, n: int = 1) -> None:
        """Operational events: flushes, superseded fixes, reconnects, store errors."""
        with self._lock:
            self.events[event] += n

    def lags(self, values: list[float]) -> None:
        with self._lock:
            self._lags.extend(values)

    def lag_samples(self) -> np.ndarray:
        with self._lock:
            return np.fromiter(self._lags, dtype=np.float64, count=len(self._lags))

    def reset_lags(self) -> None:
        with self._lock:
            self._lags.clear()

    def snapshot(self) -> dict[str, Any]:
        lags = self.lag_samples()
        with self._lock:
            out: dict[str, Any] = {
                "accepted": dict(self.accepted),
                "rejected": dict(self.rejected),
                "by_source": dict(self.sources),
                "events": dict(self.events),
            }
        out["accepted_total"] = sum(out["accepted"].values())
        out["rejected_total"] = sum(out["rejected"].values())
        out["lag_ms"] = (
            {
                "samples": int(lags.size),
                "p50": round(float(np.percentile(lags, 50)) * 1000, 1),
                "p99": round(float(np.percentile(lags, 99)) * 1000, 1),
                "max": round(float(lags.max()) * 1000, 1),
            }
            if lags.size
            else {"samples": 0}
        )
        return out
