"""`pingan trust …`: list the signing keys; rotate or revoke one as a named admin (``--by``),
audited like the same act through the API."""

from __future__ import annotations

from typing import Annotated

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _session

trust_app = typer.Typer(help="电子签名密钥 / signing keys", no_args_is_help=True)


def _line(entry: dict) -> str:  # type: ignore[type-arg]
    when = entry["valid_from"]
    return f"{entry['kid']:<26}{entry['alg']:<8}{entry['status']:<9}{when}"


@trust_app.command("keys")
def keys(
    as_json: Annotated[
        bool, typer.Option("--json", help="输出公布的密钥列表 / the published list")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """签名密钥列表 / the signing keys (public parts only)."""
    import json

    from pingan.trust.signing import service

    with _session(data_dir) as session:
        document = service.published_keys(session)
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if not document["keys"]:
        typer.echo(text("cli.trust.no_keys"))
    for entry in document["keys"]:
        typer.echo(_line(entry))


@trust_app.command("rotate")
def rotate(
    algorithm: Annotated[str, typer.Argument(help="ed25519 | sm2")],
    by: By,
    data_dir: DataDir = None,
) -> None:
    """轮换密钥：生成新的在用密钥，旧密钥仍可验签 / rotate: a new active key, old ones verify."""
    from pingan.trust.signing import service

    with _session(data_dir) as session:
        row = service.rotate(session, _actor(session, by), algorithm)
        typer.echo(text("cli.trust.rotated", key_id=row.key_id, algorithm=row.algorithm))


@trust_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="密钥标识 / key id")],
    reason: Annotated[str, typer.Option("--reason", help="吊销原因 / why")],
    by: By,
    data_dir: DataDir = None,
) -> None:
    """吊销密钥：其签名不再有效 / revoke: nothing the key signed verifies any more."""
    from pingan.trust.signing import service

    with _session(data_dir) as session:
        row = service.revoke(session, _actor(session, by), key_id, reason)
        typer.echo(text("cli.trust.revoked", key_id=row.key_id))
