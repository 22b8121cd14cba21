"""`pingan identity import-register FILE.csv --by USER`: load the bureau's population register.

The whole file is checked before anything is stored: a bad line (invalid ID number, a date
that disagrees with it, a duplicate, …) is printed with its line number and reason, and the
command stores nothing and exits 2. The import acts as a named user (commander or admin),
audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _fail

identity_app = typer.Typer(help="身份核验 / identity assurance", no_args_is_help=True)


@identity_app.command("import-register")
def import_register(
    file: Annotated[Path, typer.Argument(help="人口信息 CSV / population register CSV")],
    by: By,
    data_dir: DataDir = None,
) -> None:
    """导入人口信息（整个文件全部导入或全部不导入）/ import the register, all or nothing."""
    from pingan.auth.service import require
    from pingan.config import Settings
    from pingan.db.base import utcnow
    from pingan.errors import DomainError
    from pingan.store import StoreKeyError, open_store
    from pingan.trust.identity import register

    try:
        data = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(text("trust.identity.cli.unreadable", path=file, error=exc))
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        db, vault = open_store(settings)
    except StoreKeyError as exc:
        _fail(str(exc))
    try:
        with db.session() as session:
            actor = _actor(session, by)
            require(actor, "trust.identity_register")  # before the file's lines are shown
            now = utcnow()
            try:
                rows = register.read_csv(vault, data, today=now.date())
            except register.RegisterFileError as exc:
                for p in exc.problems:
                    typer.echo(
                        text(
                            "trust.identity.csv.at_line", line=p.line, code=p.code, detail=p.detail
                        ),
                        err=True,
                    )
                _fail(text("trust.identity.cli.nothing_stored", n=len(exc.problems)))
            done = register.import_rows(session, actor, vault, rows, now=now)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()
    typer.echo(text("trust.identity.cli.imported", added=done.added, updated=done.updated))
