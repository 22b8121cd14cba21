"""What every offline `verify` command shares (`pingan cert verify`, `pingan unlock verify`):
reading the files, the key list to check against, the instant to check as at, and the
exit codes — 0 valid, 1 not valid (the reason code on stderr), 2 a file cannot be read.

The key list is a saved copy of the published one (`--keys`, as `GET /api/v1/trust/keys` or
`pingan trust keys --json` give it), so nothing but files is read; without `--keys`, the
platform's own machine reads its list from the local store.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from pingan.i18n import text
from pingan.units.cli import _fail, _session

Keys = Annotated[
    Path | None, typer.Option("--keys", help="公布的密钥列表 JSON / published key list")
]
At = Annotated[str | None, typer.Option("--at", help="按此时刻核验 / check as at (ISO 8601)")]


def fail(message: str) -> NoReturn:
    """Exit 2: the input could not be read."""
    _fail(message)
    raise AssertionError  # _fail exits


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(text("trust.identity.cli.unreadable", path=path, error=exc))


def read_text(path: Path) -> str:
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(text("trust.identity.cli.unreadable", path=path, error=exc))


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except ValueError as exc:
        fail(text("trust.identity.cli.unreadable", path=path, error=exc))


def key_list(keys: Path | None, data_dir: Path | None) -> Any:
    """The saved key list, else the local store's."""
    if keys is not None:
        return read_json(keys)
    from pingan.trust.signing import service

    with _session(data_dir) as session:
        return service.published_keys(session)


def instant(at: str | None) -> datetime:
    """`--at` as an aware datetime (UTC when no offset is given); now when absent."""
    try:
        now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError as exc:
        fail(str(exc))
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def invalid(message: str) -> NoReturn:
    """Exit 1: read, and not valid."""
    typer.echo(message, err=True)
    raise typer.Exit(code=1)
