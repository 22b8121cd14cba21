"""Kinship search over a million profiles, against a pure-Python loop, and detection power.

    .venv/bin/python bench/kinship.py [--quick] [--seed N] [--repeats N]

Data: a database of 1,000,000 profiles (20,000 with --quick) on the 21 GlobalFiler STRs,
drawn from the norSTR East Asia frequencies (pingan.kinship.power.draw_alleles), seeded. The
query is one more simulated person; a full sibling, a half sibling and a first cousin of it
are planted in the database (rows 0, 1, 2) to show where true relatives rank.
Timed, single core (thread variables set to 1 before NumPy loads):
- search: ProfileMatrix.search of the query over 4 relations (parent_child, full_siblings,
  half_siblings, first_cousins), θ = 0.01, median of `--repeats` runs;
- baseline: a plain Python loop calling likelihood.pair_lr for the same 4 relations over the
  first 2,000 profiles (200 with --quick), extrapolated per profile to the whole database
  (the loop is linear in the number of profiles; running it on a million would take hours);
  the two must agree on every profile of the sample.
Power: pairs simulated under each true relation and unrelated pairs (power.power), on the 21
GlobalFiler STRs and on all 40 STRs of the table, threshold LR ≥ 10^4, at θ = 0 (as the
published anchor 81 % / 4.9 % / 0 % on 21 STRs) and θ = 0.01 (what searches use).
CPU seconds are the process's (time.process_time); wall seconds beside them (shared machine).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from pingan.kinship.frequencies import load_table  # noqa: E402
from pingan.kinship.likelihood import pair_lr  # noqa: E402
from pingan.kinship.matrix import ProfileMatrix  # noqa: E402
from pingan.kinship.power import GLOBALFILER, draw_alleles, power, simulate_pairs  # noqa: E402
from pingan.kinship.relations import RELATIONS  # noqa: E402

SEARCH_RELATIONS = ["parent_child", "full_siblings", "half_siblings", "first_cousins"]
PLANTED = ["full_siblings", "half_siblings", "first_cousins"]
POWER_RELATIONS = ["full_siblings", "half_siblings", "first_cousins"]
THETA = 0.01


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def database(n: int, seed: int):
    """(ProfileMatrix, query) with a full sibling, half sibling and cousin of the query planted."""
    table = load_table()
    rng = np.random.default_rng(seed)
    labels = [list(table.alleles[locus]) for locus in GLOBALFILER]
    alleles = np.empty((len(GLOBALFILER), 2, n), dtype=np.int16)
    query = {}
    for i, locus in enumerate(GLOBALFILER):
        p = np.fromiter(table.alleles[locus].values(), dtype=np.float64)
        alleles[i] = np.sort(draw_alleles(rng, p, (2, n)), axis=0)
        q = tuple(sorted(draw_alleles(rng, p, 2).tolist()))
        query[locus] = (labels[i][q[0]], labels[i][q[1]])
        for row, code in enumerate(PLANTED):
            _, _, a2, b2 = simulate_pairs(rng, p, RELATIONS[code], 1, reference=q)
            alleles[i, :, row] = sorted((int(a2[0]), int(b2[0])))
    return ProfileMatrix.from_indices(table, GLOBALFILER, labels, alleles), query


def as_dicts(matrix: ProfileMatrix, rows: int) -> list[dict[str, tuple[str, str]]]:
    return [
        {
            locus: tuple(matrix.labels[i][j] for j in matrix.alleles[i, :, row])
            for i, locus in enumerate(matrix.loci)
        }
        for row in range(rows)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 profiles, small samples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = 20_000 if args.quick else 1_000_000
    n_base = 200 if args.quick else 2_000
    n_power = 300 if args.quick else 5_000
    table = load_table()

    (matrix, query), gen_cpu, gen_wall = timed(lambda: database(n, args.seed))
    runs = [
        timed(lambda: matrix.search(query, SEARCH_RELATIONS, theta=THETA))
        for _ in range(args.repeats)
    ]
    scores = runs[0][0]
    search_cpu = statistics.median(r[1] for r in runs)
    search_wall = statistics.median(r[2] for r in runs)

    sample = as_dicts(matrix, n_base)
    base, base_cpu, base_wall = timed(
        lambda: [
            [pair_lr(query, prof, rel, table, THETA).log10_lr for prof in sample]
            for rel in SEARCH_RELATIONS
        ]
    )
    agree = bool(np.allclose(np.array(base), scores[:, :n_base], rtol=1e-9, atol=1e-9))
    base_cpu_full = base_cpu / n_base * n
    base_wall_full = base_wall / n_base * n

    ranks = {}
    for row, code in enumerate(PLANTED):
        col = scores[SEARCH_RELATIONS.index(code)]
        ranks[code] = {
            "rank": int((col > col[row]).sum()) + 1,
            "log10_lr": round(float(col[row]), 2),
        }
    above = {code: int((scores[r] >= 4.0).sum()) for r, code in enumerate(SEARCH_RELATIONS)}

    power_rows = []
    for loci_name, loci in (("globalfiler_21", GLOBALFILER), ("all_40", table.loci)):
        for theta in (0.0, THETA):
            for code in POWER_RELATIONS:
                res = power(code, loci, table, n=n_power, seed=args.seed, theta=theta)
                power_rows.append((loci_name, theta, res))

    print(f"kinship search: {n:,} profiles x {len(GLOBALFILER)} GlobalFiler STRs, seed {args.seed}")
    print(f"database generation {gen_cpu:.1f} s CPU ({gen_wall:.1f} s wall); one core")
    print()
    print(f"{'search, 4 relations':<34}{'CPU s':>9}{'wall s':>9}{'per profile µs':>16}")
    per_profile_us = search_cpu / n * 1e6
    print(
        f"{'ProfileMatrix.search (NumPy)':<34}{search_cpu:>9.3f}{search_wall:>9.3f}"
        f"{per_profile_us:>16.3f}"
    )
    print(
        f"{'pair_lr loop (Python), extrap.':<34}{base_cpu_full:>9.1f}{base_wall_full:>9.1f}"
        f"{base_cpu / n_base * 1e6:>16.1f}"
    )
    print(
        f"NumPy median of {args.repeats} runs; baseline measured on {n_base:,} profiles, "
        f"extrapolated to {n:,}"
    )
    print(f"speed-up {base_cpu_full / search_cpu:,.0f}x; baseline agrees on its sample: {agree}")
    print()
    print("planted relatives of the query (rank under their relation, of all profiles):")
    for code, r in ranks.items():
        print(f"  {code:<16} rank {r['rank']:>6}  log10 LR {r['log10_lr']:>6.2f}")
    print("profiles with LR >= 10^4 per relation:", ", ".join(f"{k} {v}" for k, v in above.items()))
    print()
    print(
        f"detection at LR >= 10^4, {n_power:,} simulated pairs each "
        "(false positives: unrelated pairs)"
    )
    print(
        f"{'panel':<16}{'theta':>6}{'relation':>16}{'detected':>10}{'false pos':>11}"
        f"{'median log10':>14}"
    )
    for loci_name, theta, res in power_rows:
        print(
            f"{loci_name:<16}{theta:>6.2f}{res.relation:>16}{res.detection_rate:>10.3f}"
            f"{res.false_positive_rate:>11.4f}{res.median_log10_true:>14.2f}"
        )
    print(
        json.dumps(
            {
                "profiles": n,
                "loci": len(GLOBALFILER),
                "relations": SEARCH_RELATIONS,
                "seed": args.seed,
                "theta": THETA,
                "search_cpu_s": round(search_cpu, 4),
                "search_wall_s": round(search_wall, 4),
                "baseline": "python loop over pair_lr, extrapolated per profile",
                "baseline_sample": n_base,
                "baseline_cpu_s_extrapolated": round(base_cpu_full, 2),
                "speedup": round(base_cpu_full / search_cpu, 1),
                "baseline_agrees": agree,
                "planted": ranks,
                "power_n": n_power,
                "power": [
                    {
                        "panel": loci_name,
                        "theta": theta,
                        "relation": res.relation,
                        "detection_rate": round(res.detection_rate, 4),
                        "false_positive_rate": round(res.false_positive_rate, 5),
                        "median_log10": round(res.median_log10_true, 3),
                    }
                    for loci_name, theta, res in power_rows
                ],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
