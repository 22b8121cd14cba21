"""The `pingan` command: serve, demo, db, user, unit, roster, identity, audit, plan."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.deployment.cli import plan_app
from pingan.devices.cli import devices_app
from pingan.fraud.cli import fraud_app
from pingan.i18n import Msg, cli_lang, set_lang, stored_text, text, use_lang
from pingan.kinship.cli import kinship_app
from pingan.kinship.match_cli import app as kinship_match_app
from pingan.rosters.cli import roster_app
from pingan.trust.certificates.cli import cert_app
from pingan.trust.identity.cli import identity_app
from pingan.trust.signing.cli import trust_app
from pingan.trust.unlock.cli import unlock_app
from pingan.units.cli import unit_app
from pingan.visits.cli import visits_app

if TYPE_CHECKING:
    from datetime import datetime

    from pingan.audit.chain import VerifyResult
    from pingan.audit.models import AuditHead
    from pingan.db.engine import Database
    from pingan.demo import SimConfig
    from pingan.pii.vault import Vault

DEFAULT_SEED = 20260728  # as pingan.sim.visitors.DEFAULT_SEED (not imported: numpy at start-up)
# the sample city's fleet for `demo` and `simulate`
FleetOption = Annotated[
    str | None,
    typer.Option(
        help="警力规模：article（样例排班表，日均446警力人次）或 small（18个单元）/ the "
        "fleet: article (the sample roster, 446 officer-shifts a day) or small (18 units); "
        "default PINGAN_DEMO_FLEET or article"
    ),
]

app = typer.Typer(help="平安 Pingan — 城市公安平台 / police platform", no_args_is_help=True)
db_app = typer.Typer(help="数据库 / store", no_args_is_help=True)
user_app = typer.Typer(help="用户 / users", no_args_is_help=True)
audit_app = typer.Typer(help="审计 / audit trail", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
geo_app = typer.Typer(help="路网 / road network", no_args_is_help=True)
report_app = typer.Typer(help="报表 / reports", no_args_is_help=True)
app.add_typer(geo_app, name="geo")
app.add_typer(report_app, name="report")
app.add_typer(devices_app, name="devices")
app.add_typer(plan_app, name="plan")
app.add_typer(unit_app, name="unit")
app.add_typer(roster_app, name="roster")
app.add_typer(trust_app, name="trust")
app.add_typer(identity_app, name="identity")
app.add_typer(cert_app, name="cert")
app.add_typer(unlock_app, name="unlock")
app.add_typer(fraud_app, name="fraud")
app.add_typer(visits_app, name="visits")
kinship_app.registered_commands += kinship_match_app.registered_commands  # search, power, report
app.add_typer(kinship_app, name="kinship")

DataDir = Annotated[Path | None, typer.Option(help="数据目录 / data directory (PINGAN_DATA_DIR)")]


def _settings(data_dir: Path | None = None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


@app.callback()
def _language(ctx: typer.Context) -> None:
    """The command speaks one language: PINGAN_LANG, else the locale (C/POSIX: Chinese);
    for the length of the command only (a test process runs many)."""
    ctx.with_resource(use_lang(cli_lang()))


def _fail(message: Msg | str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


def _fleet(fleet: str | None) -> str | None:
    if fleet not in (None, "article", "small"):
        _fail(Msg("cli.unknown_fleet", {"fleet": fleet}))
    return fleet


def _serve(
    settings: Settings,
    host: str,
    port: int,
    sim_config: SimConfig | None = None,
    *,
    demo: bool = False,
) -> None:
    import uvicorn

    from pingan import jobs
    from pingan.app import create_app
    from pingan.bus.registry import load_handlers
    from pingan.bus.worker import Backbone

    app_ = create_app(settings)
    app_.state.city.warm_in_background()
    # The outbox relay runs beside the server; in-process mode also runs the handlers here.
    load_handlers()
    backbone = Backbone(
        settings,
        app_.state.db,
        consumers=not settings.bus_url,
        observers=[app_.state.live.attach().publish],
    ).start()
    timer = jobs.start(settings, app_.state.db)  # silent sensors, video patrol
    banks = None
    if demo:  # stop orders go to the bank simulator in process (the demo's banks)
        from pingan.demo import use_demo_banks

        banks = use_demo_banks(settings, app_)
    sim = None
    if sim_config is not None:  # the demo's simulated day, beside the server
        from pingan.demo import start_day

        # the device hub appears when the server's lifespan starts it; until then robots wait
        sim = start_day(
            settings, app_.state.db, sim_config,
            lambda: getattr(app_.state, "device_hub", None), banks=banks,
        )  # fmt: skip
    try:
        uvicorn.run(app_, host=host, port=port, log_level="info")
    finally:
        if sim is not None:
            sim.stop()
        if timer is not None:
            timer.stop()
        backbone.stop()


def _open(settings: Settings, *, chain: bool = True) -> tuple[Database, Vault]:
    """The store with its checked key (exit 2 with the reason if the key does not fit);
    `chain=False` for commands that must run on a tampered trail (verify, backup)."""
    from pingan.store import StoreKeyError, open_store

    try:
        return open_store(settings, chain=chain)
    except StoreKeyError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _existing_store(settings: Settings) -> Database:
    """The store to report on; a data directory without one is said plainly (exit 2), not
    answered with a database traceback."""
    from pingan.db.engine import Database
    from pingan.db.migrate import current_revision

    db = Database(settings.resolved_database_url)
    if current_revision(db.engine) is None:
        db.dispose()
        _fail(text("cli.no_store"))
    return db


def _report_problems(title: str, problems: list[str]) -> None:
    heading = text("cli.problems", title=title, n=len(problems))
    typer.secho(heading, err=True, fg=typer.colors.RED)
    for problem in problems[:50]:
        typer.echo(f"  - {problem}", err=True)


def _verified_chain(settings: Settings, broken: str) -> tuple[VerifyResult, AuditHead]:
    """Verify the store's chain against its signed checkpoints (on a tampered store too);
    exit 1 with `broken` and the problems when it does not hold."""
    from pingan.audit import service
    from pingan.audit.checkpoints import CheckpointBook

    db, _ = _open(settings, chain=False)
    try:
        with db.session() as session:
            result = service.verify(session, CheckpointBook.for_settings(settings))
            head = service.current_head(session)
    finally:
        db.dispose()
    if not result.ok:
        _report_problems(broken, result.problems)
        raise typer.Exit(code=1)
    return result, head


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """把数据库迁移到最新版本 / migrate the store to the newest schema (rechains an old,
    unkeyed audit chain under the key once, after checking it)."""
    from pingan import store
    from pingan.db import migrate

    settings = _settings(data_dir)
    db, vault = _open(settings)
    try:
        before = migrate.current_revision(db.engine)
        rechained = store.upgrade(db, settings, vault)
        after = migrate.current_revision(db.engine)
        if before == after:
            typer.echo(text("cli.db.current", revision=after, dialect=db.dialect))
        elif before is None:
            typer.echo(text("cli.db.created", revision=after, dialect=db.dialect))
        else:
            typer.echo(text("cli.db.migrated", before=before, after=after))
    finally:
        db.dispose()
    if not rechained.ok:
        _report_problems(text("cli.db.old_chain_broken"), rechained.problems)
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址 / bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """启动服务（先执行 db upgrade）/ serve the API and web UI (run `db upgrade` first)."""
    _serve(_settings(data_dir), host, port)


@app.command()
def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    data_dir: Annotated[Path, typer.Option(help="演示数据目录 / demo data directory")] = Path(
        "pingan-demo"
    ),
    reset: Annotated[
        bool, typer.Option(help="清空并重建演示数据 / rebuild the demo store")
    ] = False,
    no_serve: Annotated[bool, typer.Option(help="只建库不启动 / build only")] = False,
    day: Annotated[str, typer.Option(help="normal（约2万人）/ holiday（约5万人）")] = "holiday",
    speed: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            help="模拟时钟倍速，从开始到追上当前时间（默认：以30倍速回放3小时的晚高峰再转实时）/ "
            "the simulated clock runs at N× real time from the start until it reaches the "
            "present, then in real time (default: a 3-hour evening rush replayed at 30×, "
            "then live)",
        ),
    ] = None,
    rewind_minutes: Annotated[
        float | None,
        typer.Option(
            help="模拟从几分钟前开始（给出倍速时默认：倍速1时30分钟并尽快追上；倍速N时 (N-1)×60 "
            "分钟，即按N倍速运行一小时，最多23小时）/ start the simulated clock N minutes ago "
            "(with --speed, default: 30 replayed flat out at speed 1; (N-1)×60 at speed N, "
            "i.e. an hour of N× time, at most 23 h)"
        ),
    ] = None,
    tick: Annotated[
        float,
        typer.Option(
            help="每步模拟秒数（5秒：30倍速回放时每秒6步）/ simulated seconds per step (5: six "
            "steps a second keep the 30× replay)"
        ),
    ] = 5.0,
    busy: Annotated[
        float | None,
        typer.Option(
            help="警情率倍数（默认：回放晚高峰时4，给出倍速时1）/ incident rate multiplier "
            "(default: 4 with the evening replay, 1 with --speed or --rewind-minutes)"
        ),
    ] = None,
    auto_dispatch: Annotated[
        bool, typer.Option(help="模拟调度员自动派警 / a simulated dispatcher sends units")
    ] = True,
    simulate: Annotated[bool, typer.Option(help="运行模拟的一天 / run the simulated day")] = True,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = DEFAULT_SEED,
    fleet: FleetOption = None,
) -> None:
    """建立演示库（示例用户、警力、警情）并启动 / build a demo store and serve it."""
    from pingan.demo import DEMO_IDENTITY, build_demo
    from pingan.trust.identity.adapters import OUTBOX_FILE

    settings = Settings(data_dir=data_dir, database_url=None)
    if "identity_sms_sender" not in settings.model_fields_set:
        # one-time codes go to <data dir>/sms-outbox.txt, where someone trying the demo reads them
        settings = settings.model_copy(update={"identity_sms_sender": "outbox"})
    accounts = build_demo(settings, reset=reset, fleet=_fleet(fleet))
    if accounts:
        typer.echo(text("cli.demo.accounts"))
        for username, role, password in accounts:
            typer.echo(f"  {username:<12} {role:<11} {password}")
        typer.echo(text("cli.demo.identity", name=DEMO_IDENTITY[0], id_number=DEMO_IDENTITY[1]))
    else:
        typer.echo(text("cli.demo.existing", path=data_dir))
    if settings.identity_sms_sender == "outbox":
        typer.echo(text("cli.demo.sms_outbox", path=data_dir / OUTBOX_FILE))
    typer.echo(
        text("cli.demo.open", url=f"http://{host}:{port}/")
        + f"  ·  API: http://{host}:{port}/api/docs"
    )
    if no_serve:
        return
    sim_config = None
    if simulate:
        from pingan.demo import live_day

        try:
            sim_config, started = live_day(
                _day_kind(day), speed=speed, rewind_minutes=rewind_minutes, busy=busy,
                auto_dispatch=auto_dispatch, seed=seed, tick_s=tick,
            )  # fmt: skip
        except ValueError as exc:
            _fail(str(exc))
        typer.echo(started)
    _serve(settings, host, port, sim_config, demo=True)


def _day_kind(day: str) -> str:
    from pingan.demo import DAY_KINDS

    if day not in DAY_KINDS:
        _fail(Msg("cli.unknown_day", {"day": day, "known": list(DAY_KINDS)}))
    return day


@app.command()
def simulate(
    day: Annotated[str, typer.Option(help="normal（约2万人）/ holiday（约5万人）")] = "normal",
    hours: Annotated[float, typer.Option(help="模拟最近几小时 / simulate the last N hours")] = 24.0,
    report: Annotated[bool, typer.Option(help="打印当日数据 / print the day's figures")] = False,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = DEFAULT_SEED,
    busy: Annotated[float, typer.Option(help="警情率倍数 / incident rate multiplier")] = 1.0,
    tick: Annotated[float, typer.Option(help="每步模拟秒数 / simulated seconds per step")] = 15.0,
    speed: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            help="模拟时钟倍速（默认尽快）/ the simulated clock at N× real time throughout "
            "(default: as fast as the store allows)",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="数据目录（默认临时目录）/ store directory (default: a temporary one)"),
    ] = None,
    fleet: FleetOption = None,
) -> None:
    """无界面快速模拟一天并出报表 / simulate a day headless, faster than real time."""
    import tempfile
    import time

    from pingan.demo import build_demo, simulate_day

    if not 0 < hours <= 24:
        _fail(text("cli.simulate.bad_hours"))
    kind = _day_kind(day)
    with tempfile.TemporaryDirectory(prefix="pingan-sim-") as tmp:
        # a given directory keeps PINGAN_DATABASE_URL; the temporary store is always SQLite
        settings = (
            Settings(data_dir=data_dir)
            if data_dir
            else Settings(data_dir=Path(tmp), database_url=None)
        )
        build_demo(settings, sample_incidents=False, fleet=_fleet(fleet))
        started = time.perf_counter()
        result = simulate_day(settings, kind, hours, seed=seed, busy=busy, tick_s=tick, speed=speed)
        took = time.perf_counter() - started
    if report:
        for line in result.lines():
            typer.echo(line)
    speedup = f"{hours * 3600 / took:.0f}"
    typer.echo(text("cli.simulate.took", s=f"{took:.1f}", hours=f"{hours:g}", speedup=speedup))


@app.command()
def worker(
    consumer: Annotated[
        list[str] | None,
        typer.Option(help="只运行这些订阅者（可重复）/ run only these consumers (repeatable)"),
    ] = None,
    load: Annotated[
        list[str] | None,
        typer.Option(help="另外加载的处理模块 / extra handler modules to import (repeatable)"),
    ] = None,
    relay: Annotated[
        bool, typer.Option(help="同时运行发件箱投递 / also run the outbox relay")
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """运行事件投递与订阅者，直到 SIGTERM / run the outbox relay and event consumers."""
    import logging

    from pingan.bus.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_worker(_settings(data_dir), relay=relay, only=consumer or None, extra_modules=load or ())


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="角色 / role")],
    display_name: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="从标准输入读取密码 / read the password from stdin")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """新建用户（首个管理员由此创建）/ add a user; the first admin is created this way."""
    from pingan.auth import service
    from pingan.auth.actor import Actor
    from pingan.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(text("cli.user.password"))
        if getpass.getpass(text("cli.user.again")) != password:
            _fail(text("cli.user.passwords_differ"))
    settings = _settings(data_dir)
    db, vault = _open(settings)
    try:
        with db.session() as session:
            user = service.create_user(
                session,
                Actor.system("cli"),
                vault,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                phone=phone,
            )
            typer.echo(text("cli.user.created", username=user.username, role=user.role, id=user.id))
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None) -> None:
    """校验审计链与签名检查点 / check the keyed chain and the signed checkpoints (exit 1 if
    broken)."""
    from pingan.audit.checkpoints import CheckpointBook

    settings = _settings(data_dir)
    result, _ = _verified_chain(settings, text("cli.audit.broken"))
    signed = len(CheckpointBook.for_settings(settings).load()[0])
    typer.echo(text("cli.audit.intact", checked=result.checked, signed=signed))


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDir = None) -> None:
    """签名记录当前审计链头 / sign the chain's head into the checkpoint file (outside the
    store; copy it elsewhere too). Refuses when the chain does not verify."""
    from pingan.audit.checkpoints import CheckpointBook
    from pingan.db.base import utcnow

    settings = _settings(data_dir)
    _, head = _verified_chain(settings, text("cli.audit.broken_not_signing"))
    book = CheckpointBook.for_settings(settings)
    cp = book.sign(head.seq, head.hash, utcnow().isoformat())
    typer.echo(text("cli.audit.signed", seq=cp.seq, hash=cp.hash[:16], path=book.path))
    typer.echo(text("cli.audit.public_key", key=cp.key))


@audit_app.command("rechain")
def audit_rechain(
    accept_broken: Annotated[
        bool,
        typer.Option(help="旧链已损坏也重建（记录在审计中）/ rechain a broken old chain as is"),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """把升级前未加密钥的审计链按密钥重建 / key an old plain SHA-256 chain (once)."""
    from pingan import store

    settings = _settings(data_dir)
    db, _ = _open(settings)
    try:
        result = store.rechain(db, settings, accept_broken=accept_broken)
    finally:
        db.dispose()
    if not result.ok and not accept_broken:
        _report_problems(text("cli.audit.not_rechained"), result.problems)
        raise typer.Exit(code=1)
    typer.echo(text("cli.audit.keyed", problems=len(result.problems)))


@app.command("backup")
def backup_cmd(
    dest: Annotated[Path, typer.Argument(help="新备份目录 / a new, empty backup folder")],
    keys: Annotated[
        bool, typer.Option(help="同时备份密钥 / include the keys and checkpoints")
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """在线备份数据库及密钥 / back up the store (online) with its keys."""
    from pingan import backup

    settings = _settings(data_dir)
    db, vault = _open(settings, chain=False)
    try:
        manifest = backup.backup(settings, db, vault, dest, keys=keys)
    except backup.BackupError as exc:
        _fail(str(exc))
    finally:
        db.dispose()
    typer.echo(
        text("cli.backup.done", dialect=manifest.dialect, revision=manifest.revision, dest=dest)
    )
    for name in manifest.files:
        typer.echo(f"  {name}")


@app.command("restore")
def restore_cmd(
    source: Annotated[Path, typer.Argument(help="备份目录 / the backup folder")],
    force: Annotated[
        bool, typer.Option(help="替换已有的存储与密钥 / replace an existing store and keys")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """从备份恢复并校验 / restore a backup, then check its key and audit chain."""
    from pingan import backup

    settings = _settings(data_dir)
    try:
        manifest = backup.restore(source, settings, force=force)
    except backup.BackupError as exc:
        _fail(str(exc))
    # the restored store must open with the restored key, and its chain hold
    result, _ = _verified_chain(settings, text("cli.restore.chain_fails"))
    typer.echo(
        text(
            "cli.restore.done",
            dialect=manifest.dialect,
            created=manifest.created_at,
            checked=result.checked,
        )
    )


@geo_app.command("import")
def geo_import(
    osm_file: Annotated[Path, typer.Argument(help="OSM 文件 (.osm / .osm.pbf)")],
    out: Annotated[Path, typer.Option(help="输出目录 / where to write the graphs")] = Path("."),
    modes: Annotated[str, typer.Option(help="出行方式 / modes, comma-separated")] = (
        "drive,walk,bike"
    ),
) -> None:
    """把 OSM 路网编译为紧凑图文件 / compile an OSM extract into graph files per mode."""
    import time

    from pingan.geo.graph import GraphError
    from pingan.geo.osm_import import import_osm

    if not osm_file.is_file():
        _fail(text("cli.no_such_file", path=osm_file))
    started = time.perf_counter()
    try:
        graphs = import_osm(osm_file, tuple(m.strip() for m in modes.split(",") if m.strip()))
    except GraphError as exc:
        _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    for mode, graph in graphs.items():
        path = graph.save(out / f"{osm_file.name.split('.')[0]}.{mode}.npz")
        typer.echo(
            text(
                "cli.geo.graph",
                mode=f"{mode:<6}",
                nodes=f"{graph.n_nodes:>8}",
                arcs=f"{graph.n_arcs:>8}",
                path=path,
            )
        )
    took = f"{time.perf_counter() - started:.2f}"
    licence = graph.meta["licence"]  # a catalogue code for the sample city, else the OSM text
    typer.echo(text("cli.geo.took", s=took, licence=stored_text(licence, licence)))


@report_app.command("response")
def report_response(
    by: Annotated[
        str,
        typer.Option(
            help="all / area / type / priority / shift / day (首到 first arrival); "
            "tier / area_type / shift / hour / priority (分级 tiers)"
        ),
    ] = "all",
    days: Annotated[int, typer.Option(help="最近几天 / last N days")] = 7,
    data_dir: DataDir = None,
) -> None:
    """1-3-5分钟到场统计 / response-time compliance from stored timestamps: the first arrival,
    then the tiers (first force, support, run card filled) from the call and the dispatch order."""
    from datetime import timedelta

    from pingan.auth.actor import Actor
    from pingan.db.base import utcnow
    from pingan.dispatch.kpi import GROUPINGS
    from pingan.dispatch.service import eta_report, response_report
    from pingan.dispatch.tier_report import tier_report
    from pingan.dispatch.tiers import TIER_GROUPINGS
    from pingan.errors import DomainError
    from pingan.geo.city import configured_key_areas

    if by not in GROUPINGS and by not in TIER_GROUPINGS:
        known = list(dict.fromkeys([*GROUPINGS, *TIER_GROUPINGS]))
        _fail(text("cli.report.unknown_grouping", by=by, known=known))
    settings = _settings(data_dir)
    try:
        key_areas, _ = configured_key_areas(settings.city_osm, settings.city_areas)
    except ValueError as exc:
        _fail(text("cli.report.bad_key_areas", error=exc))
    db = _existing_store(settings)
    actor = Actor.system("cli")
    try:
        with db.session() as session:
            since = utcnow() - timedelta(days=days)
            first_by = by if by in GROUPINGS else "all"
            rows = response_report(session, actor, since=since, until=None, by=first_by)
            eta = eta_report(session, actor, since=since, until=None)
            tier_by = by if by in TIER_GROUPINGS else "tier"
            tiers = tier_report(session, actor, key_areas, since=since, until=None, by=tier_by)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()
    typer.echo(text("cli.report.first_arrival"))
    head = [text(f"cli.report.col.{c}") for c in ("group", "incidents", "responded")]
    head += [text(f"cli.report.col.{c}") for c in ("verified", "accepted", "1min", "3min")]
    typer.echo(
        f"{head[0]:<22}{head[1]:>6}{head[2]:>6}{head[3]:>6}{head[4]:>6}{head[5]:>8}{head[6]:>8}"
        f"{text('cli.report.col.5min'):>8}{'P50':>8}{'P90':>8}"
    )
    from pingan.dispatch.kpi import eta_text, seconds_text, share_text
    from pingan.dispatch.tiers import tier_table

    for r in rows:
        typer.echo(
            f"{r.group:<22}{r.incidents:>6}{r.responded:>6}{r.verified:>6}{r.overridden:>6}"
            f"{share_text(r.within['tier1']):>8}{share_text(r.within['tier3']):>8}"
            f"{share_text(r.within['tier5']):>8}{seconds_text(r.p50_s):>8}"
            f"{seconds_text(r.p90_s):>8}"
        )
    typer.echo(text("cli.report.verified_only"))
    typer.echo(eta_text(eta))
    typer.echo("")
    for line in tier_table(tiers):
        typer.echo(line)


def _instant(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with its offset, or exit 2 with the reason."""
    from datetime import datetime

    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        _fail(text("cli.bad_time", name=name, error=exc))
    if at.tzinfo is None:
        _fail(text("cli.naive_time", name=name))
    return at


@report_app.command("planned")
def report_planned(
    since: Annotated[
        str | None, typer.Option(help="起，ISO 8601 带时区 / since, with a UTC offset")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="止，ISO 8601 带时区 / until, with a UTC offset")
    ] = None,
    days: Annotated[int, typer.Option(help="未给 --since 时：最近几天 / else last N days")] = 1,
    data_dir: DataDir = None,
) -> None:
    """计划与实际覆盖对比 / the plans' expected coverage vs realized arrivals per tier."""
    from datetime import timedelta

    from pingan.auth.actor import Actor
    from pingan.db.base import utcnow
    from pingan.deployment.realized import planned_lines, planned_vs_realized
    from pingan.errors import DomainError

    start = _instant(since, "--since") or utcnow() - timedelta(days=days)
    end = _instant(until, "--until")
    if end is not None and end <= start:
        _fail(text("cli.until_before_since"))
    settings = _settings(data_dir)
    db = _existing_store(settings)
    try:
        with db.session() as session:
            p = planned_vs_realized(session, Actor.system("cli"), since=start, until=end)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()
    until_text = end.isoformat() if end else text("cli.now")
    typer.echo(text("cli.report.period", since=start.isoformat(), until=until_text))
    for line in planned_lines(p):
        typer.echo(line)


@report_app.command("services")
def report_services(
    days: Annotated[int, typer.Option(help="最近几天 / last N days")] = 365,
    area: Annotated[str | None, typer.Option(help="重点区域代码 / key-area code")] = None,
    data_dir: DataDir = None,
) -> None:
    """便民服务统计 / help services counted as the article counts them."""
    from datetime import timedelta

    from pingan.auth.actor import Actor
    from pingan.db.base import utcnow
    from pingan.services.stats import service_stats

    settings = _settings(data_dir)
    db = _existing_store(settings)
    until = utcnow() + timedelta(seconds=1)
    try:
        with db.session() as session:
            s = service_stats(
                session,
                Actor.system("cli"),
                since=until - timedelta(days=days),
                until=until,
                area=area,
            )
    finally:
        db.dispose()
    from pingan.dispatch.kpi import share_text

    rate = share_text(s.return_rate)
    hours = "-" if s.time_to_return_h_median is None else f"{s.time_to_return_h_median:.1f} h"
    for label, value in (
        ("cars_found", s.cars_found),
        ("items_returned", s.items_returned),
        ("found_items", s.found_items),
        ("lost_reports", s.lost_reports),
        ("return_rate", rate),
        ("time_to_return", hours),
        ("missing_found", s.missing_found),
        ("missing_reported", s.missing_reported),
        ("breakdowns_helped", s.breakdowns_helped),
        ("breakdowns_requested", s.breakdowns_requested),
    ):
        typer.echo(f"{text(f'cli.services.{label}'):<40}{value!s:>10}")


def main() -> None:
    """The entry point: a key that does not fit the store stops any command with the reason."""
    from pingan.store import StoreKeyError

    set_lang(cli_lang())
    try:
        app()
    except StoreKeyError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        sys.exit(2)


if __name__ == "__main__":
    main()
