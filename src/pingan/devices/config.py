"""Settings of the device gateway and live state (PINGAN_* variables).

Kept beside the domain rather than in pingan.config because only the gateway process and
the device routes read them; the names follow the same PINGAN_ prefix.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pingan.devices.freshness import FreshnessRules
from pingan.devices.trail import TrailRule


class DeviceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINGAN_", extra="ignore")

    mqtt_url: str | None = Field(default=None, description="mqtt://host:1883; unset: no gateway")
    mqtt_client_id: str = Field(default="pingan-gateway", max_length=64)
    mqtt_clean_session: bool = Field(
        default=False, description="False: the broker keeps acks/alerts while the gateway is down"
    )
    redis_url: str | None = Field(default=None, description="redis://host:6379/0 for live state")
    redis_key_prefix: str = "pingan:live"
    device_max_message_bytes: int = Field(default=8192, ge=256, le=1_048_576)
    device_stale_after_s: float = Field(default=60.0, gt=0)
    device_lost_after_s: float = Field(default=1800.0, gt=0)
    device_flush_interval_s: float = Field(default=1.0, gt=0, le=60)
    device_flush_max_updates: int = Field(default=20_000, ge=1)
    device_state_interval_s: float = Field(
        default=5.0, ge=0, le=300, description="devices' last-state rows; units every flush"
    )
    device_history_interval_s: float = Field(default=10.0, ge=0)
    device_history_min_move_m: float = Field(default=50.0, ge=0)
    device_command_timeout_s: float = Field(default=60.0, gt=0, le=86_400)
    device_command_poll_s: float = Field(default=0.5, gt=0, le=60)
    device_registry_refresh_s: float = Field(default=5.0, gt=0)
    device_max_clock_skew_s: float = Field(default=60.0, ge=0)
    device_max_fix_age_s: float = Field(default=86_400.0, gt=0)
    device_redis_interval_s: float = Field(default=0.05, gt=0, le=5)
    device_latency_samples: int = Field(default=50_000, ge=100)

    @property
    def freshness(self) -> FreshnessRules:
        return FreshnessRules(self.device_stale_after_s, self.device_lost_after_s)

    @property
    def trail(self) -> TrailRule:
        return TrailRule(self.device_history_interval_s, self.device_history_min_move_m)
