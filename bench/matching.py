"""Lost-and-found matcher benchmark: recall, false matches and latency at a million items.

    .venv/bin/python bench/matching.py [--quick]

Quality, on the seeded evaluation set of bench/matching_data.py (≥ 300 lost reports, their
found items and same-category distractors), for each ranker in the same run:
- keyword: the plain baseline — count the lost report's typed phrases in the description of
  every stored found item (a desk search; no index, no place or time);
- text-only with jieba words / character bigrams (no category, attributes, place or time);
- the full matcher with jieba words / with character bigrams.
Top-1 / top-5 recall over reports that have a true item; false-match rate: the share of
reports whose best candidate is wrong yet scores at or above the alert threshold.
Latency at 1,000,000 found items (20,000 with --quick):
- the full matcher on the in-memory index (identifier hash, category × day buckets, grid);
- the store's query path (bench/matching_store.py): `lost_found.matches`, as the API calls
  it, on SQLite and on PostgreSQL (database `pingan_bench_matching`, created and dropped;
  `--postgres ADMIN_URL`, skipped with the reason when no server answers), next to the
  baseline that ranks every open found item of the report's categories (a few reports).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import matching_store
from matching_data import CATEGORY, EvalSet, Record, generate

from pingan.pii.vault import Vault
from pingan.services import settings
from pingan.services.candidates import MatchIndex
from pingan.services.identifiers import Identifier
from pingan.services.matcher import Item, keyword_rank, prepare, rank
from pingan.services.text import dice

VAULT = Vault(b"b" * 32)


def to_item(r: Record, tokenizer: str) -> Item:
    keys = frozenset({Identifier("imei", r.imei).key(VAULT)} if r.imei else ())
    item = Item(r.id, r.category, r.description, r.lon, r.lat, r.at, r.colour, r.brand, keys)
    return prepare(item, tokenizer)


def evaluate(
    ev: EvalSet,
    ranker: Callable[[Item, list[Item]], list[tuple[int, float]]],
    tok: str,
    *,
    indexed: bool = True,
):
    """(top-1 recall, top-5 recall, false-match rate) of one ranker.

    `indexed=False` ranks over every stored item, as a plain desk search does.
    """
    found = [to_item(r, tok) for r in ev.found]
    index = MatchIndex()
    for f in found:
        index.add(f)
    threshold = settings.lost_found()["alert_threshold"]
    top1 = top5 = positives = false = 0
    for r in ev.lost:
        q = to_item(r, tok)
        ids = index.candidates(q, "lost") if indexed else index.items
        pool = [index.items[i] for i in ids]
        ranked = ranker(q, pool)
        want = ev.truth[r.id]
        ids = [i for i, _ in ranked]
        if want is not None:
            positives += 1
            top1 += bool(ids[:1] == [want])
            top5 += want in ids[:5]
        # An alert shows the best candidate: false when that one is wrong yet above threshold.
        false += bool(ranked and ranked[0][0] != want and ranked[0][1] >= threshold)
    return top1 / positives, top5 / positives, false / len(ev.lost)


def full(q: Item, pool: list[Item]) -> list[tuple[int, float]]:
    return [(m.item_id, m.score) for m in rank(q, pool, top=5)]


def text_only(q: Item, pool: list[Item]) -> list[tuple[int, float]]:
    scored = sorted(((dice(q.tokens, c.tokens), c.id) for c in pool), key=lambda x: (-x[0], x[1]))
    return [(i, s) for s, i in scored[:5]]


def keyword(q: Item, pool: list[Item]) -> list[tuple[int, float]]:
    # The baseline has no calibrated score: any keyword hit counts as an alert.
    return [(i, 1.0) for i in keyword_rank(q, pool, top=5)]


def latency(n: int, queries: int, seed: int = 11) -> dict[str, float]:
    """Fill an index with n found items over a year across the city; time 1:n matches."""
    ev = generate(pairs=600, seed=seed, distractors=4)
    pool = [to_item(r, "jieba") for r in ev.found]  # tokenised descriptions reused
    rng = random.Random(seed)
    index = MatchIndex()
    start = min(r.at for r in ev.found)
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        base = pool[i % len(pool)]
        category = base.category if rng.random() < 0.5 else rng.choice([*list(CATEGORY), "other"])
        index.add(
            Item(
                i,
                category,
                base.description,
                109.70 + rng.random() * 0.18,  # ≈ 15 × 15 km
                39.53 + rng.random() * 0.14,
                start + timedelta(seconds=rng.random() * 365 * 86400),
                base.colour,
                base.brand,
                frozenset(),
                base.tokens,
            )
        )
    load_s = time.perf_counter() - t0
    # A long-lived index: move its million objects out of the collector's young generations,
    # as a server does after loading, so a full collection does not land inside a query.
    gc.collect()
    gc.freeze()
    lost = [to_item(r, "jieba") for r in ev.lost]
    times, cands = [], []
    for k in range(queries):
        q = lost[k % len(lost)]
        q = Item(**{**{s: getattr(q, s) for s in Item.__slots__}, "at": index.items[k + 1].at})
        cands.append(len(index.candidates(q, "lost")))
        t = time.perf_counter()
        index.match(q, "lost")
        times.append((time.perf_counter() - t) * 1000)
    return {
        "items": n,
        "load_s": round(load_s, 1),
        "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p99_ms": round(float(np.percentile(times, 99)), 2),
        "candidates_p50": int(np.percentile(cands, 50)),
    }


def store_latency(n: int, queries: int, baseline: int, postgres: str) -> dict[str, dict]:
    """The store's match path per backend: load time, p50/p99, and the category-scan baseline."""
    ev = generate(pairs=600, seed=11, distractors=4)
    out: dict[str, dict] = {}
    for make in (matching_store.sqlite_store, lambda: matching_store.postgres_store(postgres)):
        store = make()
        if isinstance(store, str):
            print(f"PostgreSQL skipped: {store}", file=sys.stderr)
            continue
        try:
            load_s = matching_store.load(store, ev, n, VAULT)
            ids = matching_store.add_lost_reports(store, ev, n, queries, VAULT)
            fig = matching_store.time_matches(store, ids)
            base = matching_store.time_category_scan(store, ids[:baseline])
            scan = {"scan_p50_ms": base["p50_ms"], "scan_queries": base["queries"]}
            out[store.name] = {"load_s": round(load_s, 1), **fig, **scan}
        finally:
            store.drop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="few-second smoke run")
    ap.add_argument(
        "--postgres",
        default=os.environ.get(
            "PINGAN_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL admin URL for the store-path timing",
    )
    args = ap.parse_args()
    ev = generate(pairs=300 if args.quick else 400, seed=7)
    figures: dict[str, float | int] = {"pairs": len(ev.lost), "found_items": len(ev.found)}
    rows = []
    for name, ranker, tok, indexed in (
        ("keyword baseline (all items)", keyword, "keyword", False),
        ("text only, jieba words", text_only, "jieba", True),
        ("text only, character bigrams", text_only, "bigram", True),
        ("full matcher, jieba words", full, "jieba", True),
        ("full matcher, character bigrams", full, "bigram", True),
    ):
        t1, t5, fm = evaluate(ev, ranker, tok, indexed=indexed)
        key = name.split(" (")[0].replace(", ", "_").replace(" ", "_")
        figures[f"{key}_top1"], figures[f"{key}_top5"], figures[f"{key}_false"] = (
            round(t1, 4),
            round(t5, 4),
            round(fm, 4),
        )
        rows.append((name, t1, t5, fm))
    lat = latency(20_000 if args.quick else 1_000_000, 200 if args.quick else 2000)
    figures.update({f"latency_{k}": v for k, v in lat.items()})
    print(f"{'ranker':<36}{'top-1':>8}{'top-5':>8}{'false@thr':>11}")
    for name, t1, t5, fm in rows:
        print(f"{name:<36}{t1:>8.1%}{t5:>8.1%}{fm:>11.1%}")
    print(
        f"match latency, {lat['items']:,} stored items: p50 {lat['p50_ms']} ms, "
        f"p99 {lat['p99_ms']} ms ({lat['candidates_p50']} candidates p50, "
        f"index loaded in {lat['load_s']} s)"
    )
    n_store = 20_000 if args.quick else 1_000_000
    stores = store_latency(n_store, 50 if args.quick else 300, 3, args.postgres)
    print(f"\nmatch latency, {n_store:,} stored found items ({'ms':>4})   p50      p99")
    print(f"{'in-memory MatchIndex':<44}{lat['p50_ms']:>8}{lat['p99_ms']:>9}")
    for name, f in stores.items():
        figures.update({f"store_{name}_{k}": v for k, v in f.items()})
        print(f"{'store path, ' + name + ' (lost_found.matches)':<44}{f['p50_ms']:>8}"
              f"{f['p99_ms']:>9}   {f['queries']} reports; p99 {f['p99_ms_gc_as_is']} ms "
              f"with the collector as is; loaded in {f['load_s']} s")  # fmt: skip
        print(f"{'  baseline: full-category scan, ' + name:<44}{f['scan_p50_ms']:>8}"
              f"{'':>9}   p50 of {f['scan_queries']} reports")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
