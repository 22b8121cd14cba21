"""Money trail and mule-network analysis at a million accounts, against NetworkX.

    .venv/bin/python bench/fraud.py [--quick] [--seed N] [--repeats N] [--top-k K]

Data: pingan.fraud.synth, seeded: 1,000,000 accounts and 5,000,000 transfers over a week
(20,000 / 100,000 with --quick), with the fraud cases and their answer key.
Timed, single core (OMP/OpenBLAS/MKL/Polars thread variables set to 1 before NumPy loads;
NumPy's sorts and SciPy's components are single-threaded anyway):
- index: the per-account transfer index both analyses use (pingan.fraud.trail.build_index);
- trail: the money trail of every reported victim transfer (pingan.fraud.trail);
- network: every feature, cycle, component and score (pingan.fraud.network.analyse);
the chosen NumPy + SciPy code `--repeats` times (median), and the NetworkX baseline
(bench/fraud_baseline.py: same definitions over a MultiDiGraph, graph build timed apart) once.
CPU seconds are the process's (time.process_time); wall seconds are shown beside them because
the machine is shared.
Quality against the answer key:
- next-hop recall: the true next accounts after the first mule found in a victim's top-k
  candidates, over all reported victims; case-level: the union over a case's victims (in a
  pooled account, FIFO gives each victim one slice of the pool, so per-victim recall is
  bounded by the pooling, the case's union is not);
- onward recall: every account the case's money truly reached, case-level, in the top-k;
- mule detection: precision and recall of score ≥ network.THRESHOLD over all accounts, and
  per rule (how many accounts it fired on, and the share of them that are mules).
Agreement: whether the baseline's trails and scores equal the chosen code's.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import fraud_baseline  # noqa: E402

from pingan.fraud import network, synth, trail  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def repeat(fn: Callable[[], Any], n: int) -> tuple[Any, float, float]:
    runs = [timed(fn) for _ in range(n)]
    cpu = statistics.median(r[1] for r in runs)
    wall = statistics.median(r[2] for r in runs)
    return runs[-1][0], cpu, wall


def trail_quality(data: synth.Dataset, trails: list[trail.Trail], k: int) -> dict[str, float]:
    tr, truth = data.transfers, data.truth
    hit = total = 0
    case_top: dict[int, set[int]] = defaultdict(set)
    case_next: dict[int, set[int]] = defaultdict(set)
    case_onward: dict[int, set[int]] = defaultdict(set)
    sink = data.accounts.kind == synth.ATM
    for row, t in zip(truth.victim_transfers.tolist(), trails, strict=True):
        top = {c.account for c in t.candidates[:k]}
        nxt = {a for a in truth.next_hops(tr, row) if not sink[a]}
        onward = {a for a in truth.onward(tr, row) if not sink[a]}
        hit += len(nxt & top)
        total += len(nxt)
        case = int(truth.transfer_case[row])
        case_top[case] |= top
        case_next[case] |= nxt
        case_onward[case] |= onward
    c_hit = sum(len(case_next[c] & case_top[c]) for c in case_next)
    c_tot = sum(len(case_next[c]) for c in case_next)
    o_hit = sum(len(case_onward[c] & case_top[c]) for c in case_onward)
    o_tot = sum(len(case_onward[c]) for c in case_onward)
    return {
        "next_hop_recall": hit / max(total, 1),
        "case_next_hop_recall": c_hit / max(c_tot, 1),
        "case_onward_recall": o_hit / max(o_tot, 1),
    }


def mule_quality(data: synth.Dataset, f: network.Features) -> dict[str, Any]:
    mule = data.truth.mule
    flag = f.score >= network.THRESHOLD
    tp = int((flag & mule).sum())
    rules = {
        rule: {"fired": int(hit.sum()), "mule_share": float((hit & mule).sum() / max(hit.sum(), 1))}
        for rule, hit in f.fired.items()
    }
    return {
        "mules": int(mule.sum()),
        "flagged": int(flag.sum()),
        "precision": tp / max(int(flag.sum()), 1),
        "recall": tp / max(int(mule.sum()), 1),
        "rules": rules,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 accounts / 100,000 transfers")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--top-k", type=int, default=10)
    args = ap.parse_args()
    n_acc, n_tr = (20_000, 100_000) if args.quick else (1_000_000, 5_000_000)

    data, gen_cpu, gen_wall = timed(lambda: synth.generate(n_acc, n_tr, seed=args.seed))
    tr, accounts = data.transfers, data.accounts
    victims = data.truth.victim_transfers.tolist()

    index, ix_cpu, ix_wall = repeat(lambda: trail.build_index(tr, accounts.kind), args.repeats)
    trails, tr_cpu, tr_wall = repeat(
        lambda: [trail.trace_transfer(index, v) for v in victims], args.repeats
    )
    feats, nw_cpu, nw_wall = repeat(lambda: network.analyse(accounts, tr, index), args.repeats)

    graph, g_cpu, g_wall = timed(lambda: fraud_baseline.build_graph(data))
    sinks = set(np.flatnonzero(accounts.kind == synth.ATM).tolist())
    nx_trails, nxt_cpu, nxt_wall = timed(
        lambda: [fraud_baseline.trace(graph, sinks, tr, v) for v in victims]
    )
    nx_feats, nxn_cpu, nxn_wall = timed(lambda: fraud_baseline.analyse(graph, accounts, tr))

    tq = trail_quality(data, trails, args.top_k)
    mq = mule_quality(data, feats)
    same_trails = nx_trails == trails
    same_scores = bool((nx_feats["score"] == feats.score).all())
    same_cycles = nx_feats["cycles"] == sorted(feats.cycle_list)
    analysis_cpu = ix_cpu + tr_cpu + nw_cpu
    nx_cpu = nxt_cpu + nxn_cpu

    print(f"fraud analysis: {n_acc:,} accounts, {len(tr):,} transfers, seed {args.seed}")
    print(f"{len(victims)} reported victim transfers in {len(data.truth.case_typology)} cases")
    print(f"generation {gen_cpu:.1f} s CPU ({gen_wall:.1f} s wall); one core")
    print()
    print(f"{'step':<22}{'NumPy+SciPy CPU s':>19}{'wall s':>9}{'NetworkX CPU s':>16}{'wall s':>9}")
    rows = [
        ("index / graph build", ix_cpu, ix_wall, g_cpu, g_wall),
        (f"trail ({len(victims)} victims)", tr_cpu, tr_wall, nxt_cpu, nxt_wall),
        ("mule network", nw_cpu, nw_wall, nxn_cpu, nxn_wall),
    ]
    for name, a, b, c, d in rows:
        print(f"{name:<22}{a:>19.2f}{b:>9.2f}{c:>16.2f}{d:>9.2f}")
    print(f"{'analysis (no build)':<22}{tr_cpu + nw_cpu:>19.2f}{'':>9}{nx_cpu:>16.2f}")
    print(f"{'analysis + index':<22}{analysis_cpu:>19.2f}{'':>9}{nx_cpu + g_cpu:>16.2f}")
    print(f"medians of {args.repeats} runs (NumPy+SciPy); NetworkX baseline run once")
    print()
    print(f"trail top-{args.top_k} recall of true next hops, per victim", end=" ")
    print(f"{tq['next_hop_recall']:.3f}, per case {tq['case_next_hop_recall']:.3f}")
    print(f"trail top-{args.top_k} recall of all onward accounts, per case", end=" ")
    print(f"{tq['case_onward_recall']:.3f}")
    print(
        f"mules: {mq['mules']} true, {mq['flagged']} flagged (score ≥ {network.THRESHOLD}),",
        end=" ",
    )
    print(f"precision {mq['precision']:.3f}, recall {mq['recall']:.3f}")
    print(f"{'rule':<16}{'fired':>9}{'mule share':>12}")
    for rule, r in mq["rules"].items():
        print(f"{rule:<16}{r['fired']:>9}{r['mule_share']:>12.3f}")
    print(f"cycles found: {len(feats.cycle_list)}")
    print(f"baseline agrees: trails {same_trails}, scores {same_scores}, cycles {same_cycles}")
    print(
        json.dumps(
            {
                "accounts": n_acc,
                "transfers": len(tr),
                "victims": len(victims),
                "seed": args.seed,
                "library": "numpy+scipy",
                "index_cpu_s": round(ix_cpu, 3),
                "trail_cpu_s": round(tr_cpu, 3),
                "network_cpu_s": round(nw_cpu, 3),
                "analysis_cpu_s": round(analysis_cpu, 3),
                "networkx_build_cpu_s": round(g_cpu, 3),
                "networkx_trail_cpu_s": round(nxt_cpu, 3),
                "networkx_network_cpu_s": round(nxn_cpu, 3),
                **{k: round(v, 4) for k, v in tq.items()},
                "mule_precision": round(mq["precision"], 4),
                "mule_recall": round(mq["recall"], 4),
                "baseline_agrees": same_trails and same_scores and same_cycles,
            }
        )
    )


if __name__ == "__main__":
    main()
