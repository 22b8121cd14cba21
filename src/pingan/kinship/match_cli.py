"""`search`, `power` and `report` of the `pingan kinship` command group: the matching side on
the command line, acting as a named user (`--by`) so the role check and the audit trail name
a person. Refusals print the reason and exit 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from pingan.i18n import text
from pingan.units.cli import By, DataDir, _actor, _fail

app = typer.Typer(help="寻亲比对 / family search: search, power, report", no_args_is_help=True)
CaseNo = Annotated[str, typer.Option("--case", help="案件编号 / the case number")]


@contextmanager
def _store(data_dir: Path | None, by: str) -> Iterator[tuple[Any, Any, Any, Any]]:
    """(session, acting user, vault, settings) for one command; domain errors exit 2."""
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


def _case_id(session: Any, case_no: str) -> int:
    from pingan.kinship import match_data

    case = match_data.case_by_no(session, case_no)
    if case is None:
        _fail(text("kinship.match.no_case_no", case_no=case_no))
    return case.id


@app.command("search")
def search(
    case: CaseNo,
    by: By,
    relation: Annotated[
        list[str] | None, typer.Option(help="只检验这些关系 / only these relations")
    ] = None,
    frequencies: Annotated[
        str | None, typer.Option(help="频率表 / frequency table (thresholds file's by default)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """以案件的样本检索对方库 / search the case's donors against the other side."""
    from pingan.db.base import utcnow
    from pingan.kinship import candidates, search_service

    with _store(data_dir, by) as (session, actor, vault, _):
        outcome = search_service.search(
            session,
            actor,
            vault,
            _case_id(session, case),
            relations=relation or None,
            frequencies=frequencies,
            now=utcnow(),
        )
        for s in outcome.searches:
            typer.echo(text("kinship.match.cli.searched", compared=s.compared, found=s.candidates))
        ranked = sorted(outcome.candidates, key=lambda c: (-c.posterior, -c.log10_lr))
        for row in ranked:
            v = candidates.view(session, row)
            typer.echo(
                text(
                    "kinship.match.cli.candidate",
                    id=v["id"],
                    a=v["a"]["sample_id"],
                    b=v["b"]["sample_id"],
                    b_case=v["b"]["case_no"],
                    relation=v["relation"],
                    lr=f"{v['log10_lr']:.2f}",
                    total=f"{v['log10_lr_total']:.2f}",
                    posterior=f"{v['posterior']:.4g}",
                    status=v["status"],
                )
            )
        typer.echo(text("kinship.match.cli.search_done", case_no=case, n=len(ranked)))


@app.command("power")
def power(
    case: CaseNo,
    by: By,
    panel: Annotated[str, typer.Option(help="globalfiler / expanded")] = "globalfiler",
    n: Annotated[int, typer.Option(help="模拟次数 / simulated pairs", min=100, max=5000)] = 1000,
    data_dir: DataDir = None,
) -> None:
    """案件检出效能分析 / is the case's family informative enough?"""
    from pingan.kinship import case_power

    with _store(data_dir, by) as (session, actor, vault, _):
        out = case_power.analyse(session, actor, vault, _case_id(session, case), panel=panel, n=n)
    for r in out["relatives"]:
        typer.echo(
            text(
                "kinship.match.cli.power_line",
                sample_id=r["sample_id"],
                relation=r["relation"],
                loci=r["loci"],
                rate=f"{100 * r['detection_rate']:.1f}",
                fpr=f"{100 * r['false_positive_rate']:.2f}",
                median=f"{r['median_log10_true']:.2f}",
            )
        )
    typer.echo(out["advice"]["text"])


@app.command("report")
def report(
    candidate_id: Annotated[int, typer.Argument(help="候选编号 / the candidate's id", min=1)],
    by: By,
    out: Annotated[Path, typer.Option("--out", help="PDF文件 / the PDF to write")],
    data_dir: DataDir = None,
) -> None:
    """生成已签名的比对报告 / make the signed report of a confirmed candidate."""
    from pingan.db.base import utcnow
    from pingan.kinship import reports

    with _store(data_dir, by) as (session, actor, vault, settings):
        row = reports.make(session, actor, vault, candidate_id, data_dir=settings.data_dir,
                           now=utcnow())  # fmt: skip
        pdf = reports.read(session, actor, row.number, data_dir=settings.data_dir)
        kept = settings.data_dir / row.path
        number, sha256, key_id = row.number, row.sha256, row.signature["key_id"]
    try:
        out.write_bytes(pdf)
        out.with_name(out.name + ".sig.json").write_bytes(
            kept.with_suffix(".sig.json").read_bytes()
        )
    except OSError as exc:
        _fail(text("kinship.match.cli.cannot_write", path=out, error=exc))
    typer.echo(text("kinship.match.cli.report_written", number=number, path=out, sha256=sha256,
                    key_id=key_id))  # fmt: skip
