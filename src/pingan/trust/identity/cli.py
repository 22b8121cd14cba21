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

from pingan.cli_import import import_file
from pingan.i18n import text
from pingan.units.cli import By, DataDir

identity_app = typer.Typer(help="身份核验 / identity assurance", no_args_is_help=True)


@identity_app.command("import-register")
def import_register(
    file: Annotated[Path, typer.Argument(help="人口信息 CSV / population register CSV")],
    by: By,
    data_dir: DataDir = None,
) -> None:
    """导入人口信息（整个文件全部导入或全部不导入）/ import the register, all or nothing."""
    from pingan.trust.identity import register

    import_file(
        file,
        by,
        data_dir,
        permission="trust.identity_register",
        read=lambda s, v, d, now: register.read_csv(v, d, today=now.date()),
        store=lambda s, a, v, rows, now: register.import_rows(s, a, v, rows, now=now),
        faults=register.RegisterFileError,
        fault_line=lambda p: text(
            "trust.identity.csv.at_line", line=p.line, code=p.code, detail=p.detail
        ),
        words="trust.identity.cli",
    )
