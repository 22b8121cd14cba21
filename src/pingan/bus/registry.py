"""Who listens to which events: domains register handlers here by name and pattern.

A domain puts its handlers in `pingan/<domain>/handlers.py` and decorates them with
`registry.subscribe("name", "pattern", ...)`; `load_handlers()` imports every such module,
so the worker and the embedded relay find them without one domain importing another.

    from pingan.bus.registry import registry

    @registry.subscribe("dispatch", "incident.received")
    def recommend_units(session: Session, event: Event) -> None: ...

The name is the logical subscriber: its processed events, its ordering position and, over
NATS, its durable consumer. Several worker processes running the same name share the work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pingan.bus.outbox import Event
from pingan.bus.patterns import matches_any, validate
from pingan.domains import import_domain_modules

Handler = Callable[[Session, Event], None]
"""Apply one event inside the given session; the caller commits (do not commit here)."""

DEFAULT_MAX_DELIVER = 5


@dataclass(frozen=True, slots=True)
class Subscription:
    name: str
    patterns: tuple[str, ...]
    handler: Handler
    max_deliver: int = DEFAULT_MAX_DELIVER

    def wants(self, event_type: str) -> bool:
        return matches_any(self.patterns, event_type)


class Registry:
    """Subscriptions by name; one name, one handler."""

    def __init__(self) -> None:
        self._subs: dict[str, Subscription] = {}

    def add(
        self,
        name: str,
        patterns: Iterable[str],
        handler: Handler,
        *,
        max_deliver: int = DEFAULT_MAX_DELIVER,
    ) -> Subscription:
        patterns = tuple(validate(p) for p in patterns)
        if not patterns:
            raise ValueError(f"subscription {name!r} needs at least one pattern")
        if name in self._subs and self._subs[name].handler is not handler:
            raise ValueError(f"subscription {name!r} is already registered")
        if max_deliver < 1:
            raise ValueError("max_deliver must be at least 1")
        sub = Subscription(name, patterns, handler, max_deliver)
        self._subs[name] = sub
        return sub

    def subscribe(
        self, name: str, *patterns: str, max_deliver: int = DEFAULT_MAX_DELIVER
    ) -> Callable[[Handler], Handler]:
        """Decorator form of `add`."""

        def register(handler: Handler) -> Handler:
            self.add(name, patterns, handler, max_deliver=max_deliver)
            return handler

        return register

    def subscriptions(self, only: Iterable[str] | None = None) -> list[Subscription]:
        """All subscriptions, or the named ones (unknown names raise KeyError)."""
        if only is None:
            return list(self._subs.values())
        return [self._subs[name] for name in only]

    def for_event(self, event_type: str) -> list[Subscription]:
        return [s for s in self._subs.values() if s.wants(event_type)]


registry = Registry()
"""The process-wide registry that `pingan serve` and `pingan worker` deliver to."""


def load_handlers(extra_modules: Iterable[str] = ()) -> list[str]:
    """Import every `pingan.<domain>.handlers` module (and any extra ones); return their names."""
    return import_domain_modules("handlers", extra_modules)
