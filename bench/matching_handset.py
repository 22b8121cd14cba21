"""The hand-written lost-and-found evaluation set, registered through the HTTP API as a
bureau registers it (bench/lost_found_eval/*.yaml; how it was written: its README).

    .venv/bin/python bench/matching_handset.py    # prints figures per class, then one JSON line

Every found item of every case (the true one and the distractors) is registered first by a
desk officer (POST /lost-found/found), all in one store; then each owner's report is filed
(POST /lost-found/lost) and its ranked candidates read back (GET …/matches). A place name
in a case is sent as the owner or finder gave it: the API finds it in the city's gazetteer.
"""

from __future__ import annotations

import base64
import math
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from pingan.app import create_app
from pingan.audit import service as audit
from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.pii.vault import Vault

SET_DIR = Path(__file__).parent / "lost_found_eval"
API = "/api/v1/services/lost-found"
SECRET = base64.urlsafe_b64encode(b"handset-evaluation-secret-32byte").decode()
PASSWORD = "Handset-eval-2026"


@dataclass(frozen=True)
class Case:
    id: str
    classes: tuple[str, ...]
    lost: dict[str, Any]
    found: dict[str, Any] | None
    distractors: tuple[dict[str, Any], ...] = field(default=())


def load_cases(directory: Path = SET_DIR) -> list[Case]:
    """Every case of every YAML file in the directory, ids unique across files."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text("utf-8")) or []:
            cases.append(
                Case(
                    str(raw["id"]),
                    tuple(raw.get("classes") or ()),
                    raw["lost"],
                    raw.get("found"),
                    tuple(raw.get("distractors") or ()),
                )
            )
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate case ids in {directory}")
    return cases


def body(side: dict[str, Any], *, found: bool, shift: timedelta = timedelta(0)) -> dict[str, Any]:
    """The request body for one side of a case, as a desk form sends it (its time moved back
    by `shift`: the API refuses times in the future)."""
    out: dict[str, Any] = {
        "category": side["category"],
        "description": side["description"],
        "at": (_instant(side["at"]) - shift).isoformat(),
    }
    for key in ("colour", "brand", "place", "lon", "lat"):
        if side.get(key) not in (None, ""):
            out[key] = side[key]
    if found:
        out |= {"holder": "康巴什派出所", "storage": "派出所失物柜"}
    else:
        out["contact_phone"] = "13900001234"
    return out


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def time_shift(cases: list[Case], now: datetime) -> timedelta:
    """Whole weeks that move the set's latest time to before `now` (zero when it is already):
    gaps, weekdays and hours stay as written, whatever day the benchmark runs."""
    sides = [s for c in cases for s in (c.lost, c.found, *c.distractors) if s]
    ahead = max(_instant(s["at"]) for s in sides) - (now - timedelta(days=1))
    return (
        timedelta(weeks=math.ceil(ahead / timedelta(weeks=1)))
        if ahead > timedelta(0)
        else timedelta(0)
    )


@dataclass(frozen=True)
class Outcome:
    """One report's ranked candidates (case item keys, best first, with scores)."""

    case: Case
    want: str | None
    ranked: list[tuple[str, float]]


@contextmanager
def api_client() -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    """A fresh SQLite store behind the app; a desk officer's and a citizen's headers."""
    with tempfile.TemporaryDirectory(prefix="pingan-handset-") as tmp:
        vault = Vault.from_setting_or_file(SECRET, Path("/nonexistent"))
        db = Database(f"sqlite:///{tmp}/handset.db")
        migrate.upgrade(db.engine)
        audit.use_key(db, vault.audit_key)  # the app checks the chain against its own key
        settings = Settings(data_dir=Path(tmp) / "data", secret_key=SECRET)
        with db.session() as session:
            for role, name in ((Role.OFFICER, "desk1"), (Role.CITIZEN, "owner1")):
                auth_service.create_user(
                    session,
                    Actor.system("bench"),
                    vault,
                    username=name,
                    password=PASSWORD,
                    role=role,
                    phone="13800138000",
                )
        try:
            with TestClient(create_app(settings, database=db)) as client:
                headers = []
                for name in ("desk1", "owner1"):
                    r = client.post(
                        "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
                    )
                    r.raise_for_status()
                    headers.append({"Authorization": f"Bearer {r.json()['access_token']}"})
                yield client, headers[0], headers[1]
        finally:
            db.dispose()


def run_api(cases: list[Case], limit: int = 5) -> tuple[list[Outcome], list[str]]:
    """Register every case through the API; (outcomes, refusals as 'case side: reason')."""
    refused: list[str] = []
    outcomes: list[Outcome] = []
    shift = time_shift(cases, datetime.now(UTC))
    with api_client() as (client, desk, owner):
        key_of: dict[int, str] = {}
        for case in cases:
            sides = [("found", case.found)] if case.found else []
            sides += [(f"distractor{k}", d) for k, d in enumerate(case.distractors)]
            for name, side in sides:
                r = client.post(
                    f"{API}/found", json=body(side, found=True, shift=shift), headers=desk
                )
                if r.status_code != 201:
                    refused.append(f"{case.id} {name}: {r.status_code} {r.text[:200]}")
                    continue
                key_of[r.json()["item"]["id"]] = f"{case.id}/{name}"
        for case in cases:
            r = client.post(
                f"{API}/lost", json=body(case.lost, found=False, shift=shift), headers=owner
            )
            if r.status_code != 201:
                refused.append(f"{case.id} lost: {r.status_code} {r.text[:200]}")
                continue
            lost_id = r.json()["item"]["id"]
            r = client.get(f"{API}/items/{lost_id}/matches?limit={limit}", headers=owner)
            r.raise_for_status()
            ranked = [(key_of.get(m["item_id"], "?"), m["score"]) for m in r.json()]
            want = f"{case.id}/found" if case.found else None
            outcomes.append(Outcome(case, want, ranked))
    return outcomes, refused


@dataclass(frozen=True)
class Figures:
    reports: int
    positives: int
    top1: float
    top5: float
    right: float  # best is the true item and at/above the threshold, over positives
    false: float  # best is a wrong item at/above the threshold, over all reports


def figures(outcomes: list[Outcome], threshold: float) -> Figures:
    pos = [o for o in outcomes if o.want is not None]
    top = [[k for k, _ in o.ranked] for o in pos]
    alert = [bool(o.ranked) and o.ranked[0][1] >= threshold for o in outcomes]
    best_right = [bool(o.ranked) and o.ranked[0][0] == o.want for o in outcomes]
    n_pos = max(len(pos), 1)
    return Figures(
        reports=len(outcomes),
        positives=len(pos),
        top1=sum(t[:1] == [o.want] for t, o in zip(top, pos, strict=True)) / n_pos,
        top5=sum(o.want in t[:5] for t, o in zip(top, pos, strict=True)) / n_pos,
        right=sum(a and b for a, b in zip(alert, best_right, strict=True)) / n_pos,
        false=sum(a and not b for a, b in zip(alert, best_right, strict=True))
        / max(len(outcomes), 1),
    )


def by_class(outcomes: list[Outcome], threshold: float) -> dict[str, Figures]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for c in o.case.classes:
            groups[c].append(o)
    return {c: figures(g, threshold) for c, g in sorted(groups.items())}


def misses(outcomes: list[Outcome], top: int = 1) -> Iterator[str]:
    """Reports whose true item is not within `top`, with what came first (for reading)."""
    for o in outcomes:
        if o.want and o.want not in [k for k, _ in o.ranked[:top]]:
            got = ", ".join(f"{k} {s:.2f}" for k, s in o.ranked[:3]) or "nothing"
            yield f"{o.case.id} [{' '.join(o.case.classes)}]: got {got}"


def recall(f: Figures) -> str:
    """Top-1 and top-5 as text; a group with no true items has none to find."""
    if not f.positives:
        return f"{'(no true items)':<27}"
    return f"top-1 {f.top1:6.1%}  top-5 {f.top5:6.1%}"


if __name__ == "__main__":
    from pingan.services import settings as service_settings

    threshold = service_settings.lost_found()["alert_threshold"]
    outs, refusals = run_api(load_cases())
    for line in refusals:
        print("refused:", line)
    f = figures(outs, threshold)
    print(f"all: {f}")
    for name, g in by_class(outs, threshold).items():
        print(f"{name:<16} n={g.reports:<4} {recall(g)}  false@thr {g.false:6.1%}")
    for line in misses(outs, top=1):
        print("miss:", line)
