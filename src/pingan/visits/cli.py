"""`pingan visits import-detainees FILE.csv --by USER` and `pingan visits import-facilities
FILE.yaml --by USER`: the facility desk's files.

The whole file is checked before anything is stored: each bad line is printed as `line N
[reason]: …` (no personal data echoed), nothing is stored and the command exits 2. The import
acts as a named user (detainees: visits.manage; facilities: visits.setup) and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _fail

visits_app = typer.Typer(help="视频会见 / detention video visits", no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="文件 / the file")]


def _run(
    file: Path,
    by: str,
    data_dir: Path | None,
    permission: str,
    read: Callable[..., Any],
    store: Callable[..., Any],
) -> None:
    """Read the file, check it whole as the named user, store it or print every fault."""
    from pingan.auth.service import require
    from pingan.config import Settings
    from pingan.db.base import utcnow
    from pingan.errors import DomainError
    from pingan.store import StoreKeyError, open_store
    from pingan.visits.imports import ImportFileError, at_line

    try:
        data = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(text("visits.registry.cli.unreadable", path=file, error=exc))
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        db, vault = open_store(settings)
    except StoreKeyError as exc:
        _fail(str(exc))
    try:
        with db.session() as session:
            actor = _actor(session, by)
            require(actor, permission)  # before the file's lines are shown
            now = utcnow()
            try:
                checked = read(session, vault, data, now)
            except ImportFileError as exc:
                for p in exc.problems:
                    typer.echo(str(at_line(p)), err=True)
                _fail(text("visits.registry.cli.nothing_stored", n=len(exc.problems)))
            done = store(session, actor, vault, checked, now)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()
    typer.echo(text("visits.registry.cli.imported", added=done.added, updated=done.updated))


@visits_app.command("import-detainees")
def import_detainees(file: FileArg, by: By, data_dir: DataDir = None) -> None:
    """导入在押人员（整个文件全部导入或全部不导入）/ import detainees (CSV), all or nothing."""
    from pingan.visits import imports

    _run(
        file,
        by,
        data_dir,
        "visits.manage",
        lambda s, v, d, now: imports.read_detainees(s, v, d, now=now),
        lambda s, a, v, specs, now: imports.import_detainees(s, a, v, specs, now=now),
    )


@visits_app.command("import-facilities")
def import_facilities(file: FileArg, by: By, data_dir: DataDir = None) -> None:
    """导入监管场所与会见终端（YAML，全部导入或全部不导入）/ import facilities, all or nothing."""
    from pingan.visits import imports

    _run(
        file,
        by,
        data_dir,
        "visits.setup",
        lambda s, v, d, now: imports.read_facilities(s, d),
        lambda s, a, v, specs, now: imports.import_facilities(s, a, specs, now=now),
    )
