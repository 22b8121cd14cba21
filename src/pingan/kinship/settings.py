"""Thresholds of the family search, read from thresholds.yaml (each value with its source)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Thresholds:
    report_floor_log10: float
    strong_log10: float
    theta: float
    mutation: float
    prior: str | float
    frequencies: str
    power_enough: float

    def prior_for(self, open_cases_other_side: int) -> float:
        """The prior that a given case on the other side holds the match."""
        if isinstance(self.prior, float):
            return self.prior
        return 1.0 / max(1, open_cases_other_side)


def parse(raw: dict) -> Thresholds:
    prior = raw["prior"]
    if prior != "per_open_cases":
        prior = float(prior)
        if not 0.0 < prior < 1.0:
            raise ValueError("thresholds.yaml: prior must be per_open_cases or in (0, 1)")
    out = Thresholds(
        report_floor_log10=float(raw["report_floor_log10"]),
        strong_log10=float(raw["strong_log10"]),
        theta=float(raw["theta"]),
        mutation=float(raw["mutation"]),
        prior=prior,
        frequencies=str(raw["frequencies"]),
        power_enough=float(raw["power_enough"]),
    )
    if out.report_floor_log10 > out.strong_log10:
        raise ValueError("thresholds.yaml: the report floor must not exceed the strong level")
    if not (0.0 <= out.theta < 0.5 and 0.0 <= out.mutation < 0.1 and 0 < out.power_enough <= 1):
        raise ValueError("thresholds.yaml: theta, mutation or power_enough out of range")
    return out


@cache
def load_thresholds() -> Thresholds:
    text = resources.files("pingan.kinship").joinpath("thresholds.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
