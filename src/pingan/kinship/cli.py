"""`pingan kinship …`: the family search on the command line.

`pingan kinship import FILE --by USER [--kit K]` imports a laboratory's DNA profiles (CSV,
GeneMapper long or wide layout) as the profile import of the API does: the whole file is
checked first, each fault printed as `line N [reason]: …` (no genotype echoed), nothing is
stored and the command exits 2; the acting user's role must hold kinship.profile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingan.cli_import import import_file
from pingan.units.cli import By, DataDir

kinship_app = typer.Typer(help="寻亲比对 / family search by DNA kinship", no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="分型文件（CSV）/ the profile file (CSV)")]
Kit = Annotated[
    str,
    typer.Option(
        help="试剂盒 / kit: auto, globalfiler, identifiler, sureid, expanded",
    ),
]


@kinship_app.command("import")
def import_profiles(file: FileArg, by: By, kit: Kit = "auto", data_dir: DataDir = None) -> None:
    """导入 DNA 分型（全部导入或全部不导入）/ import DNA profiles (CSV), all or nothing."""
    from pingan.kinship import profiles_import

    import_file(
        file,
        by,
        data_dir,
        permission="kinship.profile",
        read=lambda s, v, d, now: profiles_import.read_profiles(s, d, kit=kit),
        store=lambda s, a, v, checked, now: profiles_import.import_profiles(
            s, a, v, checked, now=now
        ),
        faults=profiles_import.ProfileFileError,
        fault_line=lambda p: str(profiles_import.at_line(p)),
        words="kinship.records.cli",
    )
