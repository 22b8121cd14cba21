"""`pingan unit …`: bind officers and volunteers to the units they crew, end and list bindings.

Writes act as a named user (``--by``) so the role check and the audit trail name a person:
dispatchers, commanders and admins may bind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import Msg, text

unit_app = typer.Typer(help="警力 / units: who crews them", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option(help="数据目录 / data directory (PINGAN_DATA_DIR)")]
By = Annotated[str, typer.Option("--by", help="操作人用户名 / acting user's username")]
CallSign = Annotated[str, typer.Argument(help="警力呼号 / the unit's call sign")]
Username = Annotated[str, typer.Argument(help="民警或志愿者的用户名 / the account to bind")]


def _fail(message: Msg | str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


@contextmanager
def _session(data_dir: Path | None) -> Iterator:  # type: ignore[type-arg]
    """A store session for one command, with domain errors turned into exit 2."""
    from pingan.config import Settings
    from pingan.errors import DomainError
    from pingan.store import StoreKeyError, open_store

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        db, _ = open_store(settings)  # the audit key bound: binding is an audited write
    except StoreKeyError as exc:
        _fail(str(exc))
    try:
        with db.session() as session:
            yield session
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from pingan.auth.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(text("cli.no_such_user", username=username))
    return user


def _actor(session, username: str):  # type: ignore[no-untyped-def]
    from pingan.auth.actor import Actor
    from pingan.auth.roles import Role

    user = _user(session, username)
    if not user.active:
        _fail(text("cli.user_disabled", username=username))
    return Actor(user.id, user.username, Role(user.role), "cli")


def _line(binding, username: str) -> str:  # type: ignore[no-untyped-def]
    until = binding.valid_until.isoformat() if binding.valid_until else "-"
    return f"  #{binding.id:<5}{username:<20}{binding.valid_from.isoformat()}  →  {until}"


@unit_app.command("bind")
def bind(
    call_sign: CallSign,
    username: Username,
    by: By,
    until: Annotated[
        str | None, typer.Option(help="止，ISO 8601 带时区 / until, with a UTC offset")
    ] = None,
    shift: Annotated[str | None, typer.Option(help="班次 / shift (day, night)")] = None,
    day: Annotated[str | None, typer.Option("--date", help="班次日期 / YYYY-MM-DD")] = None,
    note: Annotated[str | None, typer.Option(help="备注 / note")] = None,
    data_dir: DataDir = None,
) -> None:
    """绑定账号到警力（即日起，或到某时，或某日某班次）/ bind an account to a unit."""
    from pingan.units import service

    if (shift is None) != (day is None):
        _fail(text("cli.unit.shift_and_date"))
    try:
        end = datetime.fromisoformat(until) if until else None
        shift_day = date.fromisoformat(day) if day else None
    except ValueError as exc:
        _fail(text("cli.unit.bad_time", error=exc))
    if end is not None and end.tzinfo is None:
        _fail(text("cli.naive_time", name="--until"))
    with _session(data_dir) as session:
        actor = _actor(session, by)
        unit = service.unit_by_call_sign(session, call_sign)
        binding, name = service.bind_user(
            session,
            actor,
            unit.id,
            user_id=_user(session, username).id,
            valid_until=end,
            shift=(shift_day, shift) if shift and shift_day else None,
            note=note,
        )
        typer.echo(text("cli.unit.bound", call_sign=unit.call_sign))
        typer.echo(_line(binding, name))


@unit_app.command("unbind")
def unbind(call_sign: CallSign, username: Username, by: By, data_dir: DataDir = None) -> None:
    """解除账号与警力的现行绑定 / end the account's current bindings to the unit."""
    from pingan.units import service

    with _session(data_dir) as session:
        actor = _actor(session, by)
        unit = service.unit_by_call_sign(session, call_sign)
        current = [
            b for b, name in service.list_bindings(session, unit.id, current_only=True)
            if name == username
        ]  # fmt: skip
        if not current:
            _fail(text("cli.unit.not_bound", username=username, call_sign=call_sign))
        for binding in current:
            typer.echo(_line(*service.end_binding(session, actor, unit.id, binding.id)))


@unit_app.command("bindings")
def bindings(
    call_sign: CallSign,
    all_: Annotated[bool, typer.Option("--all", help="含已结束的 / include ended ones")] = False,
    data_dir: DataDir = None,
) -> None:
    """警力的绑定账号 / the accounts bound to a unit."""
    from pingan.units import service

    with _session(data_dir) as session:
        unit = service.unit_by_call_sign(session, call_sign)
        rows = service.list_bindings(session, unit.id, current_only=not all_)
        typer.echo(f"{unit.call_sign} ({unit.name}): {len(rows)}")
        for binding, name in rows:
            typer.echo(_line(binding, name))
