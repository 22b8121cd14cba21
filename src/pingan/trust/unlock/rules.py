"""The unlock rules from rules.yaml, checked once when first read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

MIN_RETENTION_DAYS = 90  # 开锁登记 is kept at least three months


@dataclass(frozen=True, slots=True)
class LockType:
    code: str
    entitled_by: tuple[str, ...]
    otherwise: str  # witness / refuse
    refuse_code: str | None
    notify_110: bool


@dataclass(frozen=True, slots=True)
class Rules:
    filing_number: re.Pattern[str]
    lock_types: dict[str, LockType]
    occupant_kinds: frozenset[str]
    risk: dict[str, Any]
    witness_kinds: dict[str, frozenset[str]]
    geofence_m: float
    position_agree_m: float
    position_fresh_s: float
    photos_required: tuple[str, ...]
    retention_days: int
    algorithm: str

    def flag_needs_witness(self, flag: str) -> bool:
        return bool(self.risk.get(flag, {}).get("witness"))


def parse(raw: dict[str, Any]) -> Rules:
    types = {
        code: LockType(
            code,
            tuple(spec["entitled_by"]),
            spec["otherwise"],
            spec.get("refuse_code"),
            bool(spec.get("notify_110")),
        )
        for code, spec in raw["lock_types"].items()
    }
    for t in types.values():
        if t.otherwise not in ("witness", "refuse") or (
            t.otherwise == "refuse" and not t.refuse_code
        ):
            raise ValueError(
                f"lock type {t.code}: otherwise must be witness, or refuse with a code"
            )
    days = int(raw["retention_days"])
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"retention_days {days} is under {MIN_RETENTION_DAYS}")
    return Rules(
        filing_number=re.compile(raw["filing_number"]),
        lock_types=types,
        occupant_kinds=frozenset(raw["occupant_kinds"]),
        risk=raw["risk"],
        witness_kinds={k: frozenset(v) for k, v in raw["witness_kinds"].items()},
        geofence_m=float(raw["geofence_m"]),
        position_agree_m=float(raw["position_agree_m"]),
        position_fresh_s=float(raw["position_fresh_s"]),
        photos_required=tuple(raw["photos_required"]),
        retention_days=days,
        algorithm=raw["algorithm"],
    )


@cache
def rules() -> Rules:
    text = resources.files("pingan.trust.unlock").joinpath("rules.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
