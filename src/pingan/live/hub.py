"""The live hub: relayed events numbered in delivery order, kept in a ring for resync.

The relay hands the hub each batch only after the transport confirmed it, in outbox order.
The hub numbers events itself (`seq`, 1, 2, 3 … per process) so a browser's cursor
`<epoch>:<seq>` (sent back as Last-Event-ID) names exactly what it has seen: replaying
`seq > cursor` from the ring gives no duplicate and no gap. A cursor from another process
(other epoch) or older than the ring answers "resync": the browser reloads its snapshots.
An outbox row sent twice (a relay retry after a failed mark) is dropped by its outbox id.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pingan.bus.outbox import Event

DEFAULT_CAPACITY = 20_000  # about an hour of a busy holiday evening


@dataclass(frozen=True, slots=True)
class LiveEvent:
    seq: int
    type: str
    data: dict[str, Any]

    def frame(self, epoch: str) -> str:
        """One SSE frame: `id`, `event` and a one-line JSON `data`."""
        body = json.dumps(self.data, ensure_ascii=False)  # the event's name is in `event:`
        return f"id: {epoch}:{self.seq}\nevent: {self.type}\ndata: {body}\n\n"


@dataclass(frozen=True, slots=True)
class Cursor:
    epoch: str
    seq: int

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """`epoch:seq` as sent in `id:`; None for anything else (the client then resyncs)."""
        if not text or ":" not in text:
            return None
        epoch, _, seq = text.rpartition(":")
        return cls(epoch, int(seq)) if seq.isdigit() else None


class LiveHub:
    """Thread-safe ring of recent events with async waiters (one per open stream)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.epoch = secrets.token_hex(4)
        self._ring: deque[LiveEvent] = deque(maxlen=capacity)
        self._seq = 0
        self._last_outbox_id = 0
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.attached = False  # set once a relay feeds this hub

    def attach(self) -> LiveHub:
        """Mark the hub as fed (the stream refuses with 503 in a process without a relay)."""
        self.attached = True
        return self

    @property
    def seq(self) -> int:
        return self._seq

    def publish(self, events: Sequence[Event]) -> None:
        """Take a confirmed relay batch (called from the relay thread)."""
        with self._lock:
            for e in events:
                if e.outbox_id is not None and e.outbox_id <= self._last_outbox_id:
                    continue  # the same row again after a relay retry
                self._last_outbox_id = e.outbox_id or self._last_outbox_id
                self._seq += 1
                data = {"event_id": e.event_id, "at": e.created_at.isoformat(), **e.payload}
                self._ring.append(LiveEvent(self._seq, e.type, data))
            waiters = list(self._waiters)
        for loop, flag in waiters:
            loop.call_soon_threadsafe(flag.set)

    def after(self, cursor: Cursor | None) -> list[LiveEvent] | None:
        """Events after the cursor, or None when the cursor cannot be honoured (resync)."""
        with self._lock:
            if cursor is None or cursor.epoch != self.epoch or cursor.seq > self._seq:
                return None
            oldest = self._ring[0].seq if self._ring else self._seq + 1
            if cursor.seq < oldest - 1:
                return None  # fell out of the ring: some events would be missing
            return [e for e in self._ring if e.seq > cursor.seq]

    def waiter(self) -> asyncio.Event:
        flag = asyncio.Event()
        with self._lock:
            self._waiters.add((asyncio.get_running_loop(), flag))
        return flag

    def drop(self, flag: asyncio.Event) -> None:
        with self._lock:
            self._waiters = {w for w in self._waiters if w[1] is not flag}

    @property
    def listeners(self) -> int:
        return len(self._waiters)
