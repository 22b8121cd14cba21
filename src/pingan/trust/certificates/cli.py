"""`pingan cert verify FILE`: check a certificate offline; `pingan cert import-records`.

`verify` reads a VC (JSON) or a QR payload (text) and checks it against a copy of the
published key list (`--keys`, as `GET /api/v1/trust/keys` or `pingan trust keys --json`
give it) — no store, no network. With `--status-list` (a saved status list credential) it
also checks revocation. Exit 0 when valid; 1 with the reason code when not; 2 when the
files cannot be read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _fail, _session

cert_app = typer.Typer(
    help="无犯罪记录电子证明 / no-criminal-record e-certificate", no_args_is_help=True
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(text("trust.identity.cli.unreadable", path=path, error=exc))
    raise AssertionError  # _fail exits


@cert_app.command("verify")
def verify(
    file: Annotated[
        Path, typer.Argument(help="电子证明 JSON 或二维码内容 / VC JSON or QR payload")
    ],
    keys: Annotated[
        Path | None, typer.Option("--keys", help="公布的密钥列表 JSON / published key list")
    ] = None,
    status_list: Annotated[
        Path | None,
        typer.Option("--status-list", help="状态列表凭证 JSON / status list credential"),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="按此时刻核验 / check as at (ISO 8601)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """离线核验电子证明 / verify a certificate offline (exit 0 valid, 1 not valid)."""
    from pingan.trust.certificates import verify as check

    data = _read(file)
    if keys is not None:
        try:
            key_list = json.loads(_read(keys))
        except ValueError as exc:
            _fail(text("trust.identity.cli.unreadable", path=keys, error=exc))
    else:  # the platform's own machine: its key list, read from the local store
        from pingan.trust.signing import service

        with _session(data_dir) as session:
            key_list = service.published_keys(session)
    status = None
    if status_list is not None:
        try:
            status = json.loads(_read(status_list))
        except ValueError as exc:
            _fail(text("trust.identity.cli.unreadable", path=status_list, error=exc))
    try:
        now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError as exc:
        _fail(str(exc))
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    result = check.text(data, key_list, now=now, status=status)
    if not result.valid:
        typer.echo(text("trust.cert.cli.invalid", reason=result.reason), err=True)
        raise typer.Exit(code=1)
    typer.echo(text("trust.cert.cli.valid", kind=result.kind, number=result.number))


@cert_app.command("import-records")
def import_records(
    file: Annotated[Path, typer.Argument(help="犯罪记录 CSV / criminal records CSV")],
    by: By,
    data_dir: DataDir = None,
) -> None:
    """导入犯罪记录（整个文件全部导入或全部不导入）/ import the records, all or nothing."""
    from pingan.auth.service import require
    from pingan.config import Settings
    from pingan.db.base import utcnow
    from pingan.errors import DomainError
    from pingan.store import StoreKeyError, open_store
    from pingan.trust.certificates import records

    data = _read(file)
    try:
        db, vault = open_store(Settings(data_dir=data_dir) if data_dir else Settings())
    except StoreKeyError as exc:
        _fail(str(exc))
    try:
        with db.session() as session:
            actor = _actor(session, by)
            require(actor, records.PERMISSION)  # before the file's lines are shown
            now = utcnow()
            try:
                rows = records.read_csv(vault, data, today=now.date())
            except records.RecordFileError as exc:
                for p in exc.problems:
                    line = text(
                        "trust.identity.csv.at_line", line=p.line, code=p.code, detail=p.detail
                    )
                    typer.echo(line, err=True)
                _fail(text("trust.identity.cli.nothing_stored", n=len(exc.problems)))
            n = records.import_rows(session, actor, rows, now=now)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()
    typer.echo(text("trust.cert.cli.imported", n=n))
