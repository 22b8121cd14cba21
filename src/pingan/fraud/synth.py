"""Seeded synthetic accounts and transfers with telecom-fraud cases laid into everyday payments.

Made for tests, the demo and bench/fraud.py: nobody in it exists. The background is ordinary
life (salary on payday, shopping with a day/night rhythm, family transfers, top-ups of payment
wallets, cash at ATMs); the cases follow the layering seen in Chinese telecom fraud
(victim → 一级卡 → 二级/三级/四级卡, 快进快出 within minutes, payment-account and e-CNY
hops, ATM cash-out) in the typologies of AMLSim / AMLGentex (fan_in, fan_out, cycle,
scatter_gather, gather_scatter, bipartite, stack) next to a plain layering chain. Mule
accounts are rented personal accounts that keep their owner's everyday activity; a
syndicate's mules share a few phones and devices and are reused across its cases.

Everything is columnar (NumPy arrays) so a million accounts and five million transfers take
seconds. Amounts are integer fen. Times are integer seconds from `Dataset.start` (Beijing
time). The answer key (`Truth`) is separate: analysis code must never read it.

Identifiers are made so they can never be real ones (formatters below):
- ID numbers use region code 990000 (GB/T 2260 has no province 99) and a check character
  that is deliberately wrong (GB 11643's MOD 11-2 character shifted by one), so
  `pingan.pii.id_number.normalise_id_number` rejects every one of them;
- card numbers use the prefix 9990 (no UnionPay issuer; UnionPay cards start with 62) and a
  wrong Luhn digit;
- phone numbers start with 100, a block no mobile operator is given (mobiles start 13-19);
- names end with the mark "（虚构）".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

from pingan.pii.id_number import check_character

BEIJING = timezone(timedelta(hours=8))
DAY = 86_400
HOUR = 3_600
MINUTE = 60
YUAN = 100  # fen

# account kinds
PERSON, MERCHANT, EMPLOYER, PAYMENT, ECNY, ATM = range(6)
KIND_NAMES = ("person", "merchant", "employer", "payment", "ecny", "atm")
# transfer channels
BANK, MOBILE, ALIPAY, WECHAT, E_CNY, CASH = range(6)
CHANNEL_NAMES = ("bank", "mobile", "alipay", "wechat", "ecny", "atm")

TYPOLOGIES = (
    "layering",
    "fan_in",
    "fan_out",
    "cycle",
    "scatter_gather",
    "gather_scatter",
    "bipartite",
    "stack",
)
# share of payments in each hour of the day (Beijing): quiet at night, peaks at lunch and evening
HOURLY = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 4, 5, 5.5, 6, 7, 6, 5, 5, 5.5, 6, 7.5, 8, 8, 7, 5, 2.5]
)
ATM_LIMIT = 20_000 * YUAN  # per withdrawal
SYNTHETIC_MARK = "（虚构）"
# name parts for made-up people (the product may not import pingan.sim, which has its own)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN_NAMES = [
    "小雨",
    "子涵",
    "浩然",
    "欣怡",
    "宇轩",
    "桂兰",
    "秀英",
    "建国",
    "志强",
    "丽娟",
    "海燕",
    "俊杰",
]


@dataclass(frozen=True)
class Accounts:
    """One row per account. `owner` is the person behind it (itself for a person's bank card;
    the holder for a wallet; -1 for merchants, employers and ATMs)."""

    kind: np.ndarray  # int8
    owner: np.ndarray  # int32
    phone: np.ndarray  # int64 phone id (format with phone_number)
    device: np.ndarray  # int64 device id
    surname: np.ndarray  # int8 index into SURNAMES
    given: np.ndarray  # int16 index into given_names()

    def __len__(self) -> int:
        return len(self.kind)


@dataclass(frozen=True)
class Transfers:
    """One row per transfer, sorted by time (ties keep generation order)."""

    src: np.ndarray  # int32
    dst: np.ndarray  # int32
    t: np.ndarray  # int64 seconds from Dataset.start
    amount: np.ndarray  # int64 fen
    channel: np.ndarray  # int8

    def __len__(self) -> int:
        return len(self.src)


@dataclass(frozen=True)
class Truth:
    """The answer key the analysis is scored against."""

    mule: np.ndarray  # bool per account
    mule_case: np.ndarray  # int32 per account: first case it served, -1 if none
    transfer_case: np.ndarray  # int32 per transfer: case it belongs to, -1 for background
    case_typology: tuple[str, ...]
    case_syndicate: np.ndarray  # int32 per case
    victim_transfers: np.ndarray  # int64 transfer indices: victims' payments to the first mule
    report_t: np.ndarray  # int64 per victim transfer: when the victim reported it
    _by_case: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def case_transfers(self, case: int) -> np.ndarray:
        if case not in self._by_case:
            self._by_case[case] = np.flatnonzero(self.transfer_case == case)
        return self._by_case[case]

    def onward(self, transfers: Transfers, victim: int) -> dict[int, int]:
        """Accounts the victim's money truly reached after the first mule, with the hop count:
        a time-respecting walk over the case's transfers (the first mule itself is hop 0)."""
        case = int(self.transfer_case[victim])
        rows = self.case_transfers(case)
        start = int(transfers.dst[victim])
        reached = {start: (0, int(transfers.t[victim]))}
        for i in rows:  # rows are in time order, so one pass respects time
            s, d, t = int(transfers.src[i]), int(transfers.dst[i]), int(transfers.t[i])
            if s in reached and t >= reached[s][1] and d not in reached:
                reached[d] = (reached[s][0] + 1, t)
        return {a: hop for a, (hop, _) in reached.items() if a != start}

    def next_hops(self, transfers: Transfers, victim: int) -> set[int]:
        return {a for a, hop in self.onward(transfers, victim).items() if hop == 1}


@dataclass(frozen=True)
class Dataset:
    accounts: Accounts
    transfers: Transfers
    truth: Truth
    start: datetime
    days: int
    seed: int
    synthetic: bool = True


def given_names() -> list[str]:
    """Given names: the list plus two-character mixes of it."""
    mixes = [a[0] + b[1] for a in GIVEN_NAMES for b in GIVEN_NAMES if a != b]
    return list(GIVEN_NAMES) + mixes


_GIVEN = given_names()


def account_name(accounts: Accounts, i: int) -> str:
    kind = int(accounts.kind[i])
    if kind == PERSON:
        return SURNAMES[accounts.surname[i]] + _GIVEN[accounts.given[i]] + SYNTHETIC_MARK
    return f"{KIND_NAMES[kind]}-{i}{SYNTHETIC_MARK}"


def card_number(i: int) -> str:
    """19 digits, prefix 9990, wrong Luhn digit: never a real card."""
    body = f"9990{i:014d}"
    total = 0
    for pos, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if pos % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    good = (10 - total % 10) % 10
    return body + str((good + 1) % 10)


def phone_number(phone: int) -> str:
    return f"100{int(phone) % 100_000_000:08d}"


def id_number(accounts: Accounts, i: int) -> str:
    """Region 990000 and a wrong check character: never a valid resident ID number."""
    owner = int(accounts.owner[i])
    born = datetime(1960, 1, 1) + timedelta(days=owner * 7919 % 16_000)
    first17 = f"990000{born:%Y%m%d}{owner % 1000:03d}"
    right = "10X98765432".index(check_character(first17))
    return first17 + "10X98765432"[(right + 1) % 11]


class _Builder:
    """Collects transfers of the fraud cases (a few thousand rows, so Python lists)."""

    def __init__(self) -> None:
        self.cols: list[list[int]] = [[], [], [], [], [], []]  # src dst t amount channel case
        self.victims: list[int] = []  # row numbers of victims' transfers

    def add(self, src: int, dst: int, t: int, amount: int, channel: int, case: int) -> int:
        for col, v in zip(self.cols, (src, dst, t, amount, channel, case), strict=True):
            col.append(int(v))
        return len(self.cols[0]) - 1


@dataclass
class _Syndicate:
    persons: np.ndarray  # rented bank cards
    wallets: np.ndarray  # payment / e-CNY accounts held by its people
    phones: np.ndarray
    devices: np.ndarray


class _Cases:
    """Lays each case's transfers, drawing its mules from the syndicate's pool."""

    def __init__(self, rng: np.random.Generator, kind: np.ndarray, atms: np.ndarray) -> None:
        self.rng, self.kind, self.atms = rng, kind, atms
        self.out = _Builder()
        self.case = 0
        self.syn: _Syndicate | None = None
        self.used: set[int] = set()

    def mule(self, wallet_ok: bool = False, avoid: tuple[int | None, ...] = ()) -> int:
        """A rented card (or, lower down, a wallet) of the syndicate; reuse across cases is
        intended, a transfer to itself is not."""
        assert self.syn is not None
        pool = self.syn.wallets if wallet_ok and self.rng.random() < 0.4 else self.syn.persons
        acc = int(self.rng.choice(pool))
        while acc in avoid:
            acc = int(self.rng.choice(self.syn.persons))
        self.used.add(acc)
        return acc

    def fresh(self, n: int, taken: list[int]) -> list[int]:
        """`taken` followed by n more distinct mules (rings and layers must not repeat one)."""
        out = list(taken)
        while len(out) < len(taken) + n:
            acc = self.mule()
            if acc not in out:
                out.append(acc)
        return out

    def channel(self, dst: int) -> int:
        k = self.kind[dst]
        if k == PAYMENT:
            return ALIPAY if self.rng.random() < 0.5 else WECHAT
        if k == ECNY:
            return E_CNY
        return MOBILE

    def pay(self, src: int, dst: int, t: int, amount: int) -> None:
        self.out.add(src, dst, t, amount, self.channel(dst), self.case)

    def quick(self) -> int:
        """快进快出: a mule moves money on within minutes."""
        return int(self.rng.integers(1 * MINUTE, 15 * MINUTE))

    def victim_amount(self) -> int:
        yuan = max(500.0, float(np.exp(self.rng.normal(np.log(30_000), 0.9))))
        if self.rng.random() < 0.4:
            return int(round(yuan, -3)) * YUAN or 1000 * YUAN
        return int(yuan * YUAN)

    def victim(self, victims: np.ndarray, dst: int, t: int) -> int:
        amount = self.victim_amount()
        src = int(self.rng.choice(victims))
        row = self.out.add(src, dst, t, amount, MOBILE, self.case)
        self.out.victims.append(row)
        return amount

    def split(self, amount: int, parts: int) -> list[int]:
        """Split leaving a small remainder behind (0-1 %), shares uneven as in real layering."""
        keep = int(amount * self.rng.uniform(0, 0.01))
        w = self.rng.dirichlet(np.full(parts, 3.0))
        out = (w * (amount - keep)).astype(np.int64)
        return [int(a) for a in out if a > 0]

    def cash_out(self, acc: int, t: int, amount: int) -> None:
        """ATM withdrawals of whole hundreds up to the per-withdrawal limit."""
        t += self.quick()
        atm = int(self.rng.choice(self.atms))
        left = amount - amount % (100 * YUAN)
        while left > 0:
            take = min(left, ATM_LIMIT)
            self.out.add(acc, atm, t, take, CASH, self.case)
            left -= take
            t += int(self.rng.integers(1 * MINUTE, 5 * MINUTE))

    def forward(self, acc: int, t: int, amount: int, level: int, last: int) -> None:
        """Move money down the card levels (二级/三级/四级卡) and cash it out at the end."""
        if level >= last or (level >= 3 and self.rng.random() < 0.3):
            self.cash_out(acc, t, amount)
            return
        for part in self.split(amount, int(self.rng.integers(1, 4))):
            nxt = self.mule(wallet_ok=level >= 2, avoid=(acc,))
            when = t + self.quick()
            self.pay(acc, nxt, when, part)
            self.forward(nxt, when, part, level + 1, last)

    def lay(self, typology: str, victims: np.ndarray, t0: int) -> None:
        rng = self.rng
        last = int(rng.integers(3, 5))  # cash out at level 3 or 4
        a = self.mule()
        if typology == "layering":
            t = t0
            for _ in range(int(rng.integers(1, 4))):
                amount = self.victim(victims, a, t)
                self.forward(a, t, amount, 1, last)
                t += int(rng.integers(20 * MINUTE, 3 * HOUR))
        elif typology in ("fan_in", "gather_scatter"):
            t, total = t0, 0
            for _ in range(int(rng.integers(5, 13))):
                total += self.victim(victims, a, t)
                t += int(rng.integers(5 * MINUTE, 40 * MINUTE))
            if typology == "fan_in":
                b = self.mule(avoid=(a,))
                self.pay(a, b, t, total)
                self.forward(b, t, total, 2, last)
            else:
                self.scatter(a, t, total, int(rng.integers(4, 9)), gather=None, last=last)
        elif typology == "fan_out":
            amount = self.victim(victims, a, t0)
            self.scatter(a, t0, amount, int(rng.integers(5, 11)), gather=None, last=last)
        elif typology == "scatter_gather":
            amount = self.victim(victims, a, t0)
            b = self.mule(avoid=(a,))
            self.scatter(a, t0, amount, int(rng.integers(4, 9)), gather=b, last=last)
        elif typology == "cycle":
            amount = self.victim(victims, a, t0)
            ring = self.fresh(int(rng.integers(2, 5)), [a])
            t = t0
            for src, dst in zip(ring, ring[1:] + ring[:1], strict=True):
                t += int(rng.integers(10 * MINUTE, 60 * MINUTE))
                amount = int(amount * rng.uniform(0.97, 0.995))
                self.pay(src, dst, t, amount)
            self.forward(a, t, amount, 2, last)
        elif typology in ("bipartite", "stack"):
            taken = self.fresh(int(rng.integers(1, 3)), [a])
            layers = [taken]
            for _ in range(2 if typology == "stack" else 1):
                layers.append(self.fresh(int(rng.integers(2, 4)), taken)[len(taken) :])
                taken = taken + layers[-1]
            held = dict.fromkeys(layers[0], 0)
            t = t0
            for acc in layers[0]:
                held[acc] += self.victim(victims, acc, t)
                t += int(rng.integers(5 * MINUTE, 30 * MINUTE))
            for upper, lower in itertools.pairwise(layers):
                nxt = dict.fromkeys(lower, 0)
                for src in upper:
                    for dst, part in zip(lower, self.split(held[src], len(lower)), strict=False):
                        t += self.quick()
                        self.pay(src, dst, t, part)
                        nxt[dst] += part
                held = nxt
            for acc, amount in held.items():
                self.cash_out(acc, t, amount)
        else:  # pragma: no cover - guarded by TYPOLOGIES
            raise ValueError(typology)

    def scatter(self, a: int, t: int, amount: int, n: int, gather: int | None, last: int) -> None:
        """One account to many; with `gather`, the many pass it on to one account again."""
        pooled, arrived = 0, t
        for part in self.split(amount, n):
            b = self.mule(wallet_ok=True, avoid=(a, gather))
            when = t + self.quick()
            self.pay(a, b, when, part)
            if gather is None:
                self.cash_out(b, when, part)
                continue
            later = when + int(self.rng.integers(10 * MINUTE, 2 * HOUR))
            keep = int(part * self.rng.uniform(0.98, 1.0))
            self.pay(b, gather, later, keep)
            pooled, arrived = pooled + keep, max(arrived, later)
        if gather is not None:
            self.forward(gather, arrived, pooled, 3, last)


def _times(rng: np.random.Generator, n: int, days: int, first_day: int = 0) -> np.ndarray:
    """Seconds from the start with the day/night rhythm of HOURLY."""
    day = rng.integers(first_day, days, n)
    hour = rng.choice(24, n, p=HOURLY / HOURLY.sum())
    return day * DAY + hour * HOUR + rng.integers(0, HOUR, n)


def _lognormal_fen(rng: np.random.Generator, n: int, median_yuan: float, sigma: float):
    fen = np.exp(rng.normal(np.log(median_yuan * YUAN), sigma, n))
    return np.maximum(fen, YUAN).astype(np.int64)


def generate(
    n_accounts: int = 10_000,
    n_transfers: int = 50_000,
    *,
    seed: int = 0,
    days: int = 7,
    n_cases: int | None = None,
    start: datetime | None = None,
) -> Dataset:
    """A week (by default) of payments ending on the simulated day, when the victims report.

    Cases start in the last 36 hours; each victim reports 10 minutes to 6 hours after paying.
    """
    rng = np.random.default_rng(seed)
    start = start or datetime(2026, 11, 30, tzinfo=BEIJING)
    n_cases = n_cases if n_cases is not None else max(8, n_accounts // 5_000)

    # -- accounts ------------------------------------------------------------------------
    n_merchant = max(5, n_accounts // 50)
    n_employer = max(2, n_accounts // 200)
    n_payment = max(5, n_accounts * 3 // 100)
    n_ecny = max(3, n_accounts // 100)
    n_atm = max(2, n_accounts // 1000)
    n_person = n_accounts - n_merchant - n_employer - n_payment - n_ecny - n_atm
    counts = (n_person, n_merchant, n_employer, n_payment, n_ecny, n_atm)
    kind = np.repeat(np.arange(6, dtype=np.int8), counts)
    first = np.concatenate([[0], np.cumsum(counts)])
    persons = np.arange(first[PERSON], first[PERSON + 1], dtype=np.int32)
    merchants = np.arange(first[MERCHANT], first[MERCHANT + 1], dtype=np.int32)
    employers = np.arange(first[EMPLOYER], first[EMPLOYER + 1], dtype=np.int32)
    wallets = np.arange(first[PAYMENT], first[ATM], dtype=np.int32)  # payment and e-CNY
    atms = np.arange(first[ATM], first[ATM + 1], dtype=np.int32)

    owner = np.full(n_accounts, -1, dtype=np.int32)
    owner[persons] = persons
    owner[wallets] = rng.choice(persons, len(wallets), replace=False)
    phone = np.arange(n_accounts, dtype=np.int64) + 10_000_000
    phone[wallets] = phone[owner[wallets]]  # a wallet is registered to its holder's phone
    device = np.arange(n_accounts, dtype=np.int64) + 50_000_000
    device[wallets] = device[owner[wallets]]
    # families (three people) sometimes share one tablet: a lawful shared device
    family = rng.permutation(persons)[: len(persons) // 3 * 3].reshape(-1, 3)
    shared = family[rng.random(len(family)) < 0.1]
    device[shared[:, 1:]] = device[shared[:, :1]]
    surname = rng.integers(0, len(SURNAMES), n_accounts).astype(np.int8)
    given = rng.integers(0, len(_GIVEN), n_accounts).astype(np.int16)
    family_of = np.full(n_accounts, -1, dtype=np.int64)
    family_of[family.ravel()] = np.repeat(np.arange(len(family)), 3)

    # -- fraud cases -----------------------------------------------------------------------
    n_syn = max(1, n_cases // 5)
    rented = rng.choice(persons, min(len(persons) // 4, n_syn * 40), replace=False)
    held_wallets = rng.choice(wallets, min(len(wallets) // 4, n_syn * 10), replace=False)
    syndicates = []
    for s, (mp, mw) in enumerate(
        zip(np.array_split(rented, n_syn), np.array_split(held_wallets, n_syn), strict=True)
    ):
        syndicates.append(
            _Syndicate(
                mp,
                mw,
                phones=np.arange(3, dtype=np.int64) + 90_000_000 + 10 * s,
                devices=np.arange(2, dtype=np.int64) + 95_000_000 + 10 * s,
            )
        )
    is_rented = np.zeros(n_accounts, dtype=bool)
    is_rented[rented] = is_rented[held_wallets] = True
    victim_pool = persons[~is_rented[persons]]
    cases = _Cases(rng, kind, atms)
    case_typology = []
    case_syndicate = np.zeros(n_cases, dtype=np.int32)
    mule_case = np.full(n_accounts, -1, dtype=np.int32)
    report_end = days * DAY
    for c in range(n_cases):
        typ = TYPOLOGIES[c % len(TYPOLOGIES)]
        case_typology.append(typ)
        case_syndicate[c] = c % n_syn
        cases.case, cases.syn, cases.used = c, syndicates[c % n_syn], set()
        t0 = report_end - int(rng.integers(7 * HOUR, 36 * HOUR))
        cases.lay(typ, victim_pool, t0)
        for acc in cases.used:
            if mule_case[acc] < 0:
                mule_case[acc] = c
    mule = mule_case >= 0
    # the syndicate's people log in from a few shared phones and devices
    for syn in syndicates:
        mine = np.concatenate([syn.persons, syn.wallets])
        mine = mine[mule[mine]]
        pick = rng.random(len(mine))
        phone[mine[pick < 0.6]] = rng.choice(syn.phones, int((pick < 0.6).sum()))
        dev = rng.random(len(mine)) < 0.7
        device[mine[dev]] = rng.choice(syn.devices, int(dev.sum()))

    fraud = [np.asarray(col, dtype=np.int64) for col in cases.out.cols]
    n_fraud = len(fraud[0])

    # -- background ----------------------------------------------------------------------
    m = max(0, n_transfers - n_fraud)
    n_salary = min(len(persons) * 6 // 10, m // 10)
    n_wallet = m // 20
    n_family = m // 5
    n_cash = m // 100
    n_shop = m - n_salary - 2 * (n_wallet // 2) - n_family - n_cash
    parts = []
    emp = rng.choice(persons, n_salary, replace=False)
    boss = employers[(rng.pareto(1.2, n_salary) * 3).astype(np.int64) % len(employers)]
    pay_t = DAY + rng.integers(9 * HOUR, 12 * HOUR, n_salary)  # payday: the second day
    salary = np.round(_lognormal_fen(rng, n_salary, 6_000, 0.45), -2)
    parts.append((boss, emp, pay_t, salary, np.full(n_salary, BANK)))
    who = rng.choice(family.ravel(), n_family)
    fam = family[family_of[who]]
    other = fam[np.arange(n_family), rng.integers(0, 2, n_family)]
    other = np.where(other == who, fam[:, 2], other)
    famt = _lognormal_fen(rng, n_family, 500, 0.9)
    famt = np.where(rng.random(n_family) < 0.5, np.round(famt, -3), np.round(famt, -2))
    famt = np.maximum(famt, 10 * YUAN)
    parts.append((who, other, _times(rng, n_family, days), famt, np.full(n_family, MOBILE)))
    half = n_wallet // 2
    w = rng.choice(wallets, half)
    topup_t = _times(rng, half, days)
    wamt = np.round(_lognormal_fen(rng, half, 300, 0.7), -2)
    wch = np.where(kind[w] == ECNY, E_CNY, np.where(rng.random(half) < 0.5, ALIPAY, WECHAT))
    parts.append((owner[w], w, topup_t, wamt, wch))
    shop_w = merchants[(rng.pareto(1.0, half) * 5).astype(np.int64) % len(merchants)]
    spend = topup_t + rng.integers(10 * MINUTE, 2 * DAY, half)
    parts.append((w, shop_w, spend, (wamt * rng.uniform(0.3, 1.0, half)).astype(np.int64), wch))
    buyer = rng.choice(persons, n_shop)
    shop = merchants[(rng.pareto(1.0, n_shop) * 5).astype(np.int64) % len(merchants)]
    parts.append(
        (
            buyer,
            shop,
            _times(rng, n_shop, days),
            _lognormal_fen(rng, n_shop, 45, 1.0),
            np.where(rng.random(n_shop) < 0.5, ALIPAY, WECHAT),
        )
    )
    cash = np.round(_lognormal_fen(rng, n_cash, 800, 0.6), -4)  # whole hundreds of yuan
    parts.append(
        (
            rng.choice(persons, n_cash),
            rng.choice(atms, n_cash),
            _times(rng, n_cash, days),
            np.maximum(cash, 100 * YUAN),
            np.full(n_cash, CASH),
        )
    )
    bg = [np.concatenate([np.asarray(p[i], dtype=np.int64) for p in parts]) for i in range(5)]

    # -- together, in time order -----------------------------------------------------------
    cols = [np.concatenate([f, b]) for f, b in zip(fraud[:5], bg, strict=True)]
    case_col = np.concatenate([fraud[5], np.full(len(bg[0]), -1, dtype=np.int64)])
    order = np.argsort(cols[2], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    transfers = Transfers(
        src=cols[0][order].astype(np.int32),
        dst=cols[1][order].astype(np.int32),
        t=cols[2][order],
        amount=cols[3][order],
        channel=cols[4][order].astype(np.int8),
    )
    victims = np.sort(rank[np.asarray(cases.out.victims, dtype=np.int64)])
    delay = rng.integers(10 * MINUTE, 6 * HOUR, len(victims))
    truth = Truth(
        mule=mule,
        mule_case=mule_case,
        transfer_case=case_col[order].astype(np.int32),
        case_typology=tuple(case_typology),
        case_syndicate=case_syndicate,
        victim_transfers=victims,
        report_t=np.minimum(transfers.t[victims] + delay, report_end + 6 * HOUR),
    )
    accounts = Accounts(kind, owner, phone, device, surname, given)
    return Dataset(accounts, transfers, truth, start, days, seed)
