"""The lost-and-found match on the store's query path, at a million found items.

Fills `help_items` (and `help_identifiers` for one item in fifty) of a migrated store with
found items spread over a year and 15 × 15 km, then times `lost_found.matches` — the function
behind `GET /api/v1/services/lost-found/items/{id}/matches` — for lost reports stored in the
same table: the candidate query on the indexed columns, the identifier-hash lookup and the
ranking. The baseline ranks every open found item of the report's categories (a
full-category scan, no time window or grid), measured on a few reports.

Loading is bulk: COPY on PostgreSQL, executemany in one transaction on SQLite.
"""

from __future__ import annotations

import gc
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from matching_data import CATEGORY, EvalSet
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from stores import migrated_store

from pingan.auth.actor import Actor
from pingan.db.engine import Database
from pingan.pii.vault import Vault
from pingan.services import lost_found, settings
from pingan.services.candidates import categories_for, cell
from pingan.services.identifiers import Identifier
from pingan.services.matcher import Item, pack_tokens, prepare, rank
from pingan.services.models import HelpIdentifier, HelpItem

ACTOR = Actor.system("bench")
PG_DATABASE = "pingan_bench_matching"
CHUNK = 50_000
COLUMNS = ("id", "case_number", "kind", "status", "category", "description", "match_tokens",
           "colour", "brand", "identifiers_masked", "lon", "lat", "cell_x", "cell_y", "at",
           "created_by", "created_at")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Store:
    name: str
    db: Database
    drop: Callable[[], None]


def sqlite_store() -> Store:
    path = Path(f"/tmp/pingan_bench_matching_{os.getpid()}_{uuid.uuid4().hex[:6]}.db")
    db = migrated_store(f"sqlite:///{path}")

    def drop() -> None:
        db.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return Store("sqlite", db, drop)


def postgres_store(admin_url: str) -> Store | str:
    """A dedicated database `pingan_bench_matching`, dropped afterwards; or why there is none."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        admin.dispose()
        return f"{admin_url}: {type(exc).__name__}"
    url = make_url(admin_url).set(database=PG_DATABASE).render_as_string(hide_password=False)
    db = migrated_store(url)

    def drop() -> None:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()

    return Store("postgresql", db, drop)


def _rows(ev: EvalSet, n: int, seed: int) -> Iterator[tuple[dict[str, Any], str | None]]:
    """n found items as column values, with the IMEI of one in fifty."""
    rng = random.Random(seed)
    pool = ev.found
    tokenizer = settings.lost_found()["tokenizer"]
    # The tokens registration stores with each row (made once per distinct text here).
    packed = {
        r.id: pack_tokens(prepare(Item(r.id, r.category, r.description, r.lon, r.lat, r.at,
                                       r.colour, r.brand), tokenizer), tokenizer)
        for r in pool
    }  # fmt: skip
    start = min(r.at for r in pool)
    now = datetime.now(UTC)
    for i in range(1, n + 1):
        base = pool[i % len(pool)]
        category = base.category if rng.random() < 0.5 else rng.choice([*CATEGORY, "other"])
        lon, lat = 109.70 + rng.random() * 0.18, 39.53 + rng.random() * 0.14  # ≈ 15 × 15 km
        cx, cy = cell(lon, lat)
        imei = base.imei if base.imei and i % 50 == 0 else None
        at = start + timedelta(seconds=rng.random() * 365 * 86400)
        yield (
            {"id": i, "case_number": f"SZ-B{i:09d}", "kind": "found", "status": "open",
             "category": category, "description": base.description,
             "match_tokens": packed[base.id], "colour": base.colour,
             "brand": base.brand, "identifiers_masked": {}, "lon": lon, "lat": lat,
             "cell_x": cx, "cell_y": cy, "at": at,
             "created_by": "bench", "created_at": now},
            imei,
        )  # fmt: skip


def _chunks(it: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for x in it:
        chunk.append(x)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _load_sqlite(db: Database, rows: Iterator[tuple[dict[str, Any], str | None]], vault: Vault):
    with db.engine.begin() as conn:
        for chunk in _chunks(rows, CHUNK):
            conn.execute(insert(HelpItem.__table__), [r for r, _ in chunk])
            keys = [_identifier(r["id"], imei, vault) for r, imei in chunk if imei]
            if keys:
                conn.execute(insert(HelpIdentifier.__table__), keys)


def _load_postgres(db: Database, rows: Iterator[tuple[dict[str, Any], str | None]], vault: Vault):
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        keys = []
        with cur.copy(f"COPY help_items ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for r, imei in rows:
                copy.write_row([("{}" if c == "identifiers_masked" else r[c]) for c in COLUMNS])
                if imei:
                    keys.append(_identifier(r["id"], imei, vault))
        with cur.copy("COPY help_identifiers (item_id, kind, key) FROM STDIN") as copy:
            for k in keys:
                copy.write_row([k["item_id"], k["kind"], k["key"]])
        # COPY sets no sequence: the next ids come after the loaded ones.
        cur.execute("SELECT setval('help_items_id_seq', (SELECT max(id) FROM help_items))")
        raw.commit()
        cur.execute("ANALYZE help_items")
        cur.execute("ANALYZE help_identifiers")
        raw.commit()
    finally:
        raw.close()


def _identifier(item_id: int, imei: str, vault: Vault) -> dict[str, Any]:
    return {"item_id": item_id, "kind": "imei", "key": Identifier("imei", imei).key(vault)}


def load(store: Store, ev: EvalSet, n: int, vault: Vault, seed: int = 11) -> float:
    """Bulk-load n found items; seconds taken."""
    t0 = time.perf_counter()
    loader = _load_postgres if store.name == "postgresql" else _load_sqlite
    loader(store.db, _rows(ev, n, seed), vault)
    if store.name == "sqlite":
        with store.db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def add_lost_reports(
    store: Store, ev: EvalSet, n_items: int, k: int, vault: Vault, seed: int = 12
) -> list[int]:
    """k lost reports (as the lost side of the evaluation set), at times and places of the load."""
    rng = random.Random(seed)
    tokenizer = settings.lost_found()["tokenizer"]
    rows = []
    with store.db.session() as s:
        times = list(s.execute(select(HelpItem.at).where(HelpItem.id <= k)).scalars())
    now = datetime.now(UTC)
    for j in range(k):
        r = ev.lost[j % len(ev.lost)]
        lon, lat = 109.70 + rng.random() * 0.18, 39.53 + rng.random() * 0.14
        cx, cy = cell(lon, lat)
        item = Item(0, r.category, r.description, lon, lat, r.at, r.colour, r.brand)
        tokens = pack_tokens(prepare(item, tokenizer), tokenizer)
        rows.append({"id": n_items + 1 + j, "case_number": f"SL-B{j:09d}", "kind": "lost",
                     "status": "open", "category": r.category, "description": r.description,
                     "match_tokens": tokens,
                     "colour": r.colour, "brand": r.brand, "identifiers_masked": {}, "lon": lon,
                     "lat": lat, "cell_x": cx, "cell_y": cy, "at": times[j] + timedelta(hours=-2),
                     "created_by": "bench", "created_at": now})  # fmt: skip
    keys = [
        _identifier(row["id"], ev.lost[j % len(ev.lost)].imei, vault)
        for j, row in enumerate(rows)
        if ev.lost[j % len(ev.lost)].imei
    ]
    with store.db.engine.begin() as conn:
        conn.execute(insert(HelpItem.__table__), rows)
        if keys:
            conn.execute(insert(HelpIdentifier.__table__), keys)
    return [r["id"] for r in rows]


def _timed(store: Store, ids: list[int]) -> list[float]:
    times = []
    for item_id in ids:
        t = time.perf_counter()
        with store.db.session() as s:
            lost_found.matches(s, ACTOR, item_id)
        times.append((time.perf_counter() - t) * 1000)
    return times


def time_matches(store: Store, ids: list[int]) -> dict[str, float]:
    """p50/p99 of `lost_found.matches` (one session per query, as one API request).

    Timed twice after a warm-up of ten reports: with the process's long-lived objects frozen
    out of the collector (as for the in-memory index), and with the collector as it is, where
    a full collection landing inside a query shows in the p99.
    """
    _timed(store, ids[:10])
    as_is = _timed(store, ids)
    gc.collect()
    gc.freeze()
    try:
        frozen = _timed(store, ids)
    finally:
        gc.unfreeze()
    return {"p50_ms": round(float(np.percentile(frozen, 50)), 2),
            "p99_ms": round(float(np.percentile(frozen, 99)), 2),
            "p99_ms_gc_as_is": round(float(np.percentile(as_is, 99)), 2),
            "queries": len(ids)}  # fmt: skip


def time_category_scan(store: Store, ids: list[int]) -> dict[str, float]:
    """Baseline: rank every open found item of the report's categories (no window, no grid)."""
    times = []
    for item_id in ids:
        t = time.perf_counter()
        with store.db.session() as s:
            row = s.get(HelpItem, item_id)
            query = select(HelpItem).where(
                HelpItem.kind == "found", HelpItem.status.in_(lost_found.OPEN)
            )
            cats = categories_for(row.category)
            if cats:
                query = query.where(HelpItem.category.in_(cats))
            pool = (lost_found.to_match_item(c, frozenset()) for c in s.execute(query).scalars())
            rank(lost_found.to_match_item(row, frozenset()), pool)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2),
            "p99_ms": round(float(np.percentile(times, 99)), 2), "queries": len(ids)}  # fmt: skip
