"""The device protocol (v1): topics, message shapes and their validation (pure).

Devices publish on ``pingan/v1/devices/{device_id}/{telemetry|status|alert|ack}`` and
receive commands on ``pingan/v1/devices/{device_id}/command``; ``device_id`` is the serial
the device was registered with. The same bytes may arrive over HTTP, so validation works
on raw payloads and raises `Rejected` with a stable reason that the gateway counts.
Nothing here touches the store, the network or the clock (``now`` is passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from pingan.geo.coords import CoordinateError, Crs, to_wgs84
from pingan.i18n import Msg, catalogue, msg
from pingan.i18n.both import both

TOPIC_ROOT = "pingan/v1/devices"
DEVICE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


class Channel(StrEnum):
    """What a device sends (inbound) — one topic level each."""

    TELEMETRY = "telemetry"
    STATUS = "status"
    ALERT = "alert"
    ACK = "ack"


COMMAND_CHANNEL = "command"


class Reason(StrEnum):
    """Why a message was refused; each is a counter in the gateway statistics."""

    OVERSIZED = "oversized"
    BAD_TOPIC = "bad_topic"
    UNKNOWN_DEVICE = "unknown_device"
    MALFORMED_JSON = "malformed_json"
    INVALID_MESSAGE = "invalid_message"
    BAD_TIME = "bad_time"
    OUTSIDE_AREA = "outside_service_area"
    UNKNOWN_COMMAND = "unknown_command"


def reason_name(reason: Reason) -> Msg:
    """The refusal reason in words (catalogue `devices.reason.<value>`)."""
    return msg(f"devices.reason.{reason.value}")


class Rejected(Exception):
    """A message refused for `reason`; `detail` never echoes the payload (it may hold PII)."""

    def __init__(self, reason: Reason, detail: Msg | str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


def valid_device_id(device_id: str) -> bool:
    return bool(_DEVICE_ID.match(device_id))


def topic(device_id: str, channel: Channel | str) -> str:
    return f"{TOPIC_ROOT}/{device_id}/{channel}"


def subscriptions() -> list[tuple[str, int]]:
    """Topic filters and QoS for the gateway: telemetry at QoS 0 (the next fix supersedes a
    lost one), everything else at QoS 1."""
    return [(topic("+", c), 0 if c is Channel.TELEMETRY else 1) for c in Channel]


def parse_topic(name: str) -> tuple[str, Channel]:
    """Split an inbound topic into (device_id, channel) or raise Rejected(BAD_TOPIC)."""
    parts = name.split("/")
    if len(parts) != 5 or "/".join(parts[:3]) != TOPIC_ROOT:
        raise Rejected(Reason.BAD_TOPIC, msg("devices.not_a_device_topic"))
    device_id, channel = parts[3], parts[4]
    if not valid_device_id(device_id):
        raise Rejected(Reason.BAD_TOPIC, msg("devices.bad_device_id"))
    try:
        return device_id, Channel(channel)
    except ValueError:
        raise Rejected(Reason.BAD_TOPIC, msg("devices.unknown_channel")) from None


# -- inbound messages ---------------------------------------------------------------------

_Finite = {"allow_inf_nan": False}


class _Inbound(BaseModel):
    # Unknown fields are ignored so newer firmware keeps working against this version.
    model_config = ConfigDict(extra="ignore", frozen=True)

    ts: AwareDatetime = Field(description="devices.field.ts")


class Telemetry(_Inbound):
    """A position fix with what the device knows about itself at that moment."""

    lon: float = Field(ge=-180, le=180, description="devices.field.lon", **_Finite)
    lat: float = Field(ge=-90, le=90, description="devices.field.lat", **_Finite)
    crs: Crs = Field(default=Crs.WGS84, description="devices.field.crs")
    speed_mps: float | None = Field(default=None, ge=0, le=150, **_Finite)
    heading_deg: float | None = Field(default=None, ge=0, lt=360, **_Finite)
    alt_m: float | None = Field(default=None, ge=-500, le=10_000, **_Finite)
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000, **_Finite)
    battery_pct: float | None = Field(default=None, ge=0, le=100, **_Finite)
    seq: int | None = Field(default=None, ge=0, description="devices.field.seq")


class DeviceState(StrEnum):
    ONLINE = "online"
    IDLE = "idle"
    BUSY = "busy"
    CHARGING = "charging"
    FAULT = "fault"
    OFFLINE = "offline"


class StatusReport(_Inbound):
    """A change of the device's operating state (sent on change and every few minutes)."""

    state: DeviceState
    battery_pct: float | None = Field(default=None, ge=0, le=100, **_Finite)
    recording: bool | None = Field(default=None, description="devices.field.recording")
    detail: str | None = Field(default=None, max_length=200)


class AlertType(StrEnum):
    SOS = "sos"
    CROWD_DENSITY = "crowd_density"
    FALL_DETECTED = "fall_detected"
    INTRUSION = "intrusion"
    TAMPER = "tamper"
    LOW_BATTERY = "low_battery"
    FAULT = "fault"
    OTHER = "other"


class AlertLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Alert(_Inbound):
    """Something the device noticed that a person should look at."""

    type: AlertType
    level: AlertLevel = AlertLevel.WARNING
    lon: float | None = Field(default=None, ge=-180, le=180, **_Finite)
    lat: float | None = Field(default=None, ge=-90, le=90, **_Finite)
    crs: Crs = Crs.WGS84
    count: int | None = Field(default=None, ge=0, description="devices.field.count")
    text: str | None = Field(default=None, max_length=500)
    data: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=20)


class AckResult(StrEnum):
    ACCEPTED = "accepted"  # 已接收，开始执行
    DONE = "done"  # 执行完毕
    REJECTED = "rejected"  # 拒绝执行（不支持、参数错误）
    FAILED = "failed"  # 执行失败


class Ack(_Inbound):
    """The device's answer to a command."""

    command_id: str = Field(min_length=1, max_length=36)
    result: AckResult
    detail: str | None = Field(default=None, max_length=200)


INBOUND: dict[Channel, type[_Inbound]] = {
    Channel.TELEMETRY: Telemetry,
    Channel.STATUS: StatusReport,
    Channel.ALERT: Alert,
    Channel.ACK: Ack,
}
Message = Telemetry | StatusReport | Alert | Ack


# -- outbound commands ----------------------------------------------------------------------


class Broadcast(BaseModel):
    """Speak a text through the device's loudspeaker (e.g. a crush-prevention reminder)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["broadcast"] = "broadcast"
    text: str = Field(min_length=1, max_length=500, description="devices.field.text")
    repeat: int = Field(default=1, ge=1, le=50)
    interval_s: int = Field(default=0, ge=0, le=3600, description="devices.field.interval_s")
    volume: int = Field(default=80, ge=0, le=100)


class Waypoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lon: float = Field(ge=-180, le=180, **_Finite)
    lat: float = Field(ge=-90, le=90, **_Finite)
    alt_m: float = Field(default=60, ge=0, le=500, description="devices.field.alt_m")
    hold_s: int = Field(default=0, ge=0, le=3600, description="devices.field.hold_s")


class Mission(BaseModel):
    """Fly (drone) or drive (robot) through waypoints in order."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["mission"] = "mission"
    waypoints: list[Waypoint] = Field(min_length=1, max_length=100)
    speed_mps: float = Field(default=8, gt=0, le=25, **_Finite)
    return_home: bool = True


class Recording(BaseModel):
    """Start or stop video recording (body camera, drone, car)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["recording"] = "recording"
    action: Literal["start", "stop"]


CommandBody = Annotated[Broadcast | Mission | Recording, Field(discriminator="type")]


class CommandMessage(BaseModel):
    """What the gateway publishes on .../command (QoS 1). Devices answer on .../ack with the
    same command_id, and must treat a repeated command_id as already handled."""

    model_config = ConfigDict(extra="forbid")
    command_id: str
    issued_at: AwareDatetime
    expires_at: AwareDatetime = Field(description="devices.field.expires_at")
    command: CommandBody


# -- validation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeRules:
    max_clock_skew_s: float = 60.0
    max_age_s: float = 86_400.0


def _summary(exc: ValidationError) -> str:
    """Field names and error kinds only: never the offending values."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "message"
        parts.append(f"{loc}: {err['type']}")
    return "; ".join(parts)


def decode(channel: Channel, raw: bytes, *, max_bytes: int) -> Message:
    """Validate one payload against its channel's schema, or raise Rejected."""
    if len(raw) > max_bytes:
        raise Rejected(Reason.OVERSIZED, f"{len(raw)} > {max_bytes} bytes")
    try:
        return INBOUND[channel].model_validate_json(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if errors and errors[0]["type"] == "json_invalid":
            raise Rejected(Reason.MALFORMED_JSON, msg("devices.malformed_json")) from None
        raise Rejected(Reason.INVALID_MESSAGE, _summary(exc)) from None


def check_time(ts: datetime, now: float, rules: TimeRules) -> float:
    """The measurement time in Unix seconds; refuses the future and the too old."""
    at = ts.timestamp()
    if at > now + rules.max_clock_skew_s:
        raise Rejected(Reason.BAD_TIME, msg("devices.time_in_future"))
    if at < now - rules.max_age_s:
        raise Rejected(Reason.BAD_TIME, msg("devices.time_too_old"))
    return at


def wgs84(lon: float, lat: float, crs: Crs) -> tuple[float, float]:
    """Convert a device's coordinates to WGS-84 at the edge."""
    if crs is Crs.WGS84:
        return lon, lat
    try:
        p = to_wgs84(lon, lat, crs)
    except CoordinateError as exc:
        raise Rejected(Reason.INVALID_MESSAGE, msg("devices.bad_coordinates")) from exc
    return p.lon, p.lat


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every message, keyed by file stem (published in docs/)."""
    models: dict[str, type[BaseModel]] = {c.value: m for c, m in INBOUND.items()}
    models[COMMAND_CHANNEL] = CommandMessage
    return {name: schema_of(name, model) for name, model in models.items()}


def _bilingual(node: Any) -> Any:
    """Descriptions written as catalogue codes, put into words for the published files: the
    schema is read by device makers in either language, so it carries both."""
    if isinstance(node, dict):
        return {
            k: both(v)
            if k == "description" and isinstance(v, str) and v in catalogue("zh_CN")
            else _bilingual(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_bilingual(v) for v in node]
    return node


def schema_of(name: str, model: type[BaseModel]) -> dict:
    """The published JSON Schema of one message model (draft 2020-12, a stable `$id`)."""
    schema = _bilingual(model.model_json_schema(mode="validation"))
    schema["$id"] = f"urn:pingan:device-protocol:v1:{name}"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
