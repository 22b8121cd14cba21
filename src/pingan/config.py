"""All settings in one place, read from PINGAN_* environment variables.

The embedded default keeps everything in one data directory (SQLite in WAL mode, the secret
key for personal-data encryption); a bureau that outgrows one machine points
PINGAN_DATABASE_URL at PostgreSQL.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINGAN_", extra="ignore")

    data_dir: Path = Field(default=Path("pingan-data"), description="embedded store and keys")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    secret_key: str | None = Field(
        default=None, description="base64 key for personal data; default: <data_dir>/secret.key"
    )
    token_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    sql_echo: bool = False
    db_legacy_transactions: bool = Field(
        default=False,
        description="benchmark baseline only (bench/api.py): every transaction, reads "
        "included, takes SQLite's write lock with BEGIN IMMEDIATE, as before read sessions",
    )
    bus_url: str | None = Field(
        default=None, description="nats://host:4222 for NATS JetStream; default in-process"
    )
    bus_stream: str = Field(default="PINGAN_EVENTS", description="JetStream stream name")
    bus_subject_prefix: str = Field(default="pingan.events", description="event subjects")
    bus_ack_wait_seconds: float = Field(default=30.0, gt=0, description="redelivery after")
    bus_retry_delay_seconds: float = Field(default=0.5, gt=0, description="first retry back-off")
    bus_poll_seconds: float = Field(default=0.5, gt=0, description="relay poll fallback")
    sensor_check_seconds: float = Field(
        default=30.0, ge=0, description="silent count-source check; 0: off in this process"
    )
    video_patrol_seconds: float = Field(
        default=60.0, ge=0, description="video patrol rota step; 0: off in this process"
    )
    plan_posts_seconds: float = Field(
        default=60.0, ge=0, description="units to their shift's planned posts; 0: off here"
    )
    city_osm: Path | None = Field(
        default=None, description="OSM extract of the city; default: the synthetic sample"
    )
    city_areas: Path | None = Field(default=None, description="key-area YAML for that city")
    city_posts: Path | None = Field(
        default=None, description="posts YAML (stations, kiosks, PTU points); default: sample"
    )

    @cached_property
    def resolved_database_url(self) -> str:
        """The store URL, defaulting to a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pingan.db').resolve()}"
