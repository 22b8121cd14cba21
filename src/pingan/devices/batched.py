"""A base for other domains' inbound topics: decode on the network thread, store in batches.

Count readings and plate reads arrive as one JSON object or a list of them, are checked as
they come (refusals counted by reason, never raised into the gateway), and are stored once a
second through the owning domain's service. A batch the service refuses is retried item by
item so one bad item cannot lose its neighbours; a batch the store could not take (outage)
is kept for the next turn, up to a bound.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Generic, TypeVar

from pingan.db.engine import Database
from pingan.devices.counters import Counters
from pingan.errors import ValidationFailed
from pingan.i18n import text
from pingan.periodic import Periodic

log = logging.getLogger(__name__)
T = TypeVar("T")


class BatchedTopic(Generic[T]):
    """Subclasses set `root`, `channel` and the limits, and implement `parse` and `store`.

    Counters are `<channel>` when accepted and `<channel>_<reason>` when refused: reasons
    `bad_topic`, `oversized`, `bad_json`, `bad_shape`, the subclass's own from `parse`, and
    `rejected` for what the domain service refused when storing.
    """

    root: str  # the topic filter without its last level, e.g. "pingan/v1/counts"
    channel: str  # counter name, e.g. "counts"
    max_bytes = 256 * 1024
    max_items = 5000
    flush_every_s = 1.0
    max_pending = 200_000  # kept across a store outage

    def __init__(self, db: Database, counters: Counters) -> None:
        self.db = db
        self.counters = counters
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # a flush returns after any one under way commits
        self._pending: list[T] = []
        self._timer = Periodic(f"pingan-{self.channel}-mqtt").every(
            self.flush_every_s, "flush", self.flush
        )

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.flush()

    def refuse(self, reason: str, n: int = 1) -> None:
        for _ in range(n):
            self.counters.reject(f"{self.channel}_{reason}", "mqtt")

    def valid_key(self, key: str) -> bool:
        """Whether the last topic level (the source or camera) is acceptable (default: any)."""
        return True

    def parse(self, key: str, item: dict[str, Any]) -> T | str:
        """One decoded object → the item to store, or the reason it is refused."""
        raise NotImplementedError

    def screen(self, batch: list[T]) -> list[T]:
        """Drop items that cannot be stored before the batch is written (default: none)."""
        return batch

    def store(self, items: list[T]) -> None:
        """Write the items through the domain service (raises `ValidationFailed` to refuse)."""
        raise NotImplementedError

    def describe(self, item: T) -> str:
        """How a refused item is named in the log (no payload values: they may be personal)."""
        return self.channel

    def on_message(self, topic: str, raw: bytes) -> None:
        key = topic[len(self.root) + 1 :]
        if (
            not topic.startswith(self.root + "/")
            or not key
            or "/" in key
            or len(key) > 64
            or not self.valid_key(key)
        ):
            return self.refuse("bad_topic")
        if len(raw) > self.max_bytes:
            return self.refuse("oversized")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self.refuse("bad_json")
        objects = body if isinstance(body, list) else [body]
        if not objects or len(objects) > self.max_items:
            return self.refuse("bad_shape")
        items: list[T] = []
        for obj in objects:
            parsed = self.parse(key, obj) if isinstance(obj, dict) else "bad_shape"
            if isinstance(parsed, str):
                self.refuse(parsed)
            else:
                items.append(parsed)
        with self._lock:
            self._pending.extend(items)
        for _ in items:
            self.counters.accept(self.channel, "mqtt")

    def flush(self) -> int:
        """Store what arrived since the last flush; returns how many items were stored."""
        with self._flush_lock:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        good = self.screen(batch)
        self.refuse("rejected", len(batch) - len(good))
        stored = len(good)
        try:
            if good:
                self.store(good)
        except ValidationFailed:  # one bad item refuses the batch: store them one by one
            for item in good:
                try:
                    self.store([item])
                except ValidationFailed as exc:
                    stored -= 1
                    self.refuse("rejected")
                    log.warning(
                        "%s", text("devices.log.refused", what=self.describe(item), error=exc)
                    )
        except Exception:  # the store is unreachable: keep the batch for the next turn
            with self._lock:
                self._pending[:0] = good[-self.max_pending :]
            raise
        return stored
