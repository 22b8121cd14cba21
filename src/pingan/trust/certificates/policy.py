"""The e-certificate policy from `policy.yaml`: validity, time limits, quotas, list size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class Policy:
    validity_months: int
    decision_working_days: int
    objection_working_days: int
    objection_extended_working_days: int
    free_applications_per_year: int
    max_scans: int
    consent_days: int
    status_list_size: int
    issuer: str
    base_url: str
    purposes: tuple[str, ...]


@cache
def policy() -> Policy:
    data = yaml.safe_load((Path(__file__).with_name("policy.yaml")).read_text(encoding="utf-8"))
    data["purposes"] = tuple(data["purposes"])
    return Policy(**data)
