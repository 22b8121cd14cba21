"""`pingan devices …`: run the gateway, simulate a fleet, write the protocol's JSON Schemas."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text

devices_app = typer.Typer(help="设备 / devices: gateway, simulator, protocol", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option(help="数据目录 / data directory (PINGAN_DATA_DIR)")]
SCHEMA_DIR = Path("docs/device-protocol")


def _database(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from pingan.config import Settings
    from pingan.store import open_store

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    return open_store(settings)[0]  # the audit trail is keyed with the store's key


@contextmanager
def _until_signal() -> Iterator[threading.Event]:
    """An event set by SIGINT/SIGTERM, for a clean stop; the old handlers come back after."""
    stop = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@devices_app.command("gateway")
def gateway(
    stats_every: Annotated[
        float, typer.Option(help="每隔几秒输出统计 / print statistics every N seconds")
    ] = 10.0,
    data_dir: DataDir = None,
) -> None:
    """运行MQTT设备网关（需 PINGAN_MQTT_URL）/ run the MQTT device gateway until SIGTERM."""
    from pingan.devices.config import DeviceSettings
    from pingan.devices.hub import DeviceHub

    settings = DeviceSettings()
    if not settings.mqtt_url:
        typer.secho(text("cli.devices.set_mqtt_url"), err=True, fg="red")
        raise typer.Exit(code=2)
    db = _database(data_dir)
    hub = DeviceHub(db, settings).start()
    typer.echo(text("cli.devices.gateway_running", broker=f"{hub.gateway.host}:{hub.gateway.port}"))
    try:
        with _until_signal() as stop:
            while not stop.wait(stats_every):
                typer.echo(json.dumps(hub.stats(), ensure_ascii=False))
    finally:
        hub.stop()
        db.dispose()


@devices_app.command("simulate")
def simulate(
    n: Annotated[int, typer.Option("--n", min=1, max=100_000, help="设备数 / devices")] = 2000,
    hz: Annotated[float, typer.Option(min=0.1, max=50, help="上报频率 / reports per s")] = 5.0,
    duration: Annotated[
        float | None, typer.Option(help="运行秒数，缺省一直运行 / seconds; default: until Ctrl-C")
    ] = None,
    mqtt: Annotated[
        str | None, typer.Option(help="消息服务器 / broker URL (default PINGAN_MQTT_URL)")
    ] = None,
    prefix: Annotated[str, typer.Option(help="序列号前缀 / serial prefix")] = "SIM",
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 7,
    register: Annotated[
        bool, typer.Option(help="先在库中登记这些设备 / register the devices in the store first")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """模拟设备上报（康巴什）/ simulate devices moving around Kangbashi over MQTT."""
    from pingan.devices.config import DeviceSettings
    from pingan.devices.fleet import Fleet, plan
    from pingan.devices.simulator import simulate as run

    url = mqtt or DeviceSettings().mqtt_url or "mqtt://127.0.0.1:1883"
    devices = plan(n, prefix)
    if register:
        db = _database(data_dir)
        added = register_fleet(db, devices)
        db.dispose()
        typer.echo(text("cli.devices.registered", n=added))
    fleet = Fleet(devices, seed=seed)
    typer.echo(text("cli.devices.simulating", n=n, hz=hz, streets=fleet.streets_source, url=url))
    with _until_signal() as stop:
        report = run(fleet, url, hz=hz, duration_s=duration, stop=stop)
    typer.echo(
        text(
            "cli.devices.sent",
            telemetry=report.telemetry,
            rate=f"{report.rate:.0f}",
            status=report.status,
            acks=report.acks,
            seconds=f"{report.seconds:.1f}",
        )
    )


def register_fleet(db, devices: list[tuple[str, str]]) -> int:  # type: ignore[no-untyped-def]
    """Register the simulated devices that are not yet in the store (as `simulator`)."""
    from sqlalchemy import select

    from pingan.auth.actor import Actor
    from pingan.devices import service
    from pingan.devices.models import Device

    actor = Actor.system("simulator")
    with db.session() as session:
        known = set(session.execute(select(Device.serial)).scalars())
        todo = [(s, k) for s, k in devices if s not in known]
        for serial, kind in todo:
            service.register_device(session, actor, serial=serial, kind=kind)
    return len(todo)


@devices_app.command("schemas")
def schemas(
    out: Annotated[Path, typer.Option(help="输出目录 / output folder")] = SCHEMA_DIR,
    check: Annotated[
        bool, typer.Option(help="只检查文件是否最新 / only check the files are current")
    ] = False,
) -> None:
    """生成设备协议的 JSON Schema / write the device protocol's JSON Schema files."""
    from pingan.devices import protocol, topics

    stale = []
    for name, schema in (protocol.json_schemas() | topics.json_schemas()).items():
        path = out / f"{name}.schema.json"
        body = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        if check:
            if not path.is_file() or path.read_text("utf-8") != body:
                stale.append(str(path))
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(body, "utf-8")
        typer.echo(text("cli.devices.wrote", path=path))
    if stale:
        typer.secho(text("cli.devices.stale", files=stale), err=True, fg="red")
        raise typer.Exit(code=1)
