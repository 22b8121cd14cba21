"""One way for the desks' commands and file imports on the command line to run.

Read the file, act as a named user whose role must hold the permission (checked before any
line of the file is shown), check the whole file first — every fault printed by line, nothing
stored, exit 2 — then store it in one transaction, audited by the domain's own store function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from pingan.i18n import text
from pingan.units.cli import _actor, _fail


@contextmanager
def acting_store(data_dir: Path | None, by: str) -> Iterator[tuple[Any, Any, Any, Any]]:
    """(session, acting user, vault, settings) for one command, committed at the end; a
    domain error or a store without its key prints the reason and exits 2."""
    from pingan.config import Settings
    from pingan.errors import DomainError
    from pingan.store import StoreKeyError, open_store

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        db, vault = open_store(settings)
    except StoreKeyError as exc:
        _fail(str(exc))
    try:
        with db.session() as session:
            yield session, _actor(session, by), vault, settings
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.dispose()


def import_file(
    file: Path,
    by: str,
    data_dir: Path | None,
    *,
    permission: str,
    read: Callable[[Any, Any, str, Any], Any],
    store: Callable[[Any, Any, Any, Any, Any], Any],
    faults: type[Exception],
    fault_line: Callable[[Any], str],
    words: str,
) -> None:
    """`read(session, vault, data, now)` checks the whole file, raising `faults` (with its
    `.problems`, each printed by `fault_line`); `store(session, actor, vault, checked, now)`
    stores it and answers `.added` and `.updated`. `words` is the domain's message prefix,
    with `.unreadable`, `.nothing_stored` and `.imported`."""
    from pingan.auth.service import require
    from pingan.db.base import utcnow

    try:
        data = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(text(f"{words}.unreadable", path=file, error=exc))
    with acting_store(data_dir, by) as (session, actor, vault, _settings):
        require(actor, permission)  # before the file's lines are shown
        now = utcnow()
        try:
            checked = read(session, vault, data, now)
        except faults as exc:
            problems = exc.problems  # type: ignore[attr-defined]
            for p in problems:
                typer.echo(fault_line(p), err=True)
            _fail(text(f"{words}.nothing_stored", n=len(problems)))
        done = store(session, actor, vault, checked, now)
    typer.echo(text(f"{words}.imported", added=done.added, updated=done.updated))
