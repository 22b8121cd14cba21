"""The anti-fraud desk's numbers from desk.yaml (fraud types, golden time, alert window,
order-number prefixes), checked once when first read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DESK_FILE = Path(__file__).with_name("desk.yaml")
ORDER_KINDS = ("stop", "freeze", "release", "atm_revoke")


@dataclass(frozen=True, slots=True)
class Desk:
    fraud_types: tuple[str, ...]
    golden: timedelta
    expiry_alert: timedelta
    future_tolerance: timedelta
    max_transfer_age: timedelta
    stale_sending: timedelta
    requesting_unit: str
    case_prefix: str
    order_prefixes: dict[str, str]


def parse(raw: dict[str, Any]) -> Desk:
    prefixes = {str(k): str(v) for k, v in raw["order_prefixes"].items()}
    if set(prefixes) != set(ORDER_KINDS):
        raise ValueError(f"order_prefixes must name exactly {ORDER_KINDS}")
    if any(len(p) > 8 for p in (*prefixes.values(), raw["case_prefix"])):
        raise ValueError("a number prefix is at most 8 characters")
    return Desk(
        fraud_types=tuple(str(t) for t in raw["fraud_types"]),
        golden=timedelta(minutes=float(raw["golden_minutes"])),
        expiry_alert=timedelta(hours=float(raw["expiry_alert_hours"])),
        future_tolerance=timedelta(seconds=float(raw["future_tolerance_seconds"])),
        max_transfer_age=timedelta(days=float(raw["max_transfer_age_days"])),
        stale_sending=timedelta(minutes=float(raw["stale_sending_minutes"])),
        requesting_unit=str(raw["requesting_unit"]),
        case_prefix=str(raw["case_prefix"]),
        order_prefixes=prefixes,
    )


@cache
def desk() -> Desk:
    return parse(yaml.safe_load(DESK_FILE.read_text(encoding="utf-8")))
