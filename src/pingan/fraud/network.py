"""Mule-account networks across cases: behaviour features, links, and an explainable score.

Every feature is a NumPy pass over the columnar transfers (synth.Transfers, in time order);
components use SciPy's sparse graph routines. Why NumPy + SciPy and not a graph library: the
work is sorts, searchsorted windows and group reductions over millions of rows, which NumPy
does in C without building per-node objects; SciPy (already a dependency) supplies connected
components. Polars was measured for the window counts and was not faster on one core (see
docs/fraud.md, "Benchmark"); NetworkX, the baseline, needs minutes and gigabytes for the same.

Rules (each with the numbers that made it fire, see `explain`):
- fan_in / fan_out: ≥ FAN new counterparties (first transfer of ≥ ¥1,000 between the pair) in a
  72 h window;
- pass_through (快进快出): ≥ ¥5,000 and ≥ half of all inflow sent on within 60 min of arriving;
- cash_out: ≥ ¥5,000 withdrawn at ATMs within 60 min of an inflow;
- cycle: on a time-respecting cycle of 3-5 transfers of ≥ ¥1,000 within 72 h, each hop passing
  on between half and all of the previous hop's amount;
- shared_phone / shared_device: the account's phone or device is registered to accounts of
  other people (a person's own wallets share their phone lawfully; a family tablet is shared by
  up to three people, hence the higher bar for devices);
- network: linked (shared phone/device, or a ≥ ¥1,000 transfer between accounts that fired a
  behaviour rule) into a component holding ≥ 3 accounts that fired a behaviour rule.
An account with score ≥ THRESHOLD is reported as a likely mule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pingan.fraud.synth import HOUR, MINUTE, YUAN, Accounts, Transfers
from pingan.fraud.trail import FlowIndex, build_index

WINDOW = 72 * HOUR
QUICK = 60 * MINUTE
FAN = 5
PASS_MIN = 5_000 * YUAN
PASS_SHARE = 0.5
CASH_MIN = 5_000 * YUAN
BIG = 1_000 * YUAN  # AMLSim's 'minimum individual amount' for fan and cycle rules
CYCLE_LENGTHS = (3, 5)
PHONE_OTHERS = 2
DEVICE_OTHERS = 3
NETWORK_MIN = 3
POINTS = {
    "fan_in": 1,
    "fan_out": 1,
    "pass_through": 3,
    "cash_out": 2,
    "cycle": 2,
    "shared_phone": 2,
    "shared_device": 2,
    "network": 1,
}
BEHAVIOUR = ("fan_in", "fan_out", "pass_through", "cash_out", "cycle")
THRESHOLD = 4
_SHIFT = 21  # bits for seconds in packed (account, time) keys: 24 days


@dataclass(frozen=True)
class Features:
    """Per-account figures the rules read; all arrays have one row per account."""

    fan_in: np.ndarray
    fan_out: np.ndarray
    inflow: np.ndarray  # fen received
    quick_out: np.ndarray  # fen sent on within QUICK of an inflow (ATM included)
    quick_cash: np.ndarray  # fen withdrawn at ATMs within QUICK of an inflow
    cycles: np.ndarray  # time-respecting cycles the account is on
    phone_others: np.ndarray  # other owners on the same phone
    device_others: np.ndarray
    component: np.ndarray  # link-graph component id
    component_flagged: np.ndarray  # behaviour-flagged accounts in that component
    fired: dict[str, np.ndarray]  # rule -> bool per account
    score: np.ndarray
    cycle_list: list[tuple[int, ...]]  # transfer rows of each cycle, in time order


def _packed(account: np.ndarray, t: np.ndarray) -> np.ndarray:
    if len(t) and int(t.max()) >= 1 << _SHIFT:
        raise ValueError("transfers span more than 24 days")
    return (account.astype(np.int64) << _SHIFT) | t


def fan_counts(owner_side: np.ndarray, other: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """Most new counterparties in any WINDOW, per account (`owner_side` receives for fan-in).

    A counterparty is new at its first transfer with the account; windows end at each such
    first transfer and reach back WINDOW (exclusive)."""
    pair = owner_side.astype(np.int64) * n + other
    _, first = np.unique(pair, return_index=True)  # rows are in time order: first = earliest
    key = np.sort(_packed(owner_side[first], t[first]))
    inside = np.arange(len(key)) - np.searchsorted(key, key - WINDOW, side="right") + 1
    acc = key >> _SHIFT
    out = np.zeros(n, dtype=np.int64)
    np.maximum.at(out, acc, inside)
    return out


def quick_flows(index: FlowIndex) -> tuple[np.ndarray, ...]:
    """Inflow, outflow within QUICK after the latest inflow (one of the same second counts as
    earlier), and the part of that outflow withdrawn at ATMs; per account, in fen."""
    tr, n = index.transfers, len(index.sink)
    in_key = _packed(tr.dst[index.in_rows], tr.t[index.in_rows])  # sorted: the index's order
    rows = index.out_rows  # sorted queries: searchsorted walks both arrays in order
    pos = np.searchsorted(in_key, _packed(tr.src[rows], tr.t[rows]), side="right") - 1
    prev = index.in_rows[np.maximum(pos, 0)]
    src = tr.src[rows]
    quick = (pos >= 0) & (tr.dst[prev] == src) & (tr.t[rows] - tr.t[prev] <= QUICK)
    amount = tr.amount.astype(np.float64)  # bincount sums in float64: exact below 2**53 fen
    inflow = np.bincount(tr.dst, weights=amount, minlength=n)
    out_amount = amount[rows]
    quick_out = np.bincount(src[quick], weights=out_amount[quick], minlength=n)
    cash = quick & index.sink[tr.dst[rows]]
    atm = np.bincount(src[cash], weights=out_amount[cash], minlength=n)
    return tuple(np.rint(x).astype(np.int64) for x in (inflow, quick_out, atm))


def cycles(tr: Transfers, n: int) -> list[tuple[int, ...]]:
    """Time-respecting simple cycles of CYCLE_LENGTHS transfers (rows, in time order).

    Paths grow one transfer at a time as arrays: each later transfer leaves the path's last
    account at or after the path's last time, within WINDOW of its first, carrying between half
    and all of the previous amount. A cycle is found once, from its earliest transfer."""
    keep = np.flatnonzero(tr.amount >= BIG)
    # accounts on a cycle both send and receive: prune the rest until nothing changes
    while True:
        src, dst = tr.src[keep], tr.dst[keep]
        has_out = np.bincount(src, minlength=n) > 0
        has_in = np.bincount(dst, minlength=n) > 0
        ok = has_in[src] & has_out[src] & has_in[dst] & has_out[dst]
        if ok.all():
            break
        keep = keep[ok]
    src, dst, t, amt = tr.src[keep], tr.dst[keep], tr.t[keep], tr.amount[keep]
    order = np.argsort(src, kind="stable")  # keep is in time order
    skey = _packed(src[order], t[order])
    lo_len, hi_len = CYCLE_LENGTHS
    paths = np.arange(len(keep))[:, None]  # columns: positions in keep
    found: list[tuple[int, ...]] = []
    for length in range(2, hi_len + 1):
        last = paths[:, -1]
        first = paths[:, 0]
        lo = np.searchsorted(skey, _packed(dst[last], t[last]))
        hi = np.searchsorted(skey, _packed(dst[last], t[first] + WINDOW), side="right")
        count = hi - lo
        which = np.repeat(np.arange(len(paths)), count)
        step = order[np.repeat(lo - np.cumsum(count) + count, count) + np.arange(count.sum())]
        prev = paths[which, -1]
        good = (amt[step] <= amt[prev]) & (2 * amt[step] >= amt[prev])
        which, step = which[good], step[good]
        grown = np.column_stack([paths[which], step])
        start = src[grown[:, 0]]
        closes = dst[step] == start
        if length >= lo_len:
            for row in grown[closes]:
                found.append(tuple(int(keep[i]) for i in row))
        # a simple path: the new account is none of those already on it
        fresh = ~closes
        for col in range(length):
            fresh &= src[grown[:, col]] != dst[step]
        paths = grown[fresh]
        if not len(paths):
            break
    return found


def owners_sharing(key: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per account: how many other owners use the same phone (or device)."""
    n = len(owner)
    who = np.where(owner >= 0, owner, np.arange(n))  # businesses and ATMs own themselves
    pairs = np.unique(key.astype(np.int64) * n + who)
    keys, per_key = np.unique(pairs // n, return_counts=True)
    return per_key[np.searchsorted(keys, key)] - 1


def analyse(accounts: Accounts, tr: Transfers, index: FlowIndex | None = None) -> Features:
    """All features, rules and scores; `index` is the money trail's (built here if not given)."""
    n = len(accounts)
    index = index or build_index(tr, accounts.kind)
    sink = index.sink
    big = tr.amount >= BIG
    fan_in = fan_counts(tr.dst[big], tr.src[big], tr.t[big], n)
    fan_out = fan_counts(tr.src[big], tr.dst[big], tr.t[big], n)
    inflow, quick_out, quick_cash = quick_flows(index)
    cycle_list = cycles(tr, n)
    on_cycle = np.zeros(n, dtype=np.int64)
    for rows in cycle_list:
        np.add.at(on_cycle, np.unique(tr.src[list(rows)]), 1)
    phone_others = owners_sharing(accounts.phone, accounts.owner)
    device_others = owners_sharing(accounts.device, accounts.owner)
    fired = rules(
        fan_in, fan_out, inflow, quick_out, quick_cash, on_cycle, phone_others, device_others, sink
    )
    behaviour = flagged_behaviour(fired)
    component, flagged = link_components(accounts, tr, behaviour, phone_others, device_others)
    fired["network"] = flagged >= NETWORK_MIN
    score = total(fired)
    return Features(
        fan_in,
        fan_out,
        inflow,
        quick_out,
        quick_cash,
        on_cycle,
        phone_others,
        device_others,
        component,
        flagged,
        fired,
        score,
        cycle_list,
    )


def rules(
    fan_in: np.ndarray,
    fan_out: np.ndarray,
    inflow: np.ndarray,
    quick_out: np.ndarray,
    quick_cash: np.ndarray,
    on_cycle: np.ndarray,
    phone_others: np.ndarray,
    device_others: np.ndarray,
    sink: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every rule but `network` (which needs the others first), as bool arrays."""
    return {
        "fan_in": (fan_in >= FAN) & ~sink,
        "fan_out": fan_out >= FAN,
        "pass_through": (quick_out >= PASS_MIN) & (quick_out >= PASS_SHARE * inflow),
        "cash_out": quick_cash >= CASH_MIN,
        "cycle": on_cycle > 0,
        "shared_phone": phone_others >= PHONE_OTHERS,
        "shared_device": device_others >= DEVICE_OTHERS,
    }


def flagged_behaviour(fired: dict[str, np.ndarray]) -> np.ndarray:
    out = np.zeros(len(fired["fan_in"]), dtype=bool)
    for rule in BEHAVIOUR:
        out |= fired[rule]
    return out


def total(fired: dict[str, np.ndarray]) -> np.ndarray:
    score = np.zeros(len(fired["fan_in"]), dtype=np.int64)
    for rule, hit in fired.items():
        score += POINTS[rule] * hit
    return score


def link_components(
    accounts: Accounts,
    tr: Transfers,
    behaviour: np.ndarray,
    phone_others: np.ndarray,
    device_others: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Components of the link graph, and per account the behaviour-flagged accounts in its
    component. Shared phones/devices link accounts of different owners (a star per phone);
    transfers of ≥ BIG link two behaviour-flagged accounts."""
    n = len(accounts)
    a, b = [], []
    for key, others in ((accounts.phone, phone_others), (accounts.device, device_others)):
        rows = np.flatnonzero(others > 0)
        order = rows[np.argsort(key[rows], kind="stable")]
        k = key[order]
        head = order[np.searchsorted(k, k)]  # the first account on each phone/device
        a.append(order)
        b.append(head)
    pick = (tr.amount >= BIG) & behaviour[tr.src] & behaviour[tr.dst]
    a.append(tr.src[pick].astype(np.int64))
    b.append(tr.dst[pick].astype(np.int64))
    i, j = np.concatenate(a), np.concatenate(b)
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=False)
    flagged = np.bincount(label, weights=behaviour, minlength=label.max() + 1)
    return label, flagged.astype(np.int64)[label]


def likely_mules(f: Features) -> np.ndarray:
    return np.flatnonzero(f.score >= THRESHOLD)


def explain(f: Features, account: int) -> list[dict]:
    """The rules that fired for one account, with their points and the numbers behind them."""
    figures = {
        "fan_in": {"new_senders_72h": int(f.fan_in[account])},
        "fan_out": {"new_receivers_72h": int(f.fan_out[account])},
        "pass_through": {
            "quick_out_fen": int(f.quick_out[account]),
            "inflow_fen": int(f.inflow[account]),
        },
        "cash_out": {"atm_within_60min_fen": int(f.quick_cash[account])},
        "cycle": {"cycles": int(f.cycles[account])},
        "shared_phone": {"other_owners": int(f.phone_others[account])},
        "shared_device": {"other_owners": int(f.device_others[account])},
        "network": {"flagged_in_component": int(f.component_flagged[account])},
    }
    return [
        {"rule": rule, "points": POINTS[rule], **figures[rule]}
        for rule, hit in f.fired.items()
        if hit[account]
    ]
