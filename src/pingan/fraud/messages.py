"""The messages between the platform and a bank or payment firm (银发〔2016〕86号): stop
(紧急止付指令), freeze, release, ATM revocation, and the bank's result (紧急止付结果反馈).

Amounts are integer fen everywhere: a float or a decimal string is refused, never rounded, so
the amount a bank compares is exactly the one the victim reported. Times carry their offset.
What is sealed is the order's RFC 8785 (JCS) form, so the platform and any bank get the same
bytes from the same order whatever their JSON library:

    {"order": {...}, "seal": {"kid", "alg", "sig"}}
    sig over JCS({"type": SEAL_TYPE, "order": {...}})
"""

from __future__ import annotations

import binascii
import json
import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol, get_args

import rfc8785
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
)

from pingan.http.inputs import _in_range, _iso_only, control_character
from pingan.i18n import msg
from pingan.pii.name import mask_name
from pingan.trust.signing import Signature, Verdict, verify
from pingan.trust.signing.jwk import b64u, unb64u

SEAL_TYPE = "pingan.fraud.order.v1"
MAX_FEN = 10**15  # ¥10 trillion: far above any account; bounds what a bank must hold as an integer
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{6,40}$")
_SEPARATORS = re.compile(r"[\s\-]")

Channel = Literal["bank", "online_banking", "alipay", "wechat_pay", "atm", "ecny"]
Field4 = Literal["payee_name", "payee_account", "amount", "tx_time"]
Result = Literal[
    "stopped",
    "not_stopped",
    "already_stopped",
    "stop_limit_reached",
    "frozen",
    "unknown_account",
    "revoked",
    "not_revoked",
    "too_late",
    "released",
    "not_held",
]
CHANNELS: tuple[str, ...] = get_args(Channel)
FIELDS: tuple[str, ...] = get_args(Field4)  # the four 86号文 check fields
RESULTS: tuple[str, ...] = get_args(Result)


def normalise_name(value: str) -> str:
    """An account name as a bank compares it: Unicode NFC, surrounding whitespace dropped and
    inner runs of whitespace (full-width spaces included) made one space."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def normalise_account(value: str) -> str:
    """An account number without the spaces and hyphens people group it with."""
    return _SEPARATORS.sub("", value)


def _one_line(value: str) -> str:
    char = control_character(value)
    if char is not None:
        raise ValueError(msg("http.control_character", code=ord(char)))
    return value


def _name(value: str) -> str:
    value = normalise_name(value)
    if not value:
        raise ValueError(msg("fraud.bad_name"))
    return value


def _account(value: str) -> str:
    value = normalise_account(value)
    if not _ACCOUNT.match(value):
        raise ValueError(msg("fraud.bad_account"))
    return value


def _masked(value: str) -> str:
    """Officers are named masked (李**) in every message: a bank needs the unit, not the name."""
    return value if "*" in value else mask_name(value)


Text = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)]
Name = Annotated[Text, AfterValidator(_name)]
Account = Annotated[str, Field(max_length=60), AfterValidator(_account)]
Officer = Annotated[Text, AfterValidator(_masked)]
Fen = Annotated[StrictInt, Field(ge=1, le=MAX_FEN, description="integer fen (分)")]
HeldFen = Annotated[StrictInt, Field(ge=0, le=MAX_FEN)]
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_in_range)]
Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]


class Message(BaseModel):
    """Every message: no unknown fields, immutable, strict about amounts."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CheckFields(Message):
    """The four fields a bank checks against its ledger (86号文: 户名、账号、金额、交易时间)."""

    payee_name: Name
    payee_account: Account
    amount_fen: Fen
    tx_time: Instant


class Order(Message):
    """What every order carries: its number (the idempotency key), the case, who asks, when."""

    order_no: Text
    case_no: Text
    bank: Code
    requesting_unit: Text
    officer: Officer
    issued_at: Instant


class StopOrder(Order):
    """紧急止付指令: one order per receiving account; the second stop of an account says so."""

    kind: Literal["stop"] = "stop"
    check: CheckFields
    tx_serial_no: Text
    channel: Channel
    stop_count: Literal[1, 2] = 1


class FreezeOrder(Order):
    """冻结: after the stops, for six calendar months; `renewal_of` names the freeze renewed."""

    kind: Literal["freeze"] = "freeze"
    payee_name: Name
    payee_account: Account
    amount_fen: Fen
    renewal_of: Text | None = None


class ReleaseOrder(Order):
    """解除止付/冻结 of an account, naming the order that held it."""

    kind: Literal["release"] = "release"
    payee_account: Account
    release_of: Text
    reason: Text


class AtmRevocation(Order):
    """ATM transfer revocation (银发〔2016〕261号: within 24 h of the transfer)."""

    kind: Literal["atm_revoke"] = "atm_revoke"
    check: CheckFields
    tx_serial_no: Text


AnyOrder = Annotated[
    StopOrder | FreezeOrder | ReleaseOrder | AtmRevocation, Field(discriminator="kind")
]


class BankResult(Message):
    """紧急止付结果反馈: what the bank did, on its own clock. `mismatched` names each check
    field that differed when the answer is not_stopped; `stop_until` is `stopped_at` + 48 h."""

    order_no: str
    bank: str
    kind: Literal["stop", "freeze", "release", "atm_revoke"]
    result: Result
    mismatched: tuple[Field4, ...] = ()
    payee_account: str | None = None
    answered_at: datetime
    stopped_at: datetime | None = None
    stop_until: datetime | None = None
    stop_count: int = 0
    frozen_until: datetime | None = None
    balance_held_fen: HeldFen = 0
    returned_fen: HeldFen = 0  # an ATM transfer revoked: what goes back to the payer
    reason: str | None = None  # not_atm, already_revoked, … where the result alone is unclear


class Transfer(Message):
    """One ledger entry as a bank reports it (onward transfers out of an account)."""

    serial_no: str
    channel: Channel
    payer_account: str
    payee_account: str
    payee_bank: str
    amount_fen: HeldFen
    booked_at: datetime


class OnwardReport(Message):
    """Where money went next: transfers out of `account` booked at or after `since`."""

    bank: str
    account: str
    since: datetime
    transfers: tuple[Transfer, ...]


class AccountState(Message):
    bank: str
    account: str
    name_masked: str
    balance_fen: HeldFen
    held_fen: HeldFen
    status: Literal["open", "stopped", "frozen"]
    stop_count: int
    stop_until: datetime | None = None
    frozen_until: datetime | None = None


# --- the seal ----------------------------------------------------------------------------


class Sealer(Protocol):
    """What seals an order: the platform's `pingan.trust.signing.Signer`."""

    def sign(self, payload: bytes) -> Signature: ...


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def _payload(order: dict[str, Any]) -> bytes:
    return canonical({"type": SEAL_TYPE, "order": order})


def order_json(order: Order) -> dict[str, Any]:
    return order.model_dump(mode="json")


def seal(order: Order, sealer: Sealer) -> bytes:
    """The sealed order's bytes, sent as they are (and re-sent as they are on a retry)."""
    body = order_json(order)
    return canonical({"order": body, "seal": sealer.sign(_payload(body)).as_dict()})


class SealError(ValueError):
    """A sealed order that does not hold; `code` says why (malformed, not_canonical, no_seal,
    invalid_order, or the signing service's reasons: unknown_key, key_revoked, bad_signature…)."""

    def __init__(self, code: str, detail: Any = None) -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


class _Envelope(Message):
    order: AnyOrder


def open_sealed(raw: bytes, keys: Any) -> StopOrder | FreezeOrder | ReleaseOrder | AtmRevocation:
    """Check a sealed order against the platform's published key list and read it; SealError
    if the bytes are not canonical, the seal is missing or does not verify, or the order is
    not a valid order (a float amount, say) — the seal is checked before the order is read."""
    try:
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict):
            raise SealError("malformed")
        if canonical(doc) != raw:
            raise SealError("not_canonical")
        if "seal" not in doc:
            raise SealError("no_seal")
        if set(doc) != {"order", "seal"} or not isinstance(doc["order"], dict):
            raise SealError("malformed")
        s = doc["seal"]
        sig = Signature(s["kid"], s["alg"], unb64u(s["sig"]))
        if b64u(sig.value) != s["sig"]:
            raise SealError("malformed")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        if isinstance(exc, SealError):
            raise
        raise SealError("malformed") from exc
    verdict: Verdict = verify(keys, sig.key_id, _payload(doc["order"]), sig)
    if not verdict:
        raise SealError(verdict.reason or "bad_signature")
    try:
        return _Envelope.model_validate({"order": doc["order"]}).order
    except ValidationError as exc:
        raise SealError("invalid_order", exc.errors(include_url=False)) from exc
