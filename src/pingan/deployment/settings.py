"""Planning parameters from planning.yaml, and the tiers the optimiser uses."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from pingan.deployment.coverage import Tier


@cache
def planning() -> dict[str, Any]:
    text = resources.files("pingan.deployment").joinpath("planning.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    for t in raw["tiers"]:
        if t["radius_s"] <= 0 or t["weight"] < 0:
            raise ValueError("planning.yaml: tier radius must be positive, weight non-negative")
    return raw


def tiers() -> tuple[Tier, ...]:
    return tuple(
        Tier(
            code=t["code"],
            radius_s=float(t["radius_s"]),
            weight=float(t["weight"]),
            unit_types=frozenset(t["unit_types"]),
            backup=bool(t.get("backup")),
        )
        for t in planning()["tiers"]
    )


def tier_types() -> frozenset[str]:
    """Unit kinds that serve some tier."""
    return frozenset().union(*(t.unit_types for t in tiers()))


def busy() -> dict[str, Any]:
    """The busy-unit model's parameters (planning.yaml ``busy``)."""
    return planning()["busy"]
