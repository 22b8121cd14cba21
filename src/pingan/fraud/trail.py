"""Money trail: where a victim's payment went next, and which accounts to stop.

From the victim's transfer into the first account (一级卡) we follow transfers out of each
receiving account at or after the moment the traced money arrived, hop by hop, up to a hop
limit and a time horizon, and propose the accounts that received the most of it, the most
recently, with the path that led there.

Allocation rule: first in, first out (FIFO) over the account's own inflows. Money that was
already in the account (inflows minus outflows over the `lookback` before the traced inflow,
never below zero: we assume an empty account at the start of the lookback) leaves first; the
traced inflow leaves next, each outflow taking the slice of the queue it covers. When only
part of an inflow is traced (an earlier hop split it), each fen of it carries the same traced
share. Why FIFO and not proportional: a proportional (pro-rata) split needs the true balance at
every moment, which banks report only for accounts already under a stop order; FIFO needs
only the transfers, gives the exact answer for 快进快出 pass-through chains and for fan-in
accounts that pool several victims before one outgoing transfer (each victim gets its own
slice, so two victims' traces never claim the same money), and is the convention of bank
fund-tracing reports. Amounts are integer fen; each slice is floored, and the fen lost to
flooring are counted (`rounding`), so held + cashed out + dropped + rounding == the amount.

The index and the tracing are NumPy over the columnar transfers (synth.Transfers); the walk
itself is a small Python loop over the accounts reached, a few hundred per victim.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pingan.fraud.synth import ATM, HOUR, YUAN, Transfers


@dataclass(frozen=True)
class FlowIndex:
    """Transfers grouped by sender and by receiver, in time order within each account."""

    transfers: Transfers
    out_rows: np.ndarray  # transfer rows sorted by (src, t)
    out_ptr: np.ndarray  # account -> slice of out_rows
    in_rows: np.ndarray
    in_ptr: np.ndarray
    sink: np.ndarray  # bool per account: money that reaches it is cash, not an account

    def outflows(self, account: int) -> np.ndarray:
        return self.out_rows[self.out_ptr[account] : self.out_ptr[account + 1]]

    def inflows(self, account: int) -> np.ndarray:
        return self.in_rows[self.in_ptr[account] : self.in_ptr[account + 1]]


def build_index(transfers: Transfers, kind: np.ndarray) -> FlowIndex:
    """Stable sorts keep the global time order inside each account's group."""
    n = len(kind)
    out_rows = np.argsort(transfers.src, kind="stable")
    in_rows = np.argsort(transfers.dst, kind="stable")
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(transfers.src, minlength=n), out=out_ptr[1:])
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(transfers.dst, minlength=n), out=in_ptr[1:])
    return FlowIndex(transfers, out_rows, out_ptr, in_rows, in_ptr, kind == ATM)


@dataclass(frozen=True)
class Candidate:
    """An account the traced money reached: a proposal for the next stop order."""

    account: int
    amount: int  # traced fen that arrived (over all paths)
    held: int  # traced fen not seen leaving by the horizon
    last_t: int  # latest arrival of traced money
    hops: int  # fewest hops from the first account (which is hop 0)
    path: tuple[int, ...]  # transfer rows of the heaviest path here, victim's transfer first


@dataclass(frozen=True)
class Trail:
    account: int
    amount: int
    t: int
    candidates: tuple[Candidate, ...]  # best first: traced amount, then most recent
    cashed_out: int  # fen withdrawn at ATMs (sinks)
    dropped: int  # fen in slices below min_slice, not followed
    beyond: int  # fen that left the last hop's accounts (beyond max_hops)
    rounding: int


@dataclass(frozen=True)
class TrailParams:
    max_hops: int = 4
    horizon: int = 72 * HOUR  # seconds after the victim's payment
    lookback: int = 24 * HOUR
    min_slice: int = 100 * YUAN


def allocate(
    in_amount: np.ndarray,
    out_amount: np.ndarray,
    out_before: int,
    traced: int,
    inflow: int,
) -> tuple[list[int], int]:
    """FIFO: the traced share of each outflow (integer fen) and the fen lost to flooring.

    `in_amount` are the account's inflows in the lookback before the traced inflow,
    `out_before` what left in that time, `out_amount` the outflows at or after it in time
    order, `inflow` the traced inflow's whole amount of which `traced` fen are traced."""
    prior = max(0, int(in_amount.sum()) - out_before)
    end = np.cumsum(out_amount)
    begin = end - out_amount
    overlap = np.clip(np.minimum(end, prior + inflow) - np.maximum(begin, prior), 0, None)
    share = overlap * traced // inflow
    covered = int(overlap.sum()) * traced // inflow
    return [int(s) for s in share], covered - int(share.sum())


def trace(
    index: FlowIndex,
    account: int,
    amount: int,
    t: int,
    *,
    params: TrailParams | None = None,
    as_of: int | None = None,
    first_row: int = -1,
) -> Trail:
    """Follow `amount` fen that reached `account` at `t`; only transfers up to `as_of` (the
    moment of the query: what banks have reported so far) are seen."""
    p = params or TrailParams()
    tr = index.transfers
    until = t + p.horizon if as_of is None else min(t + p.horizon, as_of)
    got: dict[int, list] = {}  # account -> [amount, held, last_t, hops, path, path_amount]
    cashed = dropped = beyond = rounding = 0
    stack = [(account, t, amount, amount, 0, (first_row,) if first_row >= 0 else ())]
    while stack:
        acc, t_in, traced, inflow, hops, path = stack.pop()
        entry = got.setdefault(acc, [0, 0, t_in, hops, path, -1])
        entry[0] += traced
        entry[2] = max(entry[2], t_in)
        entry[3] = min(entry[3], hops)
        if traced > entry[5]:
            entry[4], entry[5] = path, traced
        outs = index.outflows(acc)
        out_t = tr.t[outs]
        lo = np.searchsorted(out_t, t_in - p.lookback)
        mid = np.searchsorted(out_t, t_in)
        hi = np.searchsorted(out_t, until, side="right")
        ins = index.inflows(acc)
        in_t = tr.t[ins]
        ilo = np.searchsorted(in_t, t_in - p.lookback)
        imid = np.searchsorted(in_t, t_in)
        after = outs[mid:hi]
        shares, lost = allocate(
            tr.amount[ins[ilo:imid]],
            tr.amount[after],
            int(tr.amount[outs[lo:mid]].sum()),
            traced,
            inflow,
        )
        rounding += lost
        left = traced - sum(shares) - lost
        entry[1] += left
        for row, share in zip(after, shares, strict=True):
            if share == 0:
                continue
            dst = int(tr.dst[row])
            if index.sink[dst]:
                cashed += share
            elif share < p.min_slice:
                dropped += share
            elif hops >= p.max_hops:
                beyond += share
            else:
                stack.append(
                    (dst, int(tr.t[row]), share, int(tr.amount[row]), hops + 1, (*path, int(row)))
                )
    cands = [Candidate(a, e[0], e[1], e[2], e[3], e[4]) for a, e in got.items()]
    cands.sort(key=lambda c: (-c.amount, -c.last_t, c.account))
    return Trail(account, amount, t, tuple(cands), cashed, dropped, beyond, rounding)


def trace_transfer(
    index: FlowIndex, row: int, *, params: TrailParams | None = None, as_of: int | None = None
) -> Trail:
    """The trail of one reported transfer (the victim's payment to the first account)."""
    tr = index.transfers
    return trace(
        index,
        int(tr.dst[row]),
        int(tr.amount[row]),
        int(tr.t[row]),
        params=params,
        as_of=as_of,
        first_row=row,
    )
