"""NetworkX baseline for the money trail and the mule-network features (bench/fraud.py).

The same definitions as pingan.fraud.trail and pingan.fraud.network, written the plain way over
a NetworkX multigraph (one edge per transfer, keyed by its row), so that the tests can check
the columnar code against it and the benchmark can time both on the same data.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

import networkx as nx
import numpy as np

from pingan.fraud import network as net
from pingan.fraud.synth import ATM, Accounts, Dataset, Transfers
from pingan.fraud.trail import Candidate, Trail, TrailParams, allocate


def build_graph(data: Dataset) -> nx.MultiDiGraph:
    tr = data.transfers
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(data.accounts)))
    g.add_edges_from(
        (int(s), int(d), row, {"t": int(t), "amount": int(a)})
        for row, (s, d, t, a) in enumerate(
            zip(tr.src.tolist(), tr.dst.tolist(), tr.t.tolist(), tr.amount.tolist(), strict=True)
        )
    )
    return g


def _out(g: nx.MultiDiGraph, acc: int) -> list[tuple[int, int, int, int]]:
    """(row, dst, t, amount) of an account's outgoing transfers, in row (= time) order."""
    return sorted(
        (k, v, e["t"], e["amount"]) for _, v, k, e in g.out_edges(acc, keys=True, data=True)
    )


def trace(
    g: nx.MultiDiGraph,
    sinks: set[int],
    tr: Transfers,
    row: int,
    params: TrailParams | None = None,
) -> Trail:
    """The trail of a reported transfer (its receiver, amount and time as the victim gives)."""
    p = params or TrailParams()
    return trace_from(g, sinks, int(tr.dst[row]), int(tr.amount[row]), int(tr.t[row]), p, row)


def trace_from(
    g: nx.MultiDiGraph,
    sinks: set[int],
    account: int,
    amount: int,
    t: int,
    p: TrailParams,
    row: int,
) -> Trail:
    until = t + p.horizon
    got: dict[int, list] = {}
    cashed = dropped = beyond = rounding = 0
    stack = [(account, t, amount, amount, 0, (row,))]
    while stack:
        acc, t_in, traced, inflow, hops, path = stack.pop()
        entry = got.setdefault(acc, [0, 0, t_in, hops, path, -1])
        entry[0] += traced
        entry[2] = max(entry[2], t_in)
        entry[3] = min(entry[3], hops)
        if traced > entry[5]:
            entry[4], entry[5] = path, traced
        ins = [
            e["amount"]
            for _, _, e in g.in_edges(acc, data=True)
            if t_in - p.lookback <= e["t"] < t_in
        ]
        outs = _out(g, acc)
        before = sum(a for _, _, tt, a in outs if t_in - p.lookback <= tt < t_in)
        after = [o for o in outs if t_in <= o[2] <= until]
        shares, lost = allocate(
            np.array(ins, dtype=np.int64),
            np.array([o[3] for o in after], dtype=np.int64),
            before,
            traced,
            inflow,
        )
        rounding += lost
        entry[1] += traced - sum(shares) - lost
        for (r, dst, tt, a), share in zip(after, shares, strict=True):
            if share == 0:
                continue
            if dst in sinks:
                cashed += share
            elif share < p.min_slice:
                dropped += share
            elif hops >= p.max_hops:
                beyond += share
            else:
                stack.append((dst, tt, share, a, hops + 1, (*path, r)))
    cands = [Candidate(a, e[0], e[1], e[2], e[3], e[4]) for a, e in got.items()]
    cands.sort(key=lambda c: (-c.amount, -c.last_t, c.account))
    return Trail(account, amount, t, tuple(cands), cashed, dropped, beyond, rounding)


def _fan(g: nx.MultiDiGraph, acc: int, incoming: bool) -> int:
    first: dict[int, int] = {}
    edges = g.in_edges(acc, data=True) if incoming else g.out_edges(acc, data=True)
    for u, v, e in edges:
        if e["amount"] >= net.BIG:
            other = u if incoming else v
            first[other] = min(first.get(other, e["t"]), e["t"])
    times = sorted(first.values())
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - net.WINDOW:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def _cycles(g: nx.MultiDiGraph) -> list[tuple[int, ...]]:
    big = nx.MultiDiGraph()
    big.add_edges_from(
        (u, v, k, e) for u, v, k, e in g.edges(keys=True, data=True) if e["amount"] >= net.BIG
    )
    lo_len, hi_len = net.CYCLE_LENGTHS
    found = []

    def grow(path: list[tuple[int, int, int, int, int]], seen: set[int]) -> None:
        start, _, t0, _, _ = path[0]
        _, cur, t_last, a_last, _ = path[-1]
        for _, v, k, e in big.out_edges(cur, keys=True, data=True):
            t, a = e["t"], e["amount"]
            if not (t_last <= t <= t0 + net.WINDOW and a <= a_last and 2 * a >= a_last):
                continue
            if v == start:
                if len(path) + 1 >= lo_len:
                    found.append((*(r for *_, r in path), k))
            elif v not in seen and len(path) + 1 < hi_len:
                grow([*path, (cur, v, t, a, k)], seen | {v})

    for u, v, k, e in big.edges(keys=True, data=True):
        if u != v:
            grow([(u, v, e["t"], e["amount"], k)], {u, v})
    return found


def _sharing(key: np.ndarray, owner: np.ndarray) -> np.ndarray:
    owners: dict[int, set[int]] = defaultdict(set)
    who = [o if o >= 0 else i for i, o in enumerate(owner.tolist())]
    for k, o in zip(key.tolist(), who, strict=True):
        owners[k].add(o)
    return np.array([len(owners[k]) - 1 for k in key.tolist()], dtype=np.int64)


def analyse(g: nx.MultiDiGraph, accounts: Accounts, tr: Transfers) -> dict:
    """The features, cycles, components and scores of network.analyse, the NetworkX way."""
    n = len(accounts)
    sinks = {i for i in range(n) if accounts.kind[i] == ATM}
    fan_in = np.array([_fan(g, a, True) for a in range(n)], dtype=np.int64)
    fan_out = np.array([_fan(g, a, False) for a in range(n)], dtype=np.int64)
    inflow = np.zeros(n, dtype=np.int64)
    quick_out = np.zeros(n, dtype=np.int64)
    quick_cash = np.zeros(n, dtype=np.int64)
    for a in range(n):
        in_times = sorted(e["t"] for _, _, e in g.in_edges(a, data=True))
        inflow[a] = sum(e["amount"] for _, _, e in g.in_edges(a, data=True))
        for _, v, e in g.out_edges(a, data=True):
            i = bisect_right(in_times, e["t"]) - 1
            if i >= 0 and e["t"] - in_times[i] <= net.QUICK:
                quick_out[a] += e["amount"]
                if v in sinks:
                    quick_cash[a] += e["amount"]
    cycles = _cycles(g)
    on_cycle = np.zeros(n, dtype=np.int64)
    for rows in cycles:
        for acc in {int(tr.src[r]) for r in rows}:
            on_cycle[acc] += 1
    phone_others = _sharing(accounts.phone, accounts.owner)
    device_others = _sharing(accounts.device, accounts.owner)
    sink = accounts.kind == ATM
    fired = net.rules(
        fan_in, fan_out, inflow, quick_out, quick_cash, on_cycle, phone_others, device_others, sink
    )
    behaviour = net.flagged_behaviour(fired)
    links = nx.Graph()
    links.add_nodes_from(range(n))
    for key, others in ((accounts.phone, phone_others), (accounts.device, device_others)):
        head: dict[int, int] = {}
        for acc in np.flatnonzero(others > 0).tolist():
            links.add_edge(acc, head.setdefault(int(key[acc]), acc))
    for u, v, e in g.edges(data=True):
        if e["amount"] >= net.BIG and behaviour[u] and behaviour[v]:
            links.add_edge(u, v)
    flagged = np.zeros(n, dtype=np.int64)
    for comp in nx.connected_components(links):
        members = list(comp)
        flagged[members] = int(behaviour[members].sum())
    fired["network"] = flagged >= net.NETWORK_MIN
    return {
        "fan_in": fan_in,
        "fan_out": fan_out,
        "inflow": inflow,
        "quick_out": quick_out,
        "quick_cash": quick_cash,
        "cycles": sorted(cycles),
        "phone_others": phone_others,
        "device_others": device_others,
        "component_flagged": flagged,
        "score": net.total(fired),
    }
