"""The one path every device message takes, whether it came over MQTT or HTTP.

Order of checks is cheapest first: size, device registry (in memory), then JSON schema and
time; telemetry and status go to the live state, alerts and acks to the store. A refused
message raises `Rejected` and is counted by reason; nothing a device sends can stop the
gateway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from pingan import i18n
from pingan.db.engine import Database
from pingan.devices import service
from pingan.devices.counters import Counters
from pingan.devices.live import DeviceInfo, LiveState
from pingan.devices.protocol import (
    Ack,
    Alert,
    Channel,
    Reason,
    Rejected,
    StatusReport,
    Telemetry,
    TimeRules,
    check_time,
    decode,
    parse_topic,
    wgs84,
)
from pingan.errors import NotFound
from pingan.geo.area import ServiceArea
from pingan.geo.coords import Crs
from pingan.geo.input import service_area

log = logging.getLogger("pingan.devices")


class Ingestor:
    def __init__(
        self,
        db: Database,
        live: LiveState,
        counters: Counters,
        *,
        max_bytes: int,
        time_rules: TimeRules,
        on_unknown: Callable[[], None] | None = None,
        area: Callable[[], ServiceArea] = service_area,
    ) -> None:
        self.db = db
        self.live = live
        self.counters = counters
        self.max_bytes = max_bytes
        self.time_rules = time_rules
        self.registry: dict[str, DeviceInfo] = {}
        self._on_unknown = on_unknown
        self._area = area

    def set_registry(self, infos: list[DeviceInfo]) -> None:
        self.registry = {i.serial: i for i in infos}

    def handle(
        self,
        device_id: str,
        channel: Channel,
        raw: bytes,
        source: str,
        session: Session | None = None,
    ) -> DeviceInfo:
        """Validate and apply one message; raises Rejected (already counted).

        Alerts and acks are written with `session` when given (an HTTP request's), else
        with a session of their own.
        """
        try:
            info = self._apply(device_id, channel, raw, session)
        except Rejected as exc:
            self.counters.reject(exc.reason.value, source)
            if exc.reason is Reason.UNKNOWN_DEVICE and self._on_unknown:
                self._on_unknown()
            raise
        self.counters.accept(channel.value, source)
        return info

    def on_mqtt(self, topic: str, raw: bytes) -> None:
        """MQTT entry point: never raises."""
        try:
            device_id, channel = parse_topic(topic)
        except Rejected as exc:
            self.counters.reject(exc.reason.value, "mqtt")
            return
        try:
            self.handle(device_id, channel, raw, "mqtt")
        except Rejected:
            pass
        except Exception:  # a store hiccup must not kill the network loop
            self.counters.note("internal_error")
            log.exception("device message on %s could not be applied", channel.value)

    @contextmanager
    def _session(self, given: Session | None) -> Iterator[Session]:
        if given is not None:
            yield given
        else:
            with self.db.session() as session:
                yield session

    def _place(self, lon: float, lat: float, crs: Crs) -> tuple[float, float]:
        """WGS-84 of a device's position, refused (and counted) outside the service area."""
        lon, lat = wgs84(lon, lat, crs)
        if not self._area().contains(lon, lat):
            raise Rejected(Reason.OUTSIDE_AREA, i18n.msg("devices.outside_area"))
        return lon, lat

    def _apply(
        self, device_id: str, channel: Channel, raw: bytes, given: Session | None
    ) -> DeviceInfo:
        if len(raw) > self.max_bytes:
            raise Rejected(Reason.OVERSIZED, f"{len(raw)} > {self.max_bytes} bytes")
        info = self.registry.get(device_id)
        if info is None:
            raise Rejected(Reason.UNKNOWN_DEVICE, i18n.msg("devices.device_not_registered"))
        msg = decode(channel, raw, max_bytes=self.max_bytes)
        at = check_time(msg.ts, time.time(), self.time_rules)
        if isinstance(msg, Telemetry):
            lon, lat = self._place(msg.lon, msg.lat, msg.crs)
            if not self.live.apply_fix(info, at, lon, lat, msg):
                self.counters.note("superseded")
        elif isinstance(msg, StatusReport):
            if not self.live.apply_status(info, at, msg):
                self.counters.note("superseded")
        elif isinstance(msg, Alert):
            lonlat = None
            if msg.lon is not None and msg.lat is not None:
                lonlat = self._place(msg.lon, msg.lat, msg.crs)
            with self._session(given) as session:
                service.raise_alert(session, info.id, info.serial, info.unit_id, msg, lonlat)
        elif isinstance(msg, Ack):
            with self._session(given) as session:
                try:
                    service.apply_ack(session, info.id, msg)
                except NotFound:
                    raise Rejected(
                        Reason.UNKNOWN_COMMAND, i18n.msg("devices.no_such_command")
                    ) from None
        return info
