"""`pingan fraud …`: run a simulated bank gateway, write a sample ledger for it, print the KPIs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from pingan.i18n import text

fraud_app = typer.Typer(help="反诈止付 / anti-fraud stop payment", no_args_is_help=True)


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if at.tzinfo is None:
        raise typer.BadParameter(text("fraud.naive_time"))
    return at


def _fail(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


@fraud_app.command("banksim")
def banksim(
    bank: Annotated[str, typer.Option("--bank", help="银行/支付机构代码 / bank code (banks.yaml)")],
    ledger: Annotated[Path, typer.Option("--ledger", help="账户与交易 JSON / ledger file")],
    keys: Annotated[
        str, typer.Option("--keys", help="平台公布的密钥列表（文件或 URL） / key list file or URL")
    ],
    port: Annotated[int, typer.Option("--port")] = 8701,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    clock: Annotated[
        str | None, typer.Option("--clock", help="固定银行时钟 / pin the bank's clock (ISO)")
    ] = None,
    delay: Annotated[float, typer.Option("--delay", help="应答延迟秒数 / answer delay")] = 0.0,
    delay_count: Annotated[
        int, typer.Option("--delay-count", help="前 N 条指令延迟（-1 全部）/ delay first N")
    ] = -1,
    fail_first: Annotated[
        int, typer.Option("--fail-first", help="前 N 条指令回 503 / refuse first N")
    ] = 0,
    error_rate: Annotated[
        float, typer.Option("--error-rate", min=0.0, max=1.0, help="随机 503 比例 / 503 share")
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """模拟银行止付网关 / a simulated bank stop-payment gateway, over HTTP."""
    import httpx
    import uvicorn
    from pydantic import ValidationError

    from pingan.fraud.banksim import ledger as ledger_file
    from pingan.fraud.banksim.app import Faults, create_app
    from pingan.fraud.banksim.bank import KeyList

    pinned = _instant(clock)
    try:
        book = ledger_file.load(ledger)
    except (OSError, ValidationError) as exc:
        _fail(text("fraud.cli.bad_file", path=ledger, error=exc))
    if book.bank != bank:
        _fail(text("fraud.cli.ledger_bank", bank=book.bank, wanted=bank))
    try:
        key_list = KeyList(keys)
    except (OSError, ValueError, httpx.HTTPError) as exc:
        _fail(text("fraud.cli.bad_file", path=keys, error=exc))
    faults = Faults(delay, delay_count, fail_first, error_rate, seed)
    app = create_app(book, key_list, faults=faults, clock=pinned)
    typer.echo(text("fraud.cli.listening", bank=bank, host=host, port=port))
    uvicorn.run(app, host=host, port=port, log_level="warning")


@fraud_app.command("sample-ledger")
def sample_ledger(
    path: Annotated[Path, typer.Argument(help="输出文件 / output file")],
    bank: Annotated[str, typer.Option("--bank")] = "ICBC",
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """写出一个示例账本 / write a small sample ledger for the simulator."""
    from pingan.fraud.banksim.ledger import write_sample

    write_sample(path, bank, seed=seed)
    typer.echo(text("fraud.cli.sample_written", path=path))


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(text("fraud.stats.cli.bad_date", value=value))
    return None


def _yuan(fen: float | None) -> str:
    if fen is None:
        return "-"
    whole = int(fen)
    return f"{'-' if whole < 0 else ''}¥{abs(whole) // 100:,}.{abs(whole) % 100:02d}"


def _cells(*cells: str) -> str:
    """Cells padded to columns as the terminal shows them (a Chinese character is two wide)."""
    import unicodedata

    def width(cell: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in cell)

    first, *rest = cells
    return first + " " * max(2, 36 - width(first)) + "".join(c.rjust(16) for c in rest)


def _stats_lines(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The KPIs as a small table in the command's language: this period, the year before,
    the change."""
    from pingan.dispatch.kpi import share_text

    now, then, yoy = result.current, result.previous, result.year_on_year
    period, before = now.period, then.period
    lines = [text("fraud.stats.cli.period", start=period.start, end=period.end,
                  prev_start=before.start, prev_end=before.end)]  # fmt: skip
    minutes = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
    rows = [
        ("cases", "cases", str),
        ("loss", "loss_fen", _yuan),
        ("held", "held_fen", _yuan),
        ("returned", "returned_fen", _yuan),
        ("success_rate", "stop_success_rate", share_text),
        ("median", "report_to_stop_median_min", minutes),
        ("warnings", "warnings", str),
        ("dissuaded", "dissuaded", str),
        ("dissuasion_rate", "dissuasion_rate", share_text),
    ]
    lines.append(_cells(*text("fraud.stats.cli.header").split("|")))
    for label, key, shown in rows:
        c = yoy[key]
        pct = "-" if c.change_pct is None else f"{c.change_pct:+.1f}%"
        cur = "-" if c.current is None else shown(c.current)
        prev = "-" if c.previous is None else shown(c.previous)
        lines.append(_cells(text(f"fraud.stats.cli.{label}"), cur, prev, pct))
    r = now.report_to_stop
    lines.append(_cells(text("fraud.stats.cli.p90"), minutes(r.p90_min)))
    lines.append(_cells(text("fraud.stats.cli.golden"), minutes(r.golden_median_min)))
    lines.append(_cells(text("fraud.stats.cli.without_stop"), str(r.cases_without_stop)))
    o = now.stop_orders
    lines.append(text("fraud.stats.cli.orders", answered=o.answered, stopped=o.stopped,
                      sending=o.sending, unavailable=o.unavailable, refused=o.refused))  # fmt: skip
    lines.append(text("fraud.stats.cli.top_types"))
    if not result.by_type:
        lines.append("  " + text("fraud.stats.cli.none"))
    for row in result.by_type:
        name = text(f"fraud.type.{row.fraud_type}")
        lines.append(_cells("  " + name, str(row.cases), _yuan(row.loss_fen)))
    return lines


@fraud_app.command("stats")
def stats(
    start: Annotated[
        str | None, typer.Option("--from", help="起始日期 / first day (YYYY-MM-DD, local)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="截止日期 / last day (YYYY-MM-DD, local)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="数据目录 / data directory (PINGAN_DATA_DIR)")
    ] = None,
) -> None:
    """反诈统计 / anti-fraud KPIs: cases, losses, stops, returns, warnings, year on year."""
    from pingan.auth.actor import Actor
    from pingan.cli import _existing_store, _settings
    from pingan.db.base import utcnow
    from pingan.errors import DomainError
    from pingan.fraud import stats as kpis
    from pingan.fraud.stats_router import stats_public

    try:
        period = kpis.period_of(_day(start), _day(end), utcnow().astimezone(kpis.LOCAL_TZ).date())
    except DomainError as exc:
        _fail(exc.detail)
    db = _existing_store(_settings(data_dir))
    try:
        with db.session(read_only=True) as session:
            result = kpis.fraud_stats(session, Actor.system("cli"), period)
    finally:
        db.dispose()
    if as_json:
        typer.echo(stats_public(result).model_dump_json(by_alias=True, indent=2))
        return
    for line in _stats_lines(result):
        typer.echo(line)
