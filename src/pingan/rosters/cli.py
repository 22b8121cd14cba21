"""`pingan roster …`: import the shift rosters a bureau fills in, and show a day's totals.

An import replaces the rosters of the shifts the file names, in one transaction: a file with
any bad line stores nothing. Writes act as a named commander (``--by``), audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _fail, _session

roster_app = typer.Typer(help="排班 / shift rosters", no_args_is_help=True)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        _fail(text("cli.bad_date", value=value))
    return None


@roster_app.command("import")
def import_roster(
    file: Annotated[Path, typer.Argument(help="排班文件 YAML 或 CSV / roster file")],
    by: By,
    day: Annotated[
        str | None, typer.Option("--date", help="日期，覆盖文件中的 / YYYY-MM-DD")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """导入排班表（替换文件所列班次）/ import a roster, replacing the shifts it lists."""
    from pingan.errors import DomainError
    from pingan.rosters import files, service

    try:
        roster = files.read_file(file)
    except DomainError as exc:
        _fail(exc.detail)
    when = _date(day) or roster.day
    if when is None:
        _fail(text("cli.roster.no_date"))
    with _session(data_dir) as session:
        totals = service.replace_shifts(session, _actor(session, by), when, roster.shifts)
    units = sum(totals.units.values())
    typer.echo(
        text("cli.roster.imported", day=when, units=units, officer_shifts=totals.officer_shifts)
    )


@roster_app.command("show")
def show(
    day: Annotated[str, typer.Option("--date", help="日期 / YYYY-MM-DD")],
    shift: Annotated[str | None, typer.Option(help="班次 / shift (day, night)")] = None,
    data_dir: DataDir = None,
) -> None:
    """排班合计：按班次与类型 / a day's roster totals by shift and kind."""
    from pingan.auth.actor import Actor
    from pingan.rosters import service

    when = _date(day)
    with _session(data_dir) as session:
        rows = service.list_roster(session, Actor.system("cli"), when, shift)  # type: ignore[arg-type]
    for line in render(rows):
        typer.echo(line)


def render(rows) -> list[str]:  # type: ignore[no-untyped-def]
    """The totals table: units and people per shift and kind, police first."""
    from pingan.rosters import service
    from pingan.units.catalogue import unit_kinds

    kinds = unit_kinds()
    totals = service.totals(rows)
    if not rows:
        return [text("cli.roster.none")]
    shift_h, kind_h, units_h, people_h = (
        text(f"cli.roster.col.{c}") for c in ("shift", "kind", "units", "people")
    )
    out = [f"{shift_h:<12}{kind_h:<22}{units_h:>12}{people_h:>13}"]
    for shift_code in dict.fromkeys(r.shift_code for r in rows):
        keys = sorted(
            (k for s, k in totals.units if s == shift_code),
            key=lambda k: (not (kinds.get(k) and kinds[k].police), k),
        )
        for k in keys:
            mark = "" if kinds.get(k) and kinds[k].police else " *"
            out.append(
                f"{shift_code:<12}{k + mark:<22}{totals.units[(shift_code, k)]:>12}"
                f"{totals.people[(shift_code, k)]:>13}"
            )
        out.append(
            f"{shift_code:<12}{'= ' + text('cli.roster.officers'):<22}{'':>12}"
            f"{totals.officers_in(shift_code):>13}"
        )
    out.append(text("cli.roster.officer_shifts", n=totals.officer_shifts))
    out.append(text("cli.roster.partner_people", n=totals.partner_people))
    return out
