"""The platform's client for bank and payment-firm stop-payment gateways.

`BankGateway` is what the platform codes against; `HttpBankGateway` speaks to a gateway over
HTTP (the simulator's API, docs/fraud.md). An order is sealed once, with the platform's
signing service, and those same bytes are sent on every try: the bank keys its answers by
order number, so an order retried after a timeout (its answer lost, the stop perhaps made) is
applied once. Timeouts, connection failures and 5xx are retried with exponential back-off;
after the last try `BankUnavailable` says so in words for the officer. 4xx are not retried:
`BankRefused` carries the bank's reason code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import yaml
from pydantic import BaseModel, ValidationError

from pingan.config import Settings
from pingan.errors import NotFound, ValidationFailed
from pingan.fraud.messages import (
    AccountState,
    AtmRevocation,
    BankResult,
    FreezeOrder,
    OnwardReport,
    Order,
    ReleaseOrder,
    Sealer,
    StopOrder,
    seal,
)
from pingan.i18n import Msg, msg

BANKS_FILE = Path(__file__).with_name("banks.yaml")
M = TypeVar("M", bound=BaseModel)


class BankGateway(Protocol):
    """One bank's or payment firm's stop-payment gateway, as the platform uses it."""

    def send_stop(self, order: StopOrder) -> BankResult: ...
    def send_freeze(self, order: FreezeOrder) -> BankResult: ...
    def send_release(self, order: ReleaseOrder) -> BankResult: ...
    def revoke_atm(self, order: AtmRevocation) -> BankResult: ...
    def onward_transfers(self, account: str, since: datetime) -> OnwardReport: ...
    def account_state(self, account: str) -> AccountState: ...


class BankUnavailable(RuntimeError):
    """The bank did not answer after every try; `message` is what the officer is shown."""

    def __init__(self, bank: str, what: str, tries: int, last: str) -> None:
        self.bank, self.what, self.tries, self.last = bank, what, tries, last
        self.message: Msg = msg("fraud.bank_unavailable", bank=bank, what=what, tries=tries)
        super().__init__(f"{bank} {what}: no answer after {tries} tries ({last})")


class BankRefused(RuntimeError):
    """The bank refused the request (4xx): a bad seal, a malformed order, a reused number."""

    def __init__(self, bank: str, status: int, code: str, detail: str) -> None:
        self.bank, self.status, self.code, self.detail = bank, status, code, detail
        super().__init__(f"{bank} refused ({status} {code}): {detail}")


@dataclass(frozen=True)
class RetryPolicy:
    """`tries` attempts in all, each waiting at most `timeout` seconds, with `backoff` ×
    `factor`^n seconds (at most `max_backoff`) between them."""

    tries: int = 4
    timeout: float = 10.0
    backoff: float = 0.5
    factor: float = 2.0
    max_backoff: float = 8.0

    def pause(self, attempt: int) -> float:
        return min(self.backoff * self.factor ** (attempt - 1), self.max_backoff)


class OrderMethods:
    """The four order methods of `BankGateway`, each one call of `_order(kind, order)` with the
    order's kind as the messages name it (`stop`, `freeze`, `release`, `atm_revoke`)."""

    def _order(self, kind: str, order: Order) -> BankResult:
        raise NotImplementedError

    def send_stop(self, order: StopOrder) -> BankResult:
        return self._order("stop", order)

    def send_freeze(self, order: FreezeOrder) -> BankResult:
        return self._order("freeze", order)

    def send_release(self, order: ReleaseOrder) -> BankResult:
        return self._order("release", order)

    def revoke_atm(self, order: AtmRevocation) -> BankResult:
        return self._order("atm_revoke", order)


class HttpBankGateway(OrderMethods):
    """A gateway reached over HTTP. `notify` (if given) hears each failed try, so the officer
    sees a retry under way; `sleep` is replaceable for tests."""

    def __init__(
        self,
        bank: str,
        base_url: str,
        sealer: Sealer,
        *,
        policy: RetryPolicy | None = None,
        client: httpx.Client | None = None,
        notify: Callable[[Msg], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bank, self.sealer = bank, sealer
        self.policy = policy or RetryPolicy()
        self.client = client or httpx.Client(base_url=base_url, timeout=self.policy.timeout)
        self.notify, self.sleep = notify, sleep

    def close(self) -> None:
        self.client.close()

    def onward_transfers(self, account: str, since: datetime) -> OnwardReport:
        params = {"since": since.isoformat()}
        return self._call("GET", f"/v1/accounts/{account}/onward", OnwardReport, params=params)

    def account_state(self, account: str) -> AccountState:
        return self._call("GET", f"/v1/accounts/{account}", AccountState)

    def _order(self, kind: str, order: Order) -> BankResult:
        path = kind.replace("_", "-")  # the simulator's paths: /v1/orders/atm-revoke
        if order.bank != self.bank:
            raise ValidationFailed(
                msg("fraud.wrong_bank", bank=order.bank, here=self.bank), code="wrong_bank"
            )
        raw = seal(order, self.sealer)  # sealed once: a retry sends the same bytes
        headers = {"Content-Type": "application/json", "Idempotency-Key": order.order_no}
        return self._call(
            "POST", f"/v1/orders/{path}", BankResult, content=raw, headers=headers,
            what=order.order_no,
        )  # fmt: skip

    def _call(self, method: str, url: str, model: type[M], *, what: str = "", **kw: Any) -> M:
        last = ""
        for attempt in range(1, self.policy.tries + 1):
            try:
                answer = self.client.request(method, url, **kw)
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                last = type(exc).__name__
            else:
                if answer.status_code < 300:
                    try:
                        return model.model_validate_json(answer.content)
                    except ValidationError:
                        last = "bad_answer"
                elif answer.status_code < 500:
                    raise _refused(self.bank, answer)
                else:
                    last = f"http_{answer.status_code}"
            if attempt < self.policy.tries:
                if self.notify is not None:
                    self.notify(msg("fraud.bank_retry", bank=self.bank, attempt=attempt, why=last))
                self.sleep(self.policy.pause(attempt))
        raise BankUnavailable(self.bank, what or url, self.policy.tries, last)


def _refused(bank: str, answer: httpx.Response) -> BankRefused:
    try:
        body = answer.json()
        code, detail = str(body.get("code", "")), str(body.get("detail", ""))
    except ValueError:
        code, detail = f"http_{answer.status_code}", answer.text[:200]
    return BankRefused(bank, answer.status_code, code, detail)


# --- the registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class BankInfo:
    code: str
    kind: str  # bank | payment | ecny
    zh: str
    en: str
    cnaps: str | None = None


@cache
def banks(path: Path = BANKS_FILE) -> dict[str, BankInfo]:
    """The banks and payment firms that take stop orders, by code (banks.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {code: BankInfo(code=code, **entry) for code, entry in data.items()}


class Registry:
    """Bank codes → gateways. The URLs are the installation's (a YAML mapping of code → URL,
    `PINGAN_FRAUD_GATEWAYS_FILE`); the codes must be ones banks.yaml knows."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        known = banks()
        unknown = sorted(set(urls) - set(known))
        if unknown:
            raise ValidationFailed(msg("fraud.unknown_bank", bank=", ".join(unknown)))
        self.urls = dict(urls)

    @classmethod
    def from_file(cls, path: Path) -> Registry:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    @classmethod
    def from_settings(cls, settings: Settings) -> Registry:
        path = settings.fraud_gateways_file
        return cls.from_file(path) if path is not None else cls({})

    def gateway(self, code: str, sealer: Sealer, **options: Any) -> HttpBankGateway:
        if code not in banks():
            raise NotFound(msg("fraud.unknown_bank", bank=code), code="unknown_bank")
        url = self.urls.get(code)
        if url is None:
            raise ValidationFailed(msg("fraud.no_gateway", bank=code), code="no_gateway")
        return HttpBankGateway(code, url, sealer, **options)
