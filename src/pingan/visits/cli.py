"""`pingan visits import-detainees FILE.csv --by USER` and `pingan visits import-facilities
FILE.yaml --by USER`: the facility desk's files.

The whole file is checked before anything is stored: each bad line is printed as `line N
[reason]: …` (no personal data echoed), nothing is stored and the command exits 2. The import
acts as a named user (detainees: visits.manage; facilities: visits.setup) and is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingan.cli_import import import_file
from pingan.units.cli import By, DataDir

visits_app = typer.Typer(help="视频会见 / detention video visits", no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="文件 / the file")]


@visits_app.command("import-detainees")
def import_detainees(file: FileArg, by: By, data_dir: DataDir = None) -> None:
    """导入在押人员（整个文件全部导入或全部不导入）/ import detainees (CSV), all or nothing."""
    from pingan.visits import imports

    import_file(
        file,
        by,
        data_dir,
        permission="visits.manage",
        read=lambda s, v, d, now: imports.read_detainees(s, v, d, now=now),
        store=lambda s, a, v, specs, now: imports.import_detainees(s, a, v, specs, now=now),
        faults=imports.ImportFileError,
        fault_line=lambda p: str(imports.at_line(p)),
        words="visits.registry.cli",
    )


@visits_app.command("import-facilities")
def import_facilities(file: FileArg, by: By, data_dir: DataDir = None) -> None:
    """导入监管场所与会见终端（YAML，全部导入或全部不导入）/ import facilities, all or nothing."""
    from pingan.visits import imports

    import_file(
        file,
        by,
        data_dir,
        permission="visits.setup",
        read=lambda s, v, d, now: imports.read_facilities(s, d),
        store=lambda s, a, v, specs, now: imports.import_facilities(s, a, specs, now=now),
        faults=imports.ImportFileError,
        fault_line=lambda p: str(imports.at_line(p)),
        words="visits.registry.cli",
    )
