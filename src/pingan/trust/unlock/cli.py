"""`pingan unlock verify FILE`: check a filed unlock record (电子开锁登记单) offline.

FILE is the filed document (JSON, any layout: it is put in its JCS form first, as `POST
/api/v1/trust/unlock/verify` does) or the whole answer of `GET …/requests/{id}/record`; it is
checked with `record.check` against a saved key list (`--keys`) or the local store's. Every
party's signature and the platform's seal must hold. A record has no validity period;
`--at` checks that every party had signed by that instant (reason `signed_after`), e.g. the
moment the record was handed over. Exit codes as every offline check (`pingan.trust.offline`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from pingan.i18n import text
from pingan.trust import offline
from pingan.units.cli import DataDir

unlock_app = typer.Typer(help="线上开锁服务 / online unlock service", no_args_is_help=True)


def _signed_after(document: dict[str, Any], at: datetime) -> str | None:
    """The first party whose statement is dated after `at`, else None."""
    for s in document["signatures"]:
        try:
            signed = datetime.fromisoformat(str(s["statement"]["signed_at"]).replace("Z", "+00:00"))
        except ValueError:
            return str(s["role"])
        if signed.tzinfo is None or signed > at:
            return str(s["role"])
    return None


@unlock_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="开锁登记单 JSON / the filed unlock record")],
    keys: offline.Keys = None,
    at: offline.At = None,
    data_dir: DataDir = None,
) -> None:
    """离线核验开锁登记单 / verify an unlock record offline (exit 0 valid, 1 not valid)."""
    from pingan.trust.unlock import record

    data = offline.read_json(file)
    when = offline.instant(at) if at else None
    key_list = offline.key_list(keys, data_dir)
    document = data.get("document", data) if isinstance(data, dict) else data
    try:
        check = record.check(record.canonical(document), key_list)
    except ValueError:  # a value JCS cannot write (NaN, an integer past 2^53)
        check = record.Check(False, "malformed")
    if not check:
        offline.invalid(
            text("trust.unlock.cli.invalid", reason=check.reason, where=check.where or "-")
        )
    late = _signed_after(document, when) if when is not None else None
    if late is not None:
        offline.invalid(text("trust.unlock.cli.invalid", reason="signed_after", where=late))
    body = document["record"]
    parties = ", ".join(body["parties"])
    typer.echo(
        text("trust.unlock.cli.valid", record_no=body.get("record_no", "?"), parties=parties)
    )
