"""A background thread that runs a few jobs at their own intervals, and can be nudged."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("pingan.periodic")


@dataclass(slots=True)
class _Job:
    name: str
    every_s: float
    run: Callable[[], object]
    due: float = 0.0


class Periodic:
    """Runs jobs in one thread; a failing job is logged and retried at its next turn, so one
    bad batch never stops the loop."""

    def __init__(self, name: str, on_error: Callable[[str], None] | None = None) -> None:
        self.name = name
        self._jobs: list[_Job] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_error = on_error

    def every(self, seconds: float, name: str, run: Callable[[], object]) -> Periodic:
        self._jobs.append(_Job(name, seconds, run))
        return self

    def kick(self, name: str) -> None:
        """Run the named job at the next opportunity instead of waiting for its turn."""
        for job in self._jobs:
            if job.name == name:
                job.due = 0.0
        self._wake.set()

    def start(self) -> Periodic:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self, name: str) -> None:
        for job in self._jobs:
            if job.name == name:
                job.run()

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for job in self._jobs:
                if now >= job.due:
                    job.due = now + job.every_s
                    try:
                        job.run()
                    except Exception:  # keep the loop alive, count the failure
                        log.exception("periodic job %s failed", job.name)
                        if self._on_error:
                            self._on_error(job.name)
            wait = min(j.due for j in self._jobs) - time.monotonic() if self._jobs else 1.0
            self._wake.wait(max(0.0, wait))
            self._wake.clear()
