"""API shapes of the anti-fraud desk (docs/fraud.md, "Cases and stop orders").

Bodies refuse unknown fields. Amounts are `messages.Fen` (StrictInt fen: a float, a decimal
string or a boolean is refused, never rounded) — which is why these bodies do not derive from
`http.inputs.Input`, whose 32-bit integer bound would refuse a loss of ¥21 million or more;
every text field carries its own length and control-character check instead. Account numbers
and names are normalised as a bank compares them (`messages`), bank codes must be in
banks.yaml, fraud types in desk.yaml. Whether a transfer time is in the future is the
service's check (it needs the clock). Public shapes show personal data masked only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from pingan.fraud.desk import desk
from pingan.fraud.gateway import banks
from pingan.fraud.messages import Account, Channel, Fen, Instant, Name, Text
from pingan.http.inputs import Id, control_character
from pingan.i18n import msg
from pingan.pii.id_number import normalise_id_number
from pingan.pii.phone import normalise_phone

_CALLER = re.compile(r"^\+?[0-9]{3,20}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def _bank(value: str) -> str:
    value = value.strip().upper()
    if value not in banks():
        raise ValueError(msg("fraud.unknown_bank", bank=value))
    return value


def _fraud_type(value: str) -> str:
    if value not in desk().fraud_types:
        raise ValueError(msg("fraud.unknown_type", types=", ".join(desk().fraud_types)))
    return value


def _caller(value: str) -> str:
    """The number that called the victim: any country's, 95xxx and 400 numbers included."""
    value = _SEPARATORS.sub("", value)
    if not _CALLER.match(value):
        raise ValueError(msg("fraud.bad_fraud_phone"))
    return value


def _multiline(value: str) -> str:
    char = control_character(value, multiline=True)
    if char is not None:
        raise ValueError(msg("http.control_character", code=ord(char)))
    return value


def _reason(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError(msg("fraud.reason_needed"))
    return value


def _id_number(value: str) -> str:
    return normalise_id_number(value)  # InvalidIdNumber is a ValueError with the reason


def _phone(value: str) -> str:
    return normalise_phone(value)


BankCode = Annotated[str, Field(min_length=2, max_length=16), AfterValidator(_bank)]
FraudType = Annotated[str, Field(max_length=30), AfterValidator(_fraud_type)]
Reason = Annotated[Text, AfterValidator(_reason)]
Short = Annotated[str, Field(max_length=40), AfterValidator(_multiline)]


class Body(BaseModel):
    """A request body: no unknown fields, no NaN; each field checks its own range."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class VictimIn(Body):
    name: Name
    id_number: Annotated[str, Field(max_length=24), AfterValidator(_id_number)]
    phone: Annotated[str, Field(max_length=24), AfterValidator(_phone)]


class TransferIn(Body):
    """One payment the victim made, as their receipt shows it (the four checked fields:
    payee_name, payee_account, amount_fen, tx_time)."""

    channel: Channel
    payer_account: Account
    payer_bank: BankCode
    payee_account: Account
    payee_name: Name
    payee_bank: BankCode
    amount_fen: Fen
    tx_time: Instant
    serial_no: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class CaseIn(Body):
    victim: VictimIn
    fraud_type: FraudType
    fraud_phone: Annotated[str, Field(max_length=30), AfterValidator(_caller)] | None = None
    description: Annotated[str, Field(max_length=2000), AfterValidator(_multiline)] = ""
    area_code: Short | None = None
    transfers: list[TransferIn] = Field(min_length=1, max_length=50)
    send: bool = True


class StopsIn(Body):
    transfer_ids: list[Id] | None = Field(default=None, max_length=50)


class ReasonIn(Body):
    reason: Reason


class ReturnIn(Body):
    amount_fen: Fen
    returned_at: Instant
    reference: Text | None = None
    order_id: Id | None = None


class TrailStopIn(Body):
    account: Account
    name: Name | None = None  # the account's name where the bank's report did not give it


# --- what the API shows ------------------------------------------------------------------


class Public(BaseModel):
    """What the API shows: every time in UTC, however it was given."""

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: object) -> object:
        return value.astimezone(UTC) if isinstance(value, datetime) else value


class TransferPublic(Public):
    id: int
    channel: str
    payer_account: str
    payer_bank: str
    payee_account: str
    payee_name: str
    payee_bank: str
    amount_fen: int
    tx_time: datetime
    serial_no: str | None
    hop: int
    atm_revocable_until: datetime | None = None  # an ATM transfer: the 24 h window's end


class OrderPublic(Public):
    id: int
    case_id: int
    order_no: str
    kind: str
    bank: str
    payee_account: str
    payee_name: str
    amount_fen: int
    tx_time: datetime | None
    stop_count: int | None
    transfer_id: int | None
    parent_order_id: int | None
    status: Literal["sending", "answered", "unavailable", "refused"]
    tries: int
    error: str | None
    result: str | None
    mismatched: list[str]
    reason: str | None = None  # the bank's reason where the result alone is unclear
    stopped_at: datetime | None
    stop_until: datetime | None
    frozen_until: datetime | None
    held_fen: int | None
    returned_fen: int | None
    issued_by: str
    issued_at: datetime
    answered_at: datetime | None
    expires_soon: bool
    next: list[str]


class ReturnPublic(Public):
    id: int
    case_id: int
    order_id: int | None
    amount_fen: int
    returned_at: datetime
    reference: str | None
    recorded_by: str
    recorded_at: datetime


class CaseBrief(Public):
    id: int
    case_no: str
    status: str
    fraud_type: str
    source: str
    victim_name_masked: str
    victim_phone_masked: str
    loss_fen: int
    held_fen: int
    returned_fen: int
    golden_start: datetime
    golden_deadline: datetime  # golden_start + the bureau's golden time (desk.yaml)
    reported_at: datetime
    first_order_at: datetime | None
    first_stop_at: datetime | None
    closed_at: datetime | None
    order_counts: dict[str, int]  # by status, and answered orders by their result
    alerts: int


class CasePublic(CaseBrief):
    victim_id_masked: str
    fraud_phone: str | None
    description: str
    area_code: str | None
    incident_id: int | None  # the 110 incident the report came with, where there is one
    officer_username: str | None
    close_reason: str | None
    transfers: list[TransferPublic]
    orders: list[OrderPublic]
    returns: list[ReturnPublic]
    now: datetime


class CaseList(Public):
    items: list[CaseBrief]
    total: int


class MyCases(Public):
    items: list[CaseBrief]


class Proposal(Public):
    account: str
    bank: str | None
    name: str | None
    amount_fen: int
    last_at: datetime
    hop: int
    score: float  # the share of the traced money that reached it (0-1)
    ordered: bool  # a stop order for it exists in this case


class TrailPublic(Public):
    proposals: list[Proposal]
    fetched_at: datetime | None
    errors: list[str] = []  # banks that did not answer the last refresh, in words


class AlertPublic(Public):
    kind: Literal["stop_expiring", "freeze_expiring", "atm_window"]
    case_id: int
    case_no: str
    order_id: int | None
    transfer_id: int | None
    until: datetime
    payee_account: str
    bank: str


class AlertList(Public):
    items: list[AlertPublic]


# --- mule networks across stored cases (casenet.py) ---------------------------------------


class RuleHit(Public):
    rule: str  # an engine rule (network.POINTS) or shared_account
    points: int
    figures: dict[str, int]  # the numbers that made it fire (network.explain)


class StopVia(Public):
    """Where a stop order for the account can be sent from: the case's transfer into it
    (POST /fraud/cases/{case_id}/stops), or else the case's trail (.../trail/stop)."""

    case_id: int
    transfer_id: int | None


class NetworkAccount(Public):
    account: str  # in full for the accounts money went to; masked for victims' own
    victim: bool  # a victim's own payer account
    score: int = 0
    inflow_fen: int = 0
    cases: list[str] = []  # case numbers it received money in
    rules: list[RuleHit] = []
    held: Literal["stopped", "frozen", "ordered"] | None = None
    stop: StopVia | None = None  # set where no order names it yet


class NetworkCase(Public):
    id: int
    case_no: str


class NetworkLink(Public):
    kind: Literal["shared_account", "shared_fraud_phone"]
    value: str  # the account or the fraud number
    cases: list[str]


class NetworkPublic(Public):
    cases: list[NetworkCase]
    accounts: list[NetworkAccount]
    links: list[NetworkLink]
    amount_in_fen: int  # victims' payments into the network's accounts
    score: int  # the highest account score


class NetworkList(Public):
    items: list[NetworkPublic]
