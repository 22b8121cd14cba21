"""The bank simulator in process: stop-payment gateways for the demo and the simulated day.

FOR THE DEMO AND THE SIMULATION ONLY. These "banks" are the simulator (banksim/) without its
HTTP server: the same `Bank` — the same ledger, the same rule code (bank_rules) and the same
check of the seal against the platform's published key list — reached by a function call
instead of a POST, so `pingan demo` shows stop orders answered with no bank process running.
A real installation speaks to real banks' gateways over HTTP (`HttpBankGateway`, the
installation's `PINGAN_FRAUD_GATEWAYS_FILE`); nothing here reaches a bank.

Each order is still sealed with the platform's signer and the bank opens the sealed bytes
exactly as the HTTP simulator does: a tampered order or an unknown key is refused
(`BankRefused`, with the status and code the HTTP simulator would answer), nothing applied.
There is no network to fail, so nothing is retried and `BankUnavailable` is never raised.

`LocalBanks` holds one bank per code (one ledger each) and hands out gateways the way
`gateway.Registry` does (`gateway(code, sealer)`). With a `folder` each bank's ledger is kept
there as `<CODE>.json` (the simulator's ledger file, with its holds) and written back after
every order that changes it, so a demo store restarted later finds its banks as it left them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from pingan.db.engine import Database
from pingan.errors import DomainError, NotFound, ValidationFailed
from pingan.fraud.bank_rules import Ledger, Rules
from pingan.fraud.banksim import ledger as ledger_file
from pingan.fraud.banksim.bank import Bank, KeyList
from pingan.fraud.gateway import BankRefused, OrderMethods, banks
from pingan.fraud.messages import (
    AccountState,
    BankResult,
    OnwardReport,
    Order,
    Sealer,
    seal,
)
from pingan.i18n import msg

Clock = Callable[[], datetime]
_BANK_TIME: ContextVar[datetime | None] = ContextVar("pingan_local_bank_time", default=None)


@contextmanager
def bank_time(at: datetime) -> Iterator[None]:
    """Within the block (this thread only), the in-process banks answer at `at`: the
    simulated day sends its orders at its own time while an officer's, sent from the browser
    beside it, are answered on the banks' clock."""
    token = _BANK_TIME.set(at)
    try:
        yield
    finally:
        _BANK_TIME.reset(token)


class LocalBankGateway(OrderMethods):
    """`gateway.BankGateway` over an in-process simulated `Bank`. The bank's time for this
    gateway's orders and state queries: `clock` if given, else the `bank_time` block's, else
    the bank's own clock."""

    def __init__(self, bank: Bank, sealer: Sealer, *, clock: Clock | None = None) -> None:
        self.bank, self.sealer, self.clock = bank, sealer, clock

    @property
    def code(self) -> str:
        return self.bank.code

    def onward_transfers(self, account: str, since: datetime) -> OnwardReport:
        return self._call(self.bank.onward, account, since)

    def account_state(self, account: str) -> AccountState:
        return self._call(self.bank.account_state, account, at=self._at())

    def close(self) -> None:
        """Nothing to close (HttpBankGateway closes its connection pool)."""

    def _at(self) -> datetime | None:
        return self.clock() if self.clock is not None else _BANK_TIME.get()

    def _order(self, kind: str, order: Order) -> BankResult:
        if order.bank != self.code:
            raise ValidationFailed(
                msg("fraud.wrong_bank", bank=order.bank, here=self.code), code="wrong_bank"
            )
        raw = seal(order, self.sealer)  # the bytes the HTTP client would send
        return self._call(self.bank.handle, kind, raw, at=self._at())

    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """The bank's refusals as the HTTP client reports them (status, code, detail)."""
        try:
            return fn(*args, **kw)
        except DomainError as exc:
            raise BankRefused(self.code, exc.status, exc.code, exc.detail) from None


def store_keys(db: Database) -> Callable[[], dict[str, Any]]:
    """The platform's published key list, read from its own store (what GET
    /api/v1/trust/keys answers), for banks that live in the platform's process."""
    from pingan.trust.signing import published_keys

    def read() -> dict[str, Any]:
        with db.session() as session:
            return published_keys(session)

    return read


class LocalBanks:
    """In-process simulated banks by code, one ledger each; a registry of their gateways.

    `keys`: the published key list (a KeyList, or a function that reads it: `store_keys`).
    `clock`: the banks' clock (default the wall clock); a gateway may carry its own.
    `folder`: where the ledgers are kept (`<CODE>.json`), written back after each change."""

    def __init__(
        self,
        ledgers: Iterable[Ledger],
        keys: KeyList | Callable[[], dict[str, Any]],
        *,
        rules: Rules | None = None,
        clock: Clock | None = None,
        folder: Path | None = None,
    ) -> None:
        self.keys = keys if isinstance(keys, KeyList) else KeyList(keys)
        self.rules, self.clock, self.folder = rules, clock, folder
        self.banks: dict[str, Bank] = {}
        for ledger in ledgers:
            self.add(ledger)

    @classmethod
    def from_folder(
        cls, folder: Path, keys: KeyList | Callable[[], dict[str, Any]], **options: Any
    ) -> LocalBanks:
        """The banks whose ledgers are kept in `folder` (none yet: no banks)."""
        found = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return cls([ledger_file.load(p) for p in found], keys, folder=folder, **options)

    @property
    def codes(self) -> list[str]:
        return sorted(self.banks)

    def add(self, ledger: Ledger) -> Bank:
        """A bank for the ledger's code (its ledger merged into one already held)."""
        if ledger.bank not in banks():
            raise ValidationFailed(msg("fraud.unknown_bank", bank=ledger.bank))
        bank = self.banks.get(ledger.bank)
        if bank is not None:
            bank.book(ledger.accounts.values(), ledger.transactions)
            return bank
        bank = Bank(ledger, self.keys, self.rules, clock=self.clock, on_change=self._keeper())
        self.banks[ledger.bank] = bank
        if self.folder is not None:
            self._keep(ledger)
        return bank

    def bank(self, code: str) -> Bank:
        if code not in banks():
            raise NotFound(msg("fraud.unknown_bank", bank=code), code="unknown_bank")
        found = self.banks.get(code)
        if found is None:
            raise ValidationFailed(msg("fraud.no_gateway", bank=code), code="no_gateway")
        return found

    def gateway(self, code: str, sealer: Sealer, **options: Any) -> LocalBankGateway:
        """As `Registry.gateway`; HTTP options (policy, notify, sleep, client) have nothing to
        do in process and are ignored, `clock` is kept."""
        return LocalBankGateway(self.bank(code), sealer, clock=options.get("clock"))

    def _keeper(self) -> Callable[[Ledger], None] | None:
        return self._keep if self.folder is not None else None

    def _keep(self, ledger: Ledger) -> None:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        ledger_file.save(ledger, self.folder / f"{ledger.bank}.json")
