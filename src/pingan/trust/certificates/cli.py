"""`pingan cert verify FILE`: check a certificate offline; `pingan cert import-records`.

`verify` reads a VC (JSON), a QR payload (text) or a PNG/JPEG image of the QR code (told
apart by its first bytes) and checks it against a copy of the published key list (`--keys`)
— no store, no network. With `--status-list` (a saved status list credential) it also checks
revocation. Exit codes and the shared parts: `pingan.trust.offline`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text
from pingan.trust import offline
from pingan.units.cli import By, DataDir, _actor, _fail

cert_app = typer.Typer(
    help="无犯罪记录电子证明 / no-criminal-record e-certificate", no_args_is_help=True
)


@cert_app.command("verify")
def verify(
    file: Annotated[
        Path,
        typer.Argument(
            help="电子证明 JSON、二维码内容或其图片（PNG/JPEG）/ VC JSON, QR payload or image"
        ),
    ],
    keys: offline.Keys = None,
    status_list: Annotated[
        Path | None,
        typer.Option("--status-list", help="状态列表凭证 JSON / status list credential"),
    ] = None,
    at: offline.At = None,
    data_dir: DataDir = None,
) -> None:
    """离线核验电子证明 / verify a certificate offline (exit 0 valid, 1 not valid)."""
    from pingan.trust.certificates import scan
    from pingan.trust.certificates import verify as check

    raw = offline.read_bytes(file)
    if scan.image_kind(raw) is not None:  # a photo or screenshot of the QR code
        try:
            data = scan.decode_qr(raw)
        except scan.ScanError as exc:
            if exc.code == "no_qr_found":
                offline.invalid(text("trust.cert.cli.invalid", reason=exc.code))
            offline.fail(text("trust.identity.cli.unreadable", path=file, error=exc.detail))
    else:
        data = offline.read_text(file)
    key_list = offline.key_list(keys, data_dir)
    status = offline.read_json(status_list) if status_list is not None else None
    now = offline.instant(at)
    result = check.text(data, key_list, now=now, status=status)
    if not result.valid:
        offline.invalid(text("trust.cert.cli.invalid", reason=result.reason))
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

    data = offline.read_text(file)
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
