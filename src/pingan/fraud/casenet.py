"""Mule-account networks across the stored cases (涉案账户网络): the network engine
(`pingan.fraud.network`) applied to what the platform holds.

What is read, one query per table: the victims' payments (`FraudTransfer`, hop 0: victim's
payer account → the account paid), the onward transfers the banks reported from stopped
accounts (`FraudOnward`, payer → payee), each case's number and fraud phone (`FraudCase`), and
the stop and freeze orders (`FraudOrder`) — which accounts are already stopped or frozen.

The engine's columnar form: account numbers become integer ids (in order of first
appearance), transfers sorted by time, amounts in fen, times in seconds from the earliest.
Gaps of more than the engine's 72 h window between consecutive transfers are shortened to
72 h + 1 s: no rule looks further than 72 h, so no rule changes, and a store of months fits
the engine's 24-day span more often; where it still does not, only the latest 24 days are
analysed (the store-side links below still read everything).

Which engine rules can fire on stored data:
- fan_in, fan_out, pass_through (快进快出), cycle and network: yes, from the stored
  transfers — but only over what the store holds (victims' payments and what banks reported
  leaving stopped accounts), not an account's whole book;
- shared_phone, shared_device: never — the store has no owner, phone or device for the
  accounts money went to (only for victims), so each account is given its own;
- cash_out: never — the banks' onward reports do not mark ATM withdrawals apart from ATM
  transfers, so no stored account is an ATM.

The links the store does know, added here:
- shared_account (多案共用账户): an account that received money in ≥ 2 cases, worth
  SHARED_POINTS on top of the engine's score (a card reused across victims is as telling as a
  shared phone);
- shared_fraud_phone (共用诈骗号码): cases reported with the same fraud number.

A network is a connected component of cases and accounts — an account joins each case it
appears in, cases join on a shared fraud number, and accounts the engine linked join — kept
when it spans ≥ `min_cases` cases or holds a likely mule (score ≥ network.THRESHOLD).
Accounts the money went to are case data and shown in full to fraud.read holders; victims'
own payer accounts are shown masked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.fraud import network
from pingan.fraud.models import FraudCase, FraudOnward, FraudOrder, FraudTransfer
from pingan.fraud.schemas import (
    NetworkAccount,
    NetworkCase,
    NetworkLink,
    NetworkList,
    NetworkPublic,
    RuleHit,
    StopVia,
)
from pingan.fraud.synth import DAY, PERSON, Accounts, Transfers
from pingan.services.identifiers import mask

SPAN = 24 * DAY  # the engine packs seconds into 21 bits
GAP = network.WINDOW + 1
SHARED_POINTS = 2
HELD = {"stop": {"stopped", "already_stopped", "stop_limit_reached"}, "freeze": {"frozen"}}


@dataclass(frozen=True, slots=True)
class Edge:
    case_id: int
    src: str
    dst: str
    at: datetime
    fen: int
    transfer_id: int | None  # the case's FraudTransfer (a stop order can name it)
    victim: bool  # the victim's own payment (hop 0)


def _edges(session: Session) -> list[Edge]:
    transfers = session.execute(
        select(
            FraudTransfer.id, FraudTransfer.case_id, FraudTransfer.payer_account,
            FraudTransfer.payee_account, FraudTransfer.tx_time, FraudTransfer.amount_fen,
            FraudTransfer.hop,
        ).where(FraudTransfer.from_onward_id.is_(None))
    )  # fmt: skip
    out = [Edge(c, a, b, at, fen, i, hop == 0) for i, c, a, b, at, fen, hop in transfers]
    onward = session.execute(
        select(
            FraudOnward.case_id, FraudOnward.payer_account, FraudOnward.payee_account,
            FraudOnward.booked_at, FraudOnward.amount_fen,
        )
    )  # fmt: skip
    out += [Edge(c, a, b, at, fen, None, False) for c, a, b, at, fen in onward]
    return out


def _columns(edges: list[Edge], ids: dict[str, int]) -> Transfers:
    """The engine's transfers: time order, gaps over 72 h shortened, the latest SPAN only."""
    order = sorted(range(len(edges)), key=lambda i: (edges[i].at, i))
    start = edges[order[0]].at if order else None
    raw = np.array([int((edges[i].at - start).total_seconds()) for i in order], dtype=np.int64)
    t = np.concatenate([[0], np.cumsum(np.minimum(np.diff(raw), GAP))]) if len(raw) else raw
    keep = t >= t[-1] - SPAN + 1 if len(t) else np.zeros(0, dtype=bool)
    rows = np.array(order, dtype=np.int64)[keep]
    t = t[keep] - (t[keep][0] if keep.any() else 0)
    cols = Transfers(
        src=np.array([ids[edges[i].src] for i in rows], dtype=np.int32),
        dst=np.array([ids[edges[i].dst] for i in rows], dtype=np.int32),
        t=t.astype(np.int64),
        amount=np.array([edges[i].fen for i in rows], dtype=np.int64),
        channel=np.zeros(len(rows), dtype=np.int8),
    )
    return cols


def _accounts(n: int) -> Accounts:
    """Each account its own owner, phone and device: the store knows none of them."""
    own = np.arange(n, dtype=np.int64)
    return Accounts(
        kind=np.full(n, PERSON, dtype=np.int8), owner=own.astype(np.int32), phone=own,
        device=own, surname=np.zeros(n, dtype=np.int8), given=np.zeros(n, dtype=np.int16),
    )  # fmt: skip


def _held(session: Session) -> dict[str, str]:
    """Per account: `frozen`, `stopped`, or `ordered` (an order not, or not yet, holding it)."""
    rank = {"ordered": 0, "stopped": 1, "frozen": 2}
    out: dict[str, str] = {}
    rows = session.execute(
        select(FraudOrder.payee_account, FraudOrder.kind, FraudOrder.result).where(
            FraudOrder.kind.in_(HELD)
        )
    )
    for account, kind, result in rows:
        state = "ordered"
        if result in HELD[kind]:
            state = "frozen" if kind == "freeze" else "stopped"
        if rank[state] >= rank[out.get(account, "ordered")]:
            out[account] = state
    return out


@dataclass
class _Store:
    """What the networks are drawn from: stored rows, the engine's figures, the links."""

    cases: dict[int, tuple[str, str | None]]  # id -> (case_no, fraud_phone)
    number: list[str]  # account id -> account number
    victims: set[str]  # victims' own payer accounts
    features: network.Features
    score: np.ndarray  # the engine's score plus SHARED_POINTS for a shared account
    received: dict[int, set[int]]  # account -> cases it received money in
    inflow: np.ndarray  # fen received (everything stored)
    victim_in: np.ndarray  # fen received straight from victims
    held: dict[str, str]
    stop_via: dict[int, StopVia]


def networks(session: Session, min_cases: int = 2) -> NetworkList:
    """The networks of the stored cases, most cases first (see the module's docstring)."""
    cases = {
        i: (no, phone)
        for i, no, phone in session.execute(
            select(FraudCase.id, FraudCase.case_no, FraudCase.fraud_phone)
        )
    }
    edges = _edges(session)
    ids: dict[str, int] = {}
    for e in edges:
        ids.setdefault(e.src, len(ids))
        ids.setdefault(e.dst, len(ids))
    n = len(ids)
    if not n:
        return NetworkList(items=[])
    features = network.analyse(_accounts(n), _columns(edges, ids))
    received: dict[int, set[int]] = defaultdict(set)
    seen_in: dict[int, set[int]] = defaultdict(set)
    inflow = np.zeros(n, dtype=np.int64)
    victim_in = np.zeros(n, dtype=np.int64)
    stop_via: dict[int, StopVia] = {}
    for e in edges:
        a, b = ids[e.src], ids[e.dst]
        received[b].add(e.case_id)
        seen_in[b].add(e.case_id)
        seen_in[a].add(e.case_id)
        inflow[b] += e.fen
        victim_in[b] += e.fen if e.victim else 0
        stop_via.setdefault(b, StopVia(case_id=e.case_id, transfer_id=e.transfer_id))
    score = features.score.copy()
    for a, where in received.items():
        score[a] += SHARED_POINTS if len(where) >= 2 else 0
    store = _Store(
        cases, list(ids), {e.src for e in edges if e.victim}, features, score, received,
        inflow, victim_in, _held(session), stop_via,
    )  # fmt: skip
    case_ids = sorted(cases)
    comp = _components(store, seen_in, case_ids)
    members: dict[int, list[int]] = defaultdict(list)
    for node, label in enumerate(comp.tolist()):
        members[label].append(node)
    out: list[NetworkPublic] = []
    for nodes in members.values():
        accs = [x for x in nodes if x < n]
        net_cases = [case_ids[x - n] for x in nodes if x >= n]
        likely = any(
            score[a] >= network.THRESHOLD for a in accs if store.number[a] not in store.victims
        )
        if len(net_cases) >= min_cases or likely:
            out.append(_public(store, accs, net_cases))
    out.sort(key=lambda x: (-len(x.cases), -x.score, x.cases[0].case_no if x.cases else ""))
    return NetworkList(items=out)


def _components(store: _Store, seen_in: dict[int, set[int]], case_ids: list[int]) -> np.ndarray:
    """Labels of the graph of accounts (0…n-1) and cases (n…): an account joins the cases it
    appears in, cases join on a fraud number, accounts join as the engine linked them."""
    n = len(store.number)
    slot = {c: n + k for k, c in enumerate(case_ids)}
    i: list[int] = []
    j: list[int] = []
    for a, where in seen_in.items():
        i += [a] * len(where)
        j += [slot[c] for c in where]
    by_phone: dict[str, list[int]] = defaultdict(list)
    for c, (_, phone) in store.cases.items():
        if phone:
            by_phone[phone].append(slot[c])
    for same in by_phone.values():
        i += same[1:]
        j += [same[0]] * (len(same) - 1)
    label = store.features.component
    head = np.unique(label, return_index=True)[1][label] if n else label
    i += list(range(n))
    j += head.tolist()
    size = n + len(case_ids)
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(size, size)).tocsr()
    return connected_components(graph, directed=False)[1]


def _account(store: _Store, a: int, no: dict[int, str]) -> NetworkAccount:
    acc = store.number[a]
    if acc in store.victims:  # a victim's own account: masked, no figures
        return NetworkAccount(account=mask("account", acc), victim=True)
    rules = []
    for hit in network.explain(store.features, a):
        rule, points = hit.pop("rule"), hit.pop("points")
        rules.append(RuleHit(rule=rule, points=points, figures=hit))
    cases = store.received.get(a, set())
    if len(cases) >= 2:
        rules.append(RuleHit(rule="shared_account", points=SHARED_POINTS,
                             figures={"cases": len(cases)}))  # fmt: skip
    state = store.held.get(acc)
    return NetworkAccount(
        account=acc, victim=False, score=int(store.score[a]), inflow_fen=int(store.inflow[a]),
        cases=sorted(no[c] for c in cases), rules=rules, held=state,
        stop=None if state else store.stop_via.get(a),
    )  # fmt: skip


def _public(store: _Store, accs: list[int], net_cases: list[int]) -> NetworkPublic:
    no = {c: store.cases[c][0] for c in net_cases}
    accounts = sorted(
        (_account(store, a, no) for a in accs), key=lambda x: (x.victim, -x.score, x.account)
    )
    links = [
        NetworkLink(kind="shared_account", value=x.account, cases=x.cases)
        for x in accounts
        if len(x.cases) >= 2
    ]
    phones: dict[str, list[str]] = defaultdict(list)
    for c in net_cases:
        if store.cases[c][1]:
            phones[store.cases[c][1]].append(no[c])
    links += [
        NetworkLink(kind="shared_fraud_phone", value=p, cases=sorted(cs))
        for p, cs in sorted(phones.items())
        if len(cs) >= 2
    ]
    return NetworkPublic(
        cases=[NetworkCase(id=c, case_no=no[c]) for c in sorted(net_cases, key=no.__getitem__)],
        accounts=accounts,
        links=links,
        amount_in_fen=int(sum(int(store.victim_in[a]) for a in accs)),
        score=max((x.score for x in accounts), default=0),
    )
