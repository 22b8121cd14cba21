"""`pingan fraud …`: run a simulated bank gateway, write a sample ledger for it."""

from __future__ import annotations

from datetime import datetime
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
