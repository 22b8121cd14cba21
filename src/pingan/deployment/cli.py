"""`pingan plan …`: make, show, approve and export deployment plans from the command line.

Writes act as a named user (``--by``) so the role check and the audit trail name a person:
only a commander's account can approve.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import Msg, current_lang, text

plan_app = typer.Typer(help="布警方案 / deployment plans", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option(help="数据目录 / data directory (PINGAN_DATA_DIR)")]
By = Annotated[str, typer.Option("--by", help="操作人用户名 / acting user's username")]


def _fail(message: Msg | str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


@contextmanager
def _context(data_dir: Path | None) -> Iterator[tuple]:
    """(settings, session, city) for one command, with domain errors turned into exit 2."""
    from pingan.config import Settings
    from pingan.errors import DomainError
    from pingan.geo.city import load_city
    from pingan.store import open_store

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    db, _ = open_store(settings)  # the audit trail is keyed with the store's key
    try:
        with db.session() as session:
            yield (
                settings,
                session,
                lambda: load_city(
                    settings.city_osm, settings.city_areas, cache_dir=settings.data_dir / "graphs"
                ),
            )
    except (DomainError, ValueError) as exc:
        _fail(getattr(exc, "detail", str(exc)))
    finally:
        db.dispose()


def _actor(session, username: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from pingan.auth.actor import Actor
    from pingan.auth.models import User
    from pingan.auth.roles import Role

    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        _fail(text("cli.plan.no_active_user", username=username))
    return Actor(user.id, user.username, Role(user.role), "cli")


def _print(session, actor, plan) -> None:  # type: ignore[no-untyped-def]
    from pingan.deployment import service

    cov = "  ".join(f"{t} {100 * v:.1f}%" for t, v in plan.coverage.items())
    typer.echo(
        f"{text('cli.plan.plan')} #{plan.id}  {plan.plan_date} {plan.shift_code} v{plan.version}  "
        f"[{plan.status}]  {plan.solver} gap {100 * plan.gap:.3f}% "
        f"(mip_rel_gap {plan.mip_rel_gap})"
    )
    typer.echo(text("cli.plan.coverage", coverage=cov))
    for p in service.plan_posts(session, actor, plan.id):
        loop = f"  loop {p.loop['duration_s']:.0f}s" if p.loop else ""
        typer.echo(f"  {p.call_sign:<10}{p.unit_kind:<13}{p.site_name}{loop}")
    for u in plan.detail.get("unplaced", []):
        reason = u["reason_zh"] if current_lang() == "zh_CN" else u["reason_en"]
        typer.echo(f"  {u['call_sign']:<10}" + text("cli.plan.unplaced", reason=reason))


@plan_app.command("make")
def make(
    day: Annotated[str, typer.Option("--date", help="本地日期 / local date YYYY-MM-DD")],
    shift: Annotated[str, typer.Option(help="班次 / shift (day, night)")],
    by: By,
    solver: Annotated[str, typer.Option(help="exact / heuristic")] = "exact",
    lexicographic: Annotated[bool, typer.Option(help="逐级优先 / tier by tier")] = False,
    data_dir: DataDir = None,
) -> None:
    """生成一个班次的布警方案草案 / make a draft plan for a shift."""
    from pingan.deployment import service

    try:
        when = date.fromisoformat(day)
    except ValueError:
        _fail(text("cli.bad_date", value=day))
    with _context(data_dir) as (settings, session, city):
        actor = _actor(session, by)
        plan = service.make_plan(
            session,
            actor,
            city(),
            day=when,
            shift_code=shift,
            posts_path=settings.city_posts,
            solver=solver,
            lexicographic=lexicographic,
        )
        _print(session, actor, plan)


@plan_app.command("show")
def show(plan_id: int, by: By, data_dir: DataDir = None) -> None:
    """显示方案 / show a plan with its posts."""
    from pingan.deployment import service

    with _context(data_dir) as (_settings, session, _city):
        actor = _actor(session, by)
        _print(session, actor, service.get_plan(session, actor, plan_id))


@plan_app.command("approve")
def approve(plan_id: int, by: By, data_dir: DataDir = None) -> None:
    """批准方案（指挥长）/ approve a plan (commander)."""
    from pingan.deployment import service

    with _context(data_dir) as (_settings, session, _city):
        actor = _actor(session, by)
        _print(session, actor, service.approve(session, actor, plan_id))


@plan_app.command("export")
def export_plan(
    plan_id: int,
    by: By,
    out: Annotated[Path, typer.Option(help="输出文件 (.csv/.pdf/.geojson) / output file")],
    data_dir: DataDir = None,
) -> None:
    """导出方案 / export a plan as CSV, PDF or GeoJSON (by the file's extension)."""
    import json

    from pingan.deployment import export, service

    kinds = {".csv": export.to_csv, ".pdf": export.to_pdf}
    if out.suffix not in (*kinds, ".geojson"):
        _fail(text("cli.plan.bad_extension"))
    with _context(data_dir) as (_settings, session, _city):
        actor = _actor(session, by)
        plan = service.get_plan(session, actor, plan_id)
        posts = service.plan_posts(session, actor, plan_id)
        if out.suffix == ".geojson":
            data = json.dumps(export.to_geojson(plan, posts), ensure_ascii=False).encode()
        else:
            data = kinds[out.suffix](plan, posts)
        out.write_bytes(data)
        typer.echo(text("cli.plan.exported", path=out, size=len(data)))
