"""Fraud cases of the simulated world: what a victim reports and what the banks' books say.

SYNTHETIC. `make_case` draws one case from a seeded stream: a victim who paid a fraudster one
to three times (bank counter, online banking, Alipay, WeChat Pay or an ATM transfer) and
reports it minutes later; the receiving (一级) accounts, and the second-level accounts the
money was passed on to before the report, as the banks hold them — account, holder's name,
balance, and every transfer in and out (the same transfer in both banks' ledgers, so the
money trail has something to propose and a stop order for a proposed account matches). The
victim's report (`FraudReport.body`) is the core intake's CaseIn body.

Victims read the four check fields off an SMS or a receipt, and get them wrong the way people
do: `slip` makes one transfer's report differ from the bank's record in one field — a
homophone in the payee's name (张伟 for 章伟), a time remembered a few minutes off, or the
amount read off the SMS with the fee included — so the bank answers not stopped naming that
field (86号文: any inconsistency, no stop).

Nobody exists: account holders' names end in （虚构）, card numbers start 9990 with a wrong
Luhn digit and wallets 9980 (pingan.fraud.synth's conventions), fraud numbers start 100 (no
mobile number does). Victims carry a valid GB 11643 ID number of a Kangbashi birth (region
150603) and a 139 mobile number, as the help services' made-up people do (the intake checks
them like any other), and a name marked （虚构）.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pingan.fraud import synth
from pingan.fraud.bank_rules import Account, Ledger, Tx, load_rules
from pingan.sim.helpdesk import made_up_id_number, made_up_phone

BANK_TZ = ZoneInfo(load_rules().bank_timezone)
# where victims keep their money and where fraudsters rent cards (codes from banks.yaml)
CARD_BANKS = ("ICBC", "ABC", "BOC", "CCB", "BOCOM", "CMB", "PSBC", "CIB", "PAB", "CMBC")
WALLETS = {"alipay": "ALIPAY", "wechat_pay": "TENPAY"}
# how victims pay (share of transfers): mostly phone banking, then wallets, counters, ATMs
CHANNEL_WEIGHTS = {"online_banking": 0.45, "alipay": 0.15, "wechat_pay": 0.1, "bank": 0.15,
                   "atm": 0.15}  # fmt: skip
SLIPS = ("payee_name", "tx_time", "amount")  # the fields victims get wrong (86号文 names)
SLIP_SHARE = 0.25  # of reports in the simulated day, one transfer misreported
REPORT_DELAY_MIN = (6.0, 45.0)  # from the first payment to the call (most within golden time)
ATM_LIMIT_FEN = 5_000_000  # an ATM transfer of at most ¥50,000 a day
# homophones and look-alikes people write for a surname they heard on the phone
SOUNDS_ALIKE = dict(zip("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧",
                        "汪黎章柳程阳肇皇州武许荪湖珠郜琳河国玛萝良送正解寒汤凤余东肖",
                        strict=True))  # fmt: skip
STORIES = {  # what the victim says happened, by fraud type (core's FRAUD_TYPES codes)
    "rebate": "网上兼职刷单，对方称完成任务即返佣金，先按要求垫付后无法提现",
    "investment": "被拉入“荐股”群，在对方提供的理财平台充值后无法提现",
    "loan": "申请网络贷款，对方以解冻费、保证金为由要求多次转账",
    "customer_service": "接到自称电商客服电话，称商品质量问题可退款理赔，按指示转账",
    "authority": "接到自称公安机关电话，称本人涉嫌洗钱，要求将资金转入“安全账户”",
    "game": "在网上购买游戏账号，转账后卖家失联",
    "credit": "对方称可消除不良征信记录，要求转账“验证流水”",
    "acquaintance": "对方冒充单位领导添加微信，要求向指定账户转账",
    "romance": "网恋对象诱导在其推荐的平台充值，之后无法提现并被拉黑",
}


@dataclass(frozen=True)
class FraudReport:
    """The victim's report (the intake's CaseIn body, without `send`) and its answer key."""

    body: dict[str, Any]
    paid_at: datetime  # the first transfer as booked: the golden clock's start
    reported_at: datetime
    slips: dict[int, str] = field(default_factory=dict)  # transfer index -> wrong field
    booked: tuple[Tx, ...] = ()  # each reported transfer as its bank booked it

    def expected(self, i: int) -> str:
        """What the bank should answer a stop order for transfer `i` sent in time."""
        return "not_stopped" if i in self.slips else "stopped"


@dataclass(frozen=True)
class FraudCase:
    report: FraudReport
    ledgers: tuple[Ledger, ...]  # the parts of each bank's books this case wrote


@dataclass
class _Books:
    """Accounts and transfers as the banks will hold them, gathered per bank."""

    accounts: dict[str, dict[str, Account]] = field(default_factory=dict)
    txs: dict[str, list[Tx]] = field(default_factory=dict)

    def open(self, bank: str, account: Account) -> None:
        self.accounts.setdefault(bank, {})[account.number] = account

    def book(self, tx: Tx, *banks: str) -> None:
        for bank in dict.fromkeys(banks):
            self.txs.setdefault(bank, []).append(tx)

    def ledgers(self) -> tuple[Ledger, ...]:
        codes = sorted(set(self.accounts) | set(self.txs))
        return tuple(
            Ledger(code, self.accounts.get(code, {}), tuple(self.txs.get(code, ())))
            for code in codes
        )


def person(rng: random.Random) -> str:
    """A made-up holder's name, marked as such (the synthetic data's convention)."""
    return rng.choice(synth.SURNAMES) + rng.choice(synth.GIVEN_NAMES) + synth.SYNTHETIC_MARK


def account_number(rng: random.Random, bank: str) -> str:
    """A card number (9990…, wrong Luhn digit) or a wallet number (9980…): never a real one."""
    if bank in WALLETS.values():
        return f"9980{rng.randrange(10**12):012d}"
    return synth.card_number(rng.randrange(10**13))


def fraud_number(rng: random.Random) -> str:
    return synth.phone_number(rng.randrange(10**8))


def _amount(rng: random.Random, channel: str) -> int:
    """Fen: median about ¥20,000, 40 % round thousands; ATM transfers within the ATM limit."""
    yuan = min(rng.lognormvariate(9.9, 0.8), 300_000)
    fen = round(yuan / 1000) * 100_000 if rng.random() < 0.4 else round(yuan) * 100
    fen = max(fen, 50_000)
    return min(fen, ATM_LIMIT_FEN) if channel == "atm" else fen


def fee(amount_fen: int) -> int:
    """A cross-bank transfer fee: 0.1 %, at least ¥2 and at most ¥25."""
    return min(max(amount_fen // 1000, 200), 2_500)


def _serial(rng: random.Random, at: datetime) -> str:
    return f"{at.astimezone(BANK_TZ):%Y%m%d%H%M%S}{rng.randrange(10**6):06d}"


def _minute(at: datetime) -> str:
    """The time as the victim reads it off the SMS: the bank's local minute."""
    return at.astimezone(BANK_TZ).replace(second=0, microsecond=0).isoformat()


def misreport(rng: random.Random, reported: dict[str, Any], what: str) -> dict[str, Any]:
    """The transfer as a victim who got `what` wrong reports it."""
    out = dict(reported)
    if what == "payee_name":
        name = out["payee_name"]
        out["payee_name"] = SOUNDS_ALIKE.get(name[0], "章") + name[1:]
    elif what == "tx_time":
        off = rng.choice((-1, 1)) * rng.randint(3, 8)
        out["tx_time"] = _minute(datetime.fromisoformat(out["tx_time"]) + timedelta(minutes=off))
    elif what == "amount":
        out["amount_fen"] = out["amount_fen"] + fee(out["amount_fen"])  # the SMS debit line
    else:
        raise ValueError(what)
    return out


def make_case(
    rng: random.Random,
    reported_at: datetime,
    *,
    channels: Sequence[str] | None = None,
    slip: tuple[int, str] | None = None,
    fraud_type: str | None = None,
    area_code: str | None = None,
    delay_min: float | None = None,
    reuse: tuple[int, Tx] | None = None,
) -> FraudCase:
    """One victim's case, reported at `reported_at`: `channels` the payments (default one to
    three drawn), `slip` (transfer index, field) the victim's mistake (default none),
    `delay_min` minutes from the first payment to the report (default drawn), `reuse`
    (transfer index, an earlier case's booked transfer) a payment into the same account as
    that one — a syndicate reuses its rented cards across victims."""
    kind = fraud_type or rng.choice(sorted(STORIES))
    if channels is None:
        channels = draw_channels(rng, rng.choice((1, 1, 2, 2, 3)))
    delay = delay_min if delay_min is not None else rng.uniform(*REPORT_DELAY_MIN)
    paid_at = reported_at - timedelta(minutes=delay, seconds=rng.randrange(60))
    paid_at = paid_at.replace(microsecond=0)
    born = date(reported_at.year - rng.randint(22, 72), rng.randint(1, 12), rng.randint(1, 28))
    victim = {"name": person(rng), "id_number": made_up_id_number(rng, born),
              "phone": made_up_phone(rng)}  # fmt: skip
    own_bank = rng.choice(CARD_BANKS)
    if reuse is not None and own_bank == reuse[1].payee_bank:
        own_bank = rng.choice([b for b in CARD_BANKS if b != own_bank])
    own = {own_bank: account_number(rng, own_bank)}
    books = _Books()
    transfers: list[dict[str, Any]] = []
    booked: list[Tx] = []
    at = paid_at
    for n, channel in enumerate(channels):
        payer_bank = WALLETS.get(channel, own_bank)
        payer = own.setdefault(payer_bank, account_number(rng, payer_bank))
        payee_bank = WALLETS.get(channel) or rng.choice([b for b in CARD_BANKS if b != own_bank])
        amount = _amount(rng, channel)
        tx = Tx(_serial(rng, at), channel, payer, account_number(rng, payee_bank), payee_bank,
                person(rng), amount, at)  # fmt: skip
        if reuse is not None and reuse[0] == n:
            mule = reuse[1]
            tx = replace(tx, payee_account=mule.payee_account, payee_bank=mule.payee_bank,
                         payee_name=mule.payee_name)  # fmt: skip
            payee_bank = mule.payee_bank
        books.book(tx, payee_bank, payer_bank)
        passed = _pass_on(rng, books, tx, reported_at) if channel != "atm" else 0
        kept = rng.randrange(0, 200_001)  # what the mule account held before
        # an ATM transfer is credited only after 24 h: not in the balance yet (261号文)
        balance = kept + (amount - passed if channel != "atm" else 0)
        books.open(payee_bank, Account(tx.payee_account, tx.payee_name, balance))
        booked.append(tx)
        transfers.append(
            {"channel": channel, "payer_account": payer, "payer_bank": payer_bank,
             "payee_account": tx.payee_account, "payee_name": tx.payee_name,
             "payee_bank": payee_bank, "amount_fen": amount, "tx_time": _minute(at),
             "serial_no": tx.serial_no}
        )  # fmt: skip
        at += timedelta(minutes=rng.uniform(1.0, max(1.5, delay / len(channels) - 1)))
        at = min(at, reported_at - timedelta(minutes=1)).replace(microsecond=0)
    slips = {}
    if slip is not None:
        i, what = slip
        transfers[i] = misreport(rng, transfers[i], what)
        slips[i] = what
    body = {"victim": victim, "fraud_type": kind, "fraud_phone": fraud_number(rng),
            "description": STORIES[kind], "area_code": area_code,
            "transfers": transfers}  # fmt: skip
    report = FraudReport(body, paid_at, reported_at, slips, tuple(booked))
    return FraudCase(report, books.ledgers())


def _pass_on(rng: random.Random, books: _Books, tx: Tx, before: datetime) -> int:
    """The first-level account passes most of the money on (快进快出) to one or two
    second-level accounts before the victim reports; fen passed on."""
    room = (before - tx.booked_at).total_seconds() / 60 - 1
    if room < 2 or rng.random() < 0.2:
        return 0  # reported before anything moved on
    parts = rng.choice((1, 2))
    share = rng.uniform(0.5, 0.9)
    total = 0
    for k in range(parts):
        amount = int(tx.amount_fen * share / parts) // 100 * 100
        bank = "ALIPAY" if k == 1 else rng.choice([b for b in CARD_BANKS if b != tx.payee_bank])
        at = tx.booked_at + timedelta(minutes=rng.uniform(1.0, min(15.0, room)))
        onward = Tx(_serial(rng, at), "online_banking", tx.payee_account,
                    account_number(rng, bank), bank, person(rng), amount,
                    at.replace(microsecond=0))  # fmt: skip
        books.book(onward, tx.payee_bank, bank)
        spent = rng.randrange(0, amount // 2) // 100 * 100  # withdrawn in cash since
        books.open(bank, Account(onward.payee_account, onward.payee_name, amount - spent))
        total += amount
    return total


def draw_channels(rng: random.Random, n: int) -> list[str]:
    """How a victim made `n` payments (CHANNEL_WEIGHTS)."""
    names, weights = zip(*CHANNEL_WEIGHTS.items(), strict=True)
    return rng.choices(names, weights, k=n)


def draw_slip(rng: random.Random, case_channels: int) -> tuple[int, str] | None:
    """Whether (and how) the simulated day's victim misreports a transfer."""
    if rng.random() >= SLIP_SHARE:
        return None
    return rng.randrange(case_channels), rng.choice(SLIPS)


STOP_AFTER = timedelta(minutes=2)  # the demo officer's stop orders after the report
# The demo's cases (pingan demo): minutes before the demo was built, the payments, the slip;
# `reuse` (transfer, (case, transfer)): the investment victim's ATM transfer went to the card
# the customer-service victim paid the day before (one syndicate's mule card, 涉案账户网络).
DEMO_CASES = (
    {"fraud_type": "customer_service", "ago_min": 26 * 60, "delay_min": 18.0,
     "channels": ("online_banking", "alipay"), "slip": None, "area_code": "shopping_street"},
    {"fraud_type": "investment", "ago_min": 5 * 60, "delay_min": 35.0,
     "channels": ("bank", "atm", "online_banking"), "slip": (2, "payee_name"),
     "area_code": "central_square", "reuse": (1, (0, 0))},
    {"fraud_type": "authority", "ago_min": 95, "delay_min": 22.0,
     "channels": ("online_banking", "wechat_pay"), "slip": (0, "amount"),
     "area_code": "lakeside"},
    {"fraud_type": "rebate", "ago_min": 3, "delay_min": 11.0,
     "channels": ("online_banking", "online_banking"), "slip": (1, "tx_time"),
     "area_code": "music_fountain"},
)  # fmt: skip


def demo_cases(now: datetime, seed: int = 20261207) -> list[FraudCase]:
    """The demo's cases: three reported earlier (answered when the demo is built) and the
    last one minutes ago, its golden clock still running."""
    rng = random.Random(seed)
    out: list[FraudCase] = []
    for spec in DEMO_CASES:
        reuse = None
        if "reuse" in spec:
            i, (case, j) = spec["reuse"]
            reuse = (i, out[case].report.booked[j])
        out.append(
            make_case(
                rng,
                (now - timedelta(minutes=spec["ago_min"])).replace(microsecond=0),
                channels=spec["channels"],
                slip=spec["slip"],
                fraud_type=spec["fraud_type"],
                area_code=spec["area_code"],
                delay_min=spec["delay_min"],
                reuse=reuse,
            )
        )
    return out


def merged(cases: Sequence[FraudCase]) -> list[Ledger]:
    """Each bank's whole book over the cases (one ledger per bank code); an account two cases
    paid into holds what both left in it."""
    out: dict[str, Ledger] = {}
    for case in cases:
        for part in case.ledgers:
            have = out.get(part.bank)
            if have is None:
                out[part.bank] = part
                continue
            accounts = dict(have.accounts)
            for number, acc in part.accounts.items():  # a card reused by a later case
                was = accounts.get(number)
                accounts[number] = acc if was is None else replace(
                    was, balance_fen=was.balance_fen + acc.balance_fen
                )  # fmt: skip
            out[part.bank] = Ledger(part.bank, accounts, (*have.transactions, *part.transactions))
    return [out[code] for code in sorted(out)]
