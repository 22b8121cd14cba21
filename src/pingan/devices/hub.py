"""One process's device machinery, wired together: registry cache, ingest path, live state,
batched store writes, the optional Redis mirror, and the MQTT gateway with its command
sender. The API creates one per app (router lifespan); `pingan devices gateway` runs one on
its own.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from paho.mqtt.client import topic_matches_sub

from pingan.db.engine import Database
from pingan.devices import store
from pingan.devices.config import DeviceSettings
from pingan.devices.counters import Counters
from pingan.devices.ingest import Ingestor
from pingan.devices.live import LiveState, view_from_raw
from pingan.devices.protocol import TimeRules
from pingan.devices.topics import TopicHandler, load_routes
from pingan.periodic import Periodic

log = logging.getLogger("pingan.devices")


class DeviceHub:
    def __init__(self, db: Database, settings: DeviceSettings) -> None:
        self.db = db
        self.settings = settings
        self.counters = Counters(settings.device_latency_samples)
        self.redis = None
        if settings.redis_url:
            import redis

            self.redis = redis.Redis.from_url(settings.redis_url, socket_timeout=5)
        self.live = LiveState(
            settings.freshness,
            settings.trail,
            self.counters,
            mirrored=self.redis is not None,
            flush_at=settings.device_flush_max_updates,
            on_full=lambda: self._store.kick("flush"),
        )
        self._last_unknown_kick = 0.0
        self.ingestor = Ingestor(
            db,
            self.live,
            self.counters,
            max_bytes=settings.device_max_message_bytes,
            time_rules=TimeRules(settings.device_max_clock_skew_s, settings.device_max_fix_age_s),
            on_unknown=self._unknown_device,
        )
        self.flushes = 0
        self.last_flush_ms = 0.0
        self._devices_due = 0.0
        # One flush at a time: a caller's flush returns only after a flush already under way
        # (the periodic one) has committed, so "flushed" means "in the store".
        self._flush_lock = threading.Lock()
        self._store = (
            Periodic("pingan-devices-store", self._job_failed)
            .every(settings.device_flush_interval_s, "flush", self.flush)
            .every(settings.device_registry_refresh_s, "registry", self.refresh_registry)
        )
        self._mirror = (
            Periodic("pingan-devices-redis", self._job_failed).every(
                settings.device_redis_interval_s, "mirror", self.mirror
            )
            if self.redis is not None
            else None
        )
        self.gateway = None
        self.sender = None
        self.topics: list[tuple[str, TopicHandler]] = []  # other domains' inbound topics
        if settings.mqtt_url:
            from pingan.devices.gateway import MqttGateway
            from pingan.devices.sender import CommandSender

            routes = load_routes()
            self.topics = [(r.filter, r.factory(db, self.counters)) for r in routes]
            self.gateway = MqttGateway(
                settings.mqtt_url,
                client_id=settings.mqtt_client_id,
                clean_session=settings.mqtt_clean_session,
                on_message=self._on_mqtt,
                counters=self.counters,
                on_connected=lambda: self._commands.kick("send"),
                extra_subscriptions=[(r.filter, r.qos) for r in routes],
            )
            self.sender = CommandSender(db, self.gateway, self.counters)
            self._commands = (
                Periodic("pingan-devices-commands", self._job_failed)
                .every(settings.device_command_poll_s, "send", self.sender.poll)
                .every(1.0, "expire", self.sender.expire)
            )
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, *, load_registry: bool = True) -> DeviceHub:
        """Start the threads; the registry loads now, or first thing in the store thread."""
        if load_registry:
            try:
                self.refresh_registry()
            except Exception:  # an unmigrated store: the periodic job retries
                log.exception("device registry could not be loaded")
        self._store.start()
        if self._mirror is not None:
            self._mirror.start()
        if self.gateway is not None:
            for _, handler in self.topics:
                handler.start()
            self.gateway.start()
            self._commands.start()
        self._started = True
        return self

    def stop(self) -> None:
        """Stop taking messages, then write what is still pending."""
        if not self._started:
            return
        self._started = False
        self._devices_due = 0.0  # the final batch includes the devices' rows
        if self.gateway is not None:
            self._commands.stop()
            self.gateway.stop()
            for _, handler in self.topics:
                handler.stop()
        self._store.stop()
        if self._mirror is not None:
            self._mirror.stop()
            self.mirror()
        try:
            self.flush()
        except Exception:  # shutting down: log it and finish stopping
            log.exception("final device flush failed")
        if self.redis is not None:
            self.redis.close()

    def _on_mqtt(self, topic: str, raw: bytes) -> None:
        """Device channels to the ingest path; other domains' topics to their handlers."""
        for topic_filter, handler in self.topics:
            if topic_matches_sub(topic_filter, topic):
                handler.on_message(topic, raw)
                return
        self.ingestor.on_mqtt(topic, raw)

    def _job_failed(self, name: str) -> None:
        self.counters.note(f"{name}_errors")

    def _unknown_device(self) -> None:
        now = time.monotonic()
        if now - self._last_unknown_kick >= 1.0:
            self._last_unknown_kick = now
            self._store.kick("registry")

    # -- jobs ------------------------------------------------------------------------------
    def refresh_registry(self) -> None:
        """Pick up new devices (seeded with their stored state) and changed bindings."""
        with self.db.session() as session:
            infos = store.load_registry(session)
            new = [i.id for i in infos if i.serial not in self.live.devices]
            seeds = store.load_seeds(session, new) if new else {}
        self.live.sync(infos, seeds)
        self.ingestor.set_registry(infos)

    def flush(self) -> int:
        """Write one batch of changes to the store; returns the number of rows changed."""
        with self._flush_lock:
            return self._flush()

    def _flush(self) -> int:
        now = time.monotonic()
        with_devices = now >= self._devices_due
        if with_devices:
            self._devices_due = now + self.settings.device_state_interval_s
        drained = self.live.drain(devices=with_devices)
        changes = self.live.freshness_changes(time.time())
        if not drained and not changes:
            return 0
        t0 = time.perf_counter()
        try:
            with self.db.session() as session:
                store.write_batch(session, drained, changes)
        except Exception:
            self.live.restore(drained)
            raise
        self.flushes += 1
        self.last_flush_ms = (time.perf_counter() - t0) * 1000
        n = len(drained.devices) + len(drained.units) + len(drained.fixes)
        self.counters.note("store_flushes")
        self.counters.note("store_rows", n)
        self.counters.note("history_rows", len(drained.fixes))
        return n

    def mirror(self) -> None:
        if self.redis is None:
            return
        devices, units, fix_times = self.live.drain_mirror()
        if not devices and not units:
            return
        prefix = self.settings.redis_key_prefix
        pipe = self.redis.pipeline(transaction=False)
        if devices:
            pipe.hset(f"{prefix}:devices", mapping=devices)
        if units:
            pipe.hset(f"{prefix}:units", mapping=units)
        pipe.execute()
        now = time.time()
        self.counters.lags([now - t for t in fix_times])

    # -- readers ---------------------------------------------------------------------------
    def registry_changed(self) -> None:
        """Called after a registration or (un)binding in this process: apply it now."""
        self.refresh_registry()

    def live_view(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(devices, units) from Redis when configured (all gateways), else this process."""
        if self.redis is None:
            return self.live.view()
        import json

        now = time.time()
        prefix = self.settings.redis_key_prefix
        pipe = self.redis.pipeline(transaction=False)
        pipe.hvals(f"{prefix}:devices")
        pipe.hvals(f"{prefix}:units")
        raw_devices, raw_units = pipe.execute()
        rules = self.settings.freshness
        devices = [view_from_raw(json.loads(v), now, rules) for v in raw_devices]
        units = [view_from_raw(json.loads(v), now, rules) for v in raw_units]
        return devices, units

    def stats(self) -> dict[str, Any]:
        out = self.counters.snapshot()
        out["live"] = self.live.counts()
        out["store"] = {"flushes": self.flushes, "last_flush_ms": round(self.last_flush_ms, 1)}
        out["mqtt"] = (
            {
                "configured": True,
                "connected": self.gateway.connected.is_set(),
                "broker": f"{self.gateway.host}:{self.gateway.port}",
            }
            if self.gateway is not None
            else {"configured": False}
        )
        out["redis"] = self.redis is not None
        return out
