"""Lost-and-found matcher benchmark: recall, false matches and latency at a million items.

    .venv/bin/python bench/matching.py [--quick]

Quality, on the seeded evaluation set of bench/matching_data.py (≥ 300 lost reports, their
found items and same-category distractors), split by a fixed seed into a tuning half and a
held-out half of the reports (both search all stored found items). For each ranker the
alert threshold is chosen on tuning — the lowest (0.01 steps) with at most 5 % of reports
alerting on a wrong item — and the figures are those of held-out:
- keyword: the plain baseline — count the lost report's typed phrases in the description of
  every stored found item (a desk search; no index, no place or time), scored by overlap
  (the share of the report's phrases found);
- text-only with jieba words / character bigrams (Dice; no category, attributes, place, time);
- the full matcher with jieba words / with character bigrams; the tokenizer with more right
  alerts on tuning is the one chosen;
- ablation: the full matcher with the chosen tokenizer and no lexicon (words as typed);
- configured: the tokenizer and threshold of settings.yaml, for comparison.
Quality, on the hand-written set of bench/lost_found_eval (≥ 200 cases written as owners and
finders write, each with its classes; bench/matching_handset.py): every found item and then
every report registered through the HTTP API in one store, the matcher at the configured
threshold against the keyword baseline, overall and per class; and the lexicon's load time
and the time to read one description.
Top-1 / top-5 recall over reports that have a true item; right alerts: the share of those
whose best candidate is the true one and at or above the threshold; false alerts: the share
of all reports whose best candidate is wrong yet at or above it.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import matching_handset
import matching_store
from matching_data import CATEGORY, EvalSet, Record, generate

from pingan.pii.vault import Vault
from pingan.services import lexicon, settings
from pingan.services.candidates import MatchIndex
from pingan.services.identifiers import Identifier
from pingan.services.matcher import Item, keyword_rank, prepare, rank
from pingan.services.text import dice, keywords

VAULT = Vault(b"b" * 32)
T_ANY = datetime(2026, 1, 1, tzinfo=UTC)  # the keyword baseline reads no time
SPLIT_SEED = 20260501  # fixes which reports tune and which are held out
FALSE_ALERT_BUDGET = 0.05  # at most one report in twenty may alert on a wrong item
THRESHOLDS = [round(0.05 + 0.01 * k, 2) for k in range(96)]  # 0.05 … 1.00
NEVER = 1.01  # no score reaches it: the ranker never alerts


def to_item(r: Record, tokenizer: str) -> Item:
    keys = frozenset({Identifier("imei", r.imei).key(VAULT)} if r.imei else ())
    item = Item(r.id, r.category, r.description, r.lon, r.lat, r.at, r.colour, r.brand, keys)
    return prepare(item, tokenizer)


Ranked = list[tuple[int, float]]


@dataclass(frozen=True)
class Answer:
    """One report's ranked candidates (best first, with scores) and the item that answers it."""

    want: int | None
    ranked: Ranked


def split(ev: EvalSet, seed: int = SPLIT_SEED) -> tuple[list[Record], list[Record]]:
    """Lost reports in two halves, fixed by the seed: (tuning, held-out).

    Both halves search the same stored found items, as a desk's store holds them all; the
    tokenizer and the alert thresholds are chosen on tuning and reported on held-out only.
    """
    reports = list(ev.lost)
    random.Random(seed).shuffle(reports)
    half = len(reports) // 2
    return reports[:half], reports[half:]


def answers(
    ev: EvalSet,
    reports: list[Record],
    ranker: Callable[[Item, list[Item]], Ranked],
    tok: str,
    *,
    indexed: bool = True,
) -> list[Answer]:
    """Each report's ranked candidates from one ranker over all stored found items.

    `indexed=False` ranks over every stored item, as a plain desk search does.
    """
    index = MatchIndex()
    for r in ev.found:
        index.add(to_item(r, tok))
    out = []
    for r in reports:
        q = to_item(r, tok)
        ids = index.candidates(q, "lost") if indexed else index.items
        out.append(Answer(ev.truth[r.id], ranker(q, [index.items[i] for i in ids])))
    return out


@dataclass(frozen=True)
class Quality:
    """Top-1 / top-5 recall over reports with a true item; at the threshold, the share of
    those whose best candidate is the true one and alerts (right), and the share of all
    reports whose best candidate is wrong yet alerts (false)."""

    top1: float
    top5: float
    right: float
    false: float


def quality(given: list[Answer], threshold: float) -> Quality:
    positives = [a for a in given if a.want is not None]
    ids = [[i for i, _ in a.ranked] for a in positives]
    alert = [bool(a.ranked) and a.ranked[0][1] >= threshold for a in given]
    best_right = [bool(a.ranked) and a.ranked[0][0] == a.want for a in given]
    return Quality(
        top1=sum(i[:1] == [a.want] for i, a in zip(ids, positives, strict=True)) / len(positives),
        top5=sum(a.want in i[:5] for i, a in zip(ids, positives, strict=True)) / len(positives),
        right=sum(al and ok for al, ok in zip(alert, best_right, strict=True)) / len(positives),
        false=sum(al and not ok for al, ok in zip(alert, best_right, strict=True)) / len(given),
    )


def choose_threshold(tuning: list[Answer]) -> float:
    """The lowest threshold (0.01 steps) at which at most FALSE_ALERT_BUDGET of the tuning
    reports raise a wrong alert; NEVER when only a threshold above every score meets it."""
    for t in THRESHOLDS:
        q = quality(tuning, t)
        if q.false <= FALSE_ALERT_BUDGET:
            return t if q.right or q.false else NEVER
    return NEVER


def full(q: Item, pool: list[Item]) -> Ranked:
    return [(m.item_id, m.score) for m in rank(q, pool, top=5)]


def text_only(q: Item, pool: list[Item]) -> Ranked:
    scored = sorted(((dice(q.tokens, c.tokens), c.id) for c in pool), key=lambda x: (-x[0], x[1]))
    return [(i, s) for s, i in scored[:5]]


def keyword(q: Item, pool: list[Item]) -> Ranked:
    """The desk search, scored by overlap: the share of the report's typed phrases found in
    the item's description (its ranking is by the same count, so the order is unchanged)."""
    words = keywords(q.description)
    by_id = {c.id: c for c in pool}
    return [
        (i, sum(w in by_id[i].description for w in words) / len(words))
        for i in keyword_rank(q, pool, top=5)
    ]


def _as_typed(value: str | None) -> frozenset[str]:
    return frozenset({value.strip().lower()}) if value and value.strip() else frozenset()


@contextmanager
def without_lexicon() -> Iterator[None]:
    """The lexicon and synonym folding off, for the ablation row: words stay as typed (手机/电话,
    拉杆箱/行李箱, Apple/苹果 differ), nothing is read from the text, and a colour or brand
    field agrees only with the same word."""
    empty = lexicon.Attributes(*(frozenset(),) * len(lexicon.Attributes.__slots__))
    with (
        mock.patch.object(lexicon, "extract", lambda _text: empty),
        mock.patch.object(lexicon, "canonical_text", str.lower),
        mock.patch.object(lexicon, "colour_families", _as_typed),
        mock.patch.object(lexicon, "brand_ids", _as_typed),
    ):
        yield


@dataclass(frozen=True)
class Row:
    name: str
    key: str
    threshold: float  # chosen on the tuning half
    tuning: Quality
    held_out: Quality


def tuned(
    name: str,
    key: str,
    ev: EvalSet,
    ranker: Callable[[Item, list[Item]], Ranked],
    tok: str,
    *,
    indexed: bool = True,
    threshold: float | None = None,
) -> Row:
    """One ranker on both halves, at `threshold` or else the one chosen on tuning."""
    tuning, held_out = (answers(ev, half, ranker, tok, indexed=indexed) for half in split(ev))
    t = choose_threshold(tuning) if threshold is None else threshold
    return Row(name, key, t, quality(tuning, t), quality(held_out, t))


def quality_rows(ev: EvalSet) -> tuple[list[Row], str]:
    """Every ranker: threshold chosen on tuning, figures on held-out; the tokenizer the
    tuning half picks for the full matcher (most right alerts, then fewest false); the
    ablation without synonym folding; and the configured tokenizer and threshold."""
    rows = [
        tuned("keyword baseline (all items, overlap)", "keyword", ev, keyword, "keyword",
              indexed=False),
        tuned("text only, jieba words", "text_only_jieba", ev, text_only, "jieba"),
        tuned("text only, character bigrams", "text_only_bigram", ev, text_only, "bigram"),
        tuned("full matcher, jieba words", "full_jieba", ev, full, "jieba"),
        tuned("full matcher, character bigrams", "full_bigram", ev, full, "bigram"),
    ]  # fmt: skip
    by_tok = {"jieba": rows[3], "bigram": rows[4]}
    chosen = max(by_tok, key=lambda tok: (by_tok[tok].tuning.right, -by_tok[tok].tuning.false))
    with without_lexicon():
        name = f"ablation: full matcher, {chosen}, no lexicon"
        rows.append(tuned(name, "ablation_no_lexicon", ev, full, chosen))
    configured = settings.lost_found()
    tok, t = configured["tokenizer"], configured["alert_threshold"]
    name = f"configured in settings.yaml: full matcher, {tok}"
    rows.append(tuned(name, "configured", ev, full, tok, threshold=t))
    return rows, chosen


def handset_keyword(cases: list[matching_handset.Case]) -> list[matching_handset.Outcome]:
    """The keyword baseline on the hand-written set: each report's typed phrases counted in
    the description of every found item of the set (a desk search over the whole store)."""
    pool, keys = [], []
    for case in cases:
        sides = [("found", case.found)] if case.found else []
        sides += [(f"distractor{k}", d) for k, d in enumerate(case.distractors)]
        for name, side in sides:
            keys.append(f"{case.id}/{name}")
            pool.append(Item(len(pool), side["category"], side["description"], 0, 0, T_ANY))
    out = []
    for case in cases:
        q = Item(-1, case.lost["category"], case.lost["description"], 0, 0, T_ANY)
        ranked = [(keys[i], s) for i, s in keyword(q, pool)]
        want = f"{case.id}/found" if case.found else None
        out.append(matching_handset.Outcome(case, want, ranked))
    return out


def handset_rows(keyword_threshold: float) -> tuple[dict[str, matching_handset.Figures], list]:
    """The hand-written set: the matcher through the HTTP API at the configured threshold,
    and the keyword baseline at the threshold its tuning half chose on the seeded set."""
    cases = matching_handset.load_cases()
    outcomes, refused = matching_handset.run_api(cases)
    threshold = settings.lost_found()["alert_threshold"]
    rows = {
        "keyword": matching_handset.figures(handset_keyword(cases), keyword_threshold),
        "api": matching_handset.figures(outcomes, threshold),
    }
    return rows, [*refused, *matching_handset.by_class(outcomes, threshold).items()]


def lexicon_timing(cases: list[matching_handset.Case]) -> dict[str, float]:
    """Loading the lexicon, and reading one description (uncached): it runs once per
    registration and once per query, candidates carry what was read at their registration."""
    from pingan.services.lexicon import load

    load.lexicon.cache_clear()
    t = time.perf_counter()
    load.lexicon()
    load_s = time.perf_counter() - t
    texts = [s["description"] for c in cases for s in (c.lost, c.found) if s]
    raw = lexicon.extract.__wrapped__
    runs = []
    for _ in range(5):
        for text_ in texts:
            t = time.perf_counter()
            raw(text_)
            runs.append((time.perf_counter() - t) * 1000)
    return {
        "load_s": round(load_s, 3),
        "extract_p50_ms": round(float(np.percentile(runs, 50)), 4),
        "extract_p99_ms": round(float(np.percentile(runs, 99)), 4),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
    }


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
    rows, chosen = quality_rows(ev)
    tuning, held_out = split(ev)
    figures["tuning_reports"], figures["held_out_reports"] = len(tuning), len(held_out)
    figures["chosen_tokenizer"] = chosen
    for row in rows:
        q = row.held_out
        figures.update(
            {f"{row.key}_{k}": round(v, 4) for k, v in vars(q).items()}
            | {f"{row.key}_threshold": row.threshold}
        )
    lat = latency(20_000 if args.quick else 1_000_000, 200 if args.quick else 2000)
    figures.update({f"latency_{k}": v for k, v in lat.items()})
    print(
        f"held-out half ({len(held_out)} reports); thresholds and tokenizer "
        f"chosen on the other half: lowest with ≤ {FALSE_ALERT_BUDGET:.0%} false alerts"
    )
    print(f"{'ranker':<52}{'thr':>6}{'top-1':>8}{'top-5':>8}{'right@thr':>11}{'false@thr':>11}")
    for row in rows:
        q, thr = row.held_out, "never" if row.threshold == NEVER else f"{row.threshold:.2f}"
        print(f"{row.name:<52}{thr:>6}{q.top1:>8.1%}{q.top5:>8.1%}{q.right:>11.1%}{q.false:>11.1%}")
    print(f"tokenizer chosen on tuning: {chosen}")
    hand, detail = handset_rows(rows[0].threshold)
    api = hand["api"]
    print(
        f"\nhand-written set (bench/lost_found_eval: {api.reports} reports, "
        f"{api.positives} with a true item), registered through the HTTP API"
    )
    print(f"{'ranker':<52}{'thr':>6}{'top-1':>8}{'top-5':>8}{'right@thr':>11}{'false@thr':>11}")
    for key, name, thr in (
        ("keyword", "keyword baseline (all items, overlap)", rows[0].threshold),
        ("api", "matcher, as configured (HTTP API)", settings.lost_found()["alert_threshold"]),
    ):
        f = hand[key]
        figures.update({f"hand_{key}_{k}": round(v, 4) for k, v in vars(f).items()})
        shown = "never" if thr == NEVER else f"{thr:.2f}"
        print(f"{name:<52}{shown:>6}{f.top1:>8.1%}{f.top5:>8.1%}{f.right:>11.1%}{f.false:>11.1%}")
    lex = lexicon_timing(matching_handset.load_cases())
    figures.update({f"lexicon_{k}": v for k, v in lex.items()})
    print(
        f"lexicon: loaded in {lex['load_s']} s; reading a description ({lex['mean_chars']} "
        f"characters on average) p50 {lex['extract_p50_ms']} ms, p99 {lex['extract_p99_ms']} ms"
    )
    for line in detail:
        if isinstance(line, str):
            print(f"  refused: {line}")
        else:
            name, f = line
            print(f"  class {name:<16}{f.reports:>5} reports  {matching_handset.recall(f)}  "
                  f"false@thr {f.false:6.1%}")  # fmt: skip
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
