"""HTTP adapter for devices: registry, commands, live state, gateway statistics, and the
HTTP ingest path for sites without an MQTT broker (same validation and counters)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool

from pingan.auth.actor import Actor
from pingan.devices import service
from pingan.devices.config import DeviceSettings
from pingan.devices.freshness import Freshness
from pingan.devices.hub import DeviceHub
from pingan.devices.protocol import INBOUND, REASON_NAMES_ZH, Channel, Reason, Rejected
from pingan.devices.schemas import (
    Binding,
    CommandCreate,
    CommandPublic,
    DeviceCreate,
    DevicePublic,
    Fix,
    IngestResult,
    LiveView,
)
from pingan.errors import DomainError, NotFound, ValidationFailed
from pingan.http.deps import SessionDep, permit
from pingan.http.inputs import Id, Instant
from pingan.http.paging import Limit, Offset, Page

_hub_lock = threading.Lock()


def _settings(app: FastAPI) -> DeviceSettings:
    settings = getattr(app.state, "device_settings", None)
    if settings is None:
        settings = app.state.device_settings = DeviceSettings()
    return settings


def _hub(app: FastAPI, *, load_now: bool = False) -> DeviceHub:
    """The app's hub. Created by the lifespan; an app run without one (a test client used
    outside `with`) gets one on first use, whose registry loads in the background: inside a
    request, SQLite's write lock is held by the request's own session."""
    hub = getattr(app.state, "device_hub", None)
    if hub is None:
        with _hub_lock:
            hub = getattr(app.state, "device_hub", None)
            if hub is None:
                hub = DeviceHub(app.state.db, _settings(app)).start(load_registry=load_now)
                app.state.device_hub = hub
    return hub


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the hub (and the MQTT gateway when PINGAN_MQTT_URL is set) with the app.

    Started here rather than on first use: starting reads the registry, which must not wait
    on a request's own SQLite write lock.
    """
    app.state.device_hub = None
    await run_in_threadpool(lambda: _hub(app, load_now=True))
    yield
    hub = app.state.device_hub
    if hub is not None:
        await run_in_threadpool(hub.stop)
        app.state.device_hub = None


def get_hub(request: Request) -> DeviceHub:
    return _hub(request.app)


HubDep = Annotated[DeviceHub, Depends(get_hub)]

router = APIRouter(prefix="/devices", tags=["devices 设备"], lifespan=lifespan)


class PayloadTooLarge(DomainError):
    status = 413
    code = "oversized"


def _refusal(exc: Rejected) -> DomainError:
    detail = f"{REASON_NAMES_ZH[exc.reason]} / {exc.reason.value}" + (
        f": {exc.detail}" if exc.detail else ""
    )
    if exc.reason in (Reason.UNKNOWN_DEVICE, Reason.UNKNOWN_COMMAND):
        return NotFound(detail, code=exc.reason.value)
    if exc.reason is Reason.OVERSIZED:
        return PayloadTooLarge(detail)
    return ValidationFailed(detail, code=exc.reason.value)


@router.get("", summary="设备列表 / list devices")
def list_devices(
    session: SessionDep,
    actor: Annotated[Actor, permit("device.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    kind: str | None = None,
    unit_id: Id | None = None,
) -> Page[DevicePublic]:
    rows, total = service.list_devices(
        session, kind=kind, unit_id=unit_id, limit=limit, offset=offset
    )
    return Page[DevicePublic](
        items=[DevicePublic.model_validate(d) for d in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("", status_code=201, summary="登记设备 / register a device")
def register_device(
    body: DeviceCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.write")],
    hub: HubDep,
) -> DevicePublic:
    device = service.register_device(
        session, actor, serial=body.serial, kind=body.kind, name=body.name, unit_id=body.unit_id
    )
    hub.registry_changed()
    return DevicePublic.model_validate(device)


@router.get("/live", summary="实时态势：设备与警力最新位置 / live positions of devices and units")
def live(
    actor: Annotated[Actor, permit("device.read")],
    hub: HubDep,
    kind: str | None = None,
    freshness: Annotated[list[Freshness] | None, Query()] = None,
) -> LiveView:
    devices, units = hub.live_view()
    counts = {f.value: 0 for f in Freshness}
    for d in devices:
        counts[d["freshness"]] += 1
    if kind:
        devices = [d for d in devices if d["kind"] == kind]
    if freshness:
        wanted = {f.value for f in freshness}
        devices = [d for d in devices if d["freshness"] in wanted]
    return LiveView.model_validate({"devices": devices, "units": units, "counts": counts})


@router.get("/gateway/stats", summary="网关统计：接收、拒收原因、延迟 / gateway counters")
def gateway_stats(actor: Annotated[Actor, permit("device.read")], hub: HubDep) -> dict[str, Any]:
    return hub.stats()


@router.get("/{serial}", summary="设备详情 / one device")
def get_device(
    serial: str, session: SessionDep, actor: Annotated[Actor, permit("device.read")]
) -> DevicePublic:
    return DevicePublic.model_validate(service.get_device(session, serial))


@router.put("/{serial}/unit", summary="绑定警力 / bind to a unit")
def bind(
    serial: str,
    body: Binding,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.write")],
    hub: HubDep,
) -> DevicePublic:
    device = service.bind_device(session, actor, serial, body.unit_id)
    hub.registry_changed()
    return DevicePublic.model_validate(device)


@router.delete("/{serial}/unit", summary="解除绑定 / unbind from its unit")
def unbind(
    serial: str,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.write")],
    hub: HubDep,
) -> DevicePublic:
    device = service.bind_device(session, actor, serial, None)
    hub.registry_changed()
    return DevicePublic.model_validate(device)


@router.post("/{serial}/commands", status_code=202, summary="下发指令 / send a command")
def send_command(
    serial: str,
    body: CommandCreate,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.command")],
    hub: HubDep,
) -> CommandPublic:
    row = service.issue_command(
        session,
        actor,
        serial,
        body.command,
        timeout_s=body.timeout_s or hub.settings.device_command_timeout_s,
    )
    return CommandPublic.model_validate(row)


@router.get("/{serial}/commands", summary="指令记录 / commands sent to the device")
def list_commands(
    serial: str,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.read")],
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CommandPublic]:
    rows, total = service.list_commands(session, serial, limit=limit, offset=offset)
    return Page[CommandPublic](
        items=[CommandPublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{serial}/track", summary="轨迹回放 / position history")
def track(
    serial: str,
    session: SessionDep,
    actor: Annotated[Actor, permit("device.read")],
    since: Instant | None = None,
    until: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[Fix]:
    rows = service.track(session, serial, since=since, until=until, limit=limit)
    return [
        Fix(
            at=r.at,
            lon=r.lon_e6 / 1e6,
            lat=r.lat_e6 / 1e6,
            speed_mps=None if r.speed_dms is None else r.speed_dms / 10,
            battery_pct=r.battery_pct,
            unit_id=r.unit_id,
        )
        for r in rows
    ]


EXAMPLES: dict[Channel, dict[str, Any]] = {
    Channel.TELEMETRY: {
        "ts": "2026-07-28T20:15:03.200+08:00",
        "lon": 109.7812,
        "lat": 39.6071,
        "speed_mps": 8.3,
        "heading_deg": 92,
        "battery_pct": 76,
    },
    Channel.STATUS: {"ts": "2026-07-28T20:15:00+08:00", "state": "busy", "battery_pct": 76},
    Channel.ALERT: {
        "ts": "2026-07-28T20:15:04+08:00",
        "type": "crowd_density",
        "level": "warning",
        "lon": 109.7801,
        "lat": 39.5949,
        "count": 1850,
    },
    Channel.ACK: {
        "ts": "2026-07-28T20:15:05+08:00",
        "command_id": "0b6f3c0e-4c1f-4a47-9d52-3f1f0c0f2a11",
        "result": "done",
    },
}


def _ingest_route(channel: Channel) -> None:
    async def ingest(
        serial: str,
        request: Request,
        session: SessionDep,
        actor: Annotated[Actor, permit("device.ingest")],
        hub: HubDep,
    ) -> IngestResult:
        raw = await request.body()
        try:
            # The request's session goes along: on SQLite it already holds the write lock.
            await run_in_threadpool(hub.ingestor.handle, serial, channel, raw, "http", session)
        except Rejected as exc:
            raise _refusal(exc) from None
        return IngestResult(serial=serial, channel=channel.value)

    model = INBOUND[channel]
    router.add_api_route(
        f"/{{serial}}/{channel.value}",
        ingest,
        methods=["POST"],
        status_code=202,
        response_model=IngestResult,
        summary=f"HTTP上报 {channel.value} / report {channel.value} over HTTP",
        description=f"{model.__doc__}\n\n与MQTT主题 pingan/v1/devices/{{serial}}/{channel.value} "
        "相同的消息与校验，见 docs/device-protocol.md / the same message and checks as the "
        "MQTT topic.",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "example": EXAMPLES[channel],
                    }
                },
            }
        },
        name=f"ingest_{channel.value}",
    )


for _channel in Channel:
    _ingest_route(_channel)
