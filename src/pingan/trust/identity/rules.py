"""The assurance rules, read once from rules.yaml (validity, failure limits, OTP, face)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Rules:
    valid_for: dict[int, timedelta]
    failure_window: timedelta
    max_failures_per_account: int
    max_failures_per_subject: int
    otp_digits: int
    otp_ttl: timedelta
    otp_max_tries: int
    otp_max_sends: int
    face_min_score: float


@cache
def rules() -> Rules:
    raw = yaml.safe_load(
        resources.files("pingan.trust.identity").joinpath("rules.yaml").read_text("utf-8")
    )
    failures, otp = raw["failures"], raw["otp"]
    return Rules(
        valid_for={int(k): timedelta(days=v) for k, v in raw["valid_days"].items()},
        failure_window=timedelta(minutes=failures["window_minutes"]),
        max_failures_per_account=failures["max_per_account"],
        max_failures_per_subject=failures["max_per_subject"],
        otp_digits=otp["digits"],
        otp_ttl=timedelta(seconds=otp["ttl_seconds"]),
        otp_max_tries=otp["max_tries"],
        otp_max_sends=otp["max_sends"],
        face_min_score=float(raw["face"]["min_score"]),
    )
