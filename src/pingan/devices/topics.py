"""Other domains' sensors on the gateway's MQTT connection.

Gate counters and plate readers speak MQTT too, but their messages belong to other domains.
A module `pingan.<domain>.mqtt_inbound` registers a topic filter with `@inbound(...)` and a factory;
the gateway subscribes to the filter and hands each matching message to the handler the
factory built. Handlers must never raise: they count what they refuse. A route may name the
Pydantic model of its messages; `pingan devices schemas` publishes its JSON Schema next to the
device channels' ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from pingan.db.engine import Database
from pingan.devices.counters import Counters
from pingan.devices.protocol import schema_of
from pingan.domains import import_domain_modules


class TopicHandler(Protocol):
    def on_message(self, topic: str, raw: bytes) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


Factory = Callable[[Database, Counters], TopicHandler]


@dataclass(frozen=True, slots=True)
class Route:
    filter: str  # an MQTT topic filter, e.g. "pingan/v1/counts/+"
    qos: int
    factory: Factory
    schema: tuple[str, type[BaseModel]] | None = None  # (file stem, message model)


_routes: dict[str, Route] = {}


def inbound(
    topic_filter: str, qos: int = 1, schema: tuple[str, type[BaseModel]] | None = None
) -> Callable[[Factory], Factory]:
    """Register a factory for the messages under `topic_filter` (decorator)."""

    def register(factory: Factory) -> Factory:
        _routes[topic_filter] = Route(topic_filter, qos, factory, schema)
        return factory

    return register


def load_routes() -> list[Route]:
    """Every domain's inbound topics (imports the `pingan.<domain>.mqtt_inbound` modules)."""
    import_domain_modules("mqtt_inbound")
    return list(_routes.values())


def json_schemas() -> dict[str, dict]:
    """JSON Schema of each inbound topic's message that names its model, keyed by file stem."""
    return {r.schema[0]: schema_of(*r.schema) for r in load_routes() if r.schema is not None}
