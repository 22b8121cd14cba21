"""All settings in one place, read from PINGAN_* environment variables.

The embedded default keeps everything in one data directory (SQLite in WAL mode, the secret
key for personal-data encryption); a bureau that outgrows one machine points
PINGAN_DATABASE_URL at PostgreSQL.
"""

from __future__ import annotations

from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINGAN_", extra="ignore")

    data_dir: Path = Field(default=Path("pingan-data"), description="embedded store and keys")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    secret_key: str | None = Field(
        default=None, description="base64 key for personal data; default: <data_dir>/secret.key"
    )
    audit_checkpoints_file: Path | None = Field(
        default=None,
        description="signed audit checkpoints (JSON lines); default: <data_dir>/audit-checkpoints",
    )
    audit_signing_key_file: Path | None = Field(
        default=None, description="Ed25519 checkpoint key; default: <data_dir>/audit-signing.key"
    )
    audit_checkpoint_public_key: str | None = Field(
        default=None, description="base64 public key verify trusts; default: the signing key's"
    )
    token_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    login_max_failures: int = Field(
        default=5, ge=1, description="failures per username and source before back-off"
    )
    login_max_failures_per_ip: int = Field(
        default=30, ge=1, description="failures from one source (any username) before 429"
    )
    login_window_seconds: int = Field(default=900, ge=1, description="failures counted within")
    login_backoff_seconds: float = Field(
        default=2.0, gt=0, description="first back-off; doubles with each further failure"
    )
    login_account_slow_after: int = Field(
        default=20, ge=1, description="failures on one account, all sources: back off sooner"
    )
    register_max_per_source: int = Field(default=5, ge=1, description="sign-ups per source")
    register_window_seconds: int = Field(default=3600, ge=1, description="sign-ups counted within")
    identity_face_provider: str = Field(
        default="double", description="liveness/face provider: double (test double) or none"
    )
    identity_sms_sender: str = Field(
        default="double",
        description="one-time code sender: double (test double) or outbox (demo only: "
        "<data_dir>/sms-outbox.txt; `pingan demo` uses it unless this is set)",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed",
    )
    sql_echo: bool = False
    demo_fleet: Literal["article", "small"] = Field(
        default="article",
        description="`pingan demo` / `simulate`: the sample roster's fleet at the article's "
        "scale (446 officer-shifts a day), or the 18-unit fleet (quick runs, tests)",
    )
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
    fraud_expiry_seconds: float = Field(
        default=300.0, ge=0, description="stops and freezes about to lapse raised; 0: off here"
    )
    visits_reminders_seconds: float = Field(
        default=300.0, ge=0, description="video-visit reminders sent; 0: off in this process"
    )
    visits_no_shows_seconds: float = Field(
        default=300.0, ge=0, description="ended video visits with no call marked; 0: off here"
    )
    city_osm: Path | None = Field(
        default=None, description="OSM extract of the city; default: the synthetic sample"
    )
    service_area_margin_km: float = Field(
        default=5.0,
        ge=0,
        le=500,
        allow_inf_nan=False,
        description="places accepted this far outside the city's road network (km)",
    )
    city_areas: Path | None = Field(default=None, description="key-area YAML for that city")
    city_posts: Path | None = Field(
        default=None, description="posts YAML (stations, kiosks, PTU points); default: sample"
    )
    holidays_file: Path | None = Field(
        default=None,
        description="YAML of years of holidays and make-up working days, newer than or "
        "correcting chinese-calendar's (docs/forecasting.md); read once, at the first forecast",
    )
    fraud_gateways_file: Path | None = Field(
        default=None,
        description="YAML of bank/payment-firm code → stop-payment gateway URL (docs/fraud.md)",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: list[str]) -> list[str]:
        """A malformed proxy address fails when the settings load, not on a request."""
        for entry in value:
            ip_network(entry.strip(), strict=False)
        return value

    @cached_property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(ip_network(p.strip(), strict=False) for p in self.trusted_proxies)

    @cached_property
    def resolved_database_url(self) -> str:
        """The store URL, defaulting to a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pingan.db').resolve()}"

    @property
    def resolved_audit_checkpoints_file(self) -> Path:
        return self.audit_checkpoints_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def resolved_audit_signing_key_file(self) -> Path:
        return self.audit_signing_key_file or self.data_dir / "audit-signing.key"
