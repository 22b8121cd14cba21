"""Non-genetic evidence as a likelihood ratio, and the posterior with a stated prior.

Hypotheses: the adoptee is the family's lost child (same person) against another child of
the 1959–61 cohort. Each part (sex, birth year, dates, place) is a ratio
P(records | same) / P(records | another child); a part with a missing record is 1. The
assumptions and their sources are in context.yaml. A mismatch is never 0: records of the
time are often wrong, so it lowers the odds and leaves the DNA to decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

# province names as families write them -> GB/T 2260 province code
_PROVINCE_NAMES = {"上海": "31", "江苏": "32", "浙江": "33", "安徽": "34", "内蒙古": "15"}


@dataclass
class Subject:
    """The adoptee or the lost child: `side` "adoptee" / "family" (blank: the first argument
    of context_lr is taken as the adoptee)."""

    sex: str
    birth_year_min: int | None
    birth_year_max: int | None
    date_min: date | None
    date_max: date | None
    place_code: str = ""
    place: str = ""
    side: str = ""


@dataclass
class ContextLR:
    log10_lr: float
    parts: dict[str, float] = field(default_factory=dict)


@cache
def assumptions() -> dict[str, Any]:
    text = resources.files("pingan.kinship").joinpath("context.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _ratio(consistent: bool, chance: float, error: float) -> float:
    """(1 − error) / chance when the records agree, error / (1 − chance) when not, where
    `chance` is how often another child's records would agree; 1 when they always would."""
    if chance >= 1.0:
        return 1.0
    return (1.0 - error) / chance if consistent else error / (1.0 - chance)


def sex_part(a: str, b: str) -> float:
    cfg = assumptions()["sex"]
    if a not in ("M", "F") or b not in ("M", "F"):
        return 1.0
    share = cfg["female_share"] if a == "F" else 1.0 - cfg["female_share"]
    return _ratio(a == b, share, cfg["error_rate"])


def birth_year_part(adoptee: Subject, family: Subject) -> float:
    cfg = assumptions()["birth_year"]
    ranges = []
    for s in (adoptee, family):
        lo, hi = s.birth_year_min, s.birth_year_max
        if lo is None and hi is None:
            return 1.0
        lo, hi = lo if lo is not None else hi, hi if hi is not None else lo
        ranges.append((min(lo, hi), max(lo, hi)))
    (a_lo, a_hi), (f_lo, f_hi) = ranges
    tol = cfg["tolerance_years"]
    consistent = f_lo <= a_hi + tol and a_lo - tol <= f_hi
    # another child: a range as wide as the family's, starting at a year of the cohort
    c_lo, c_hi = cfg["cohort"]
    start_lo, start_hi = max(c_lo, a_lo - tol - (f_hi - f_lo)), min(c_hi, a_hi + tol)
    chance = max(start_hi - start_lo + 1, 1) / (c_hi - c_lo + 1)
    return _ratio(consistent, min(chance, 1.0), cfg["error_rate"])


def date_part(adoptee: Subject, family: Subject) -> float:
    """The family lost the child on or before the day it was received, within the window."""
    cfg = assumptions()["date"]
    lost = _range(family.date_min, family.date_max)
    received = _range(adoptee.date_min, adoptee.date_max)
    if lost is None or received is None:
        return 1.0
    window = cfg["window_days"]
    l_lo, l_hi = (d.toordinal() for d in lost)
    r_lo, r_hi = (d.toordinal() for d in received)
    consistent = r_hi >= l_lo and r_lo <= l_hi + window
    # another child: received within the transfers, in a range as wide as this adoptee's
    t_lo, t_hi = (date.fromisoformat(d).toordinal() for d in cfg["transfers"])
    start_lo, start_hi = max(t_lo, l_lo - (r_hi - r_lo)), min(t_hi, l_hi + window)
    chance = max(start_hi - start_lo + 1, 1) / (t_hi - t_lo + 1)
    return _ratio(consistent, min(chance, 1.0), cfg["error_rate"])


def _range(lo: date | None, hi: date | None) -> tuple[date, date] | None:
    if lo is None and hi is None:
        return None
    lo, hi = lo or hi, hi or lo
    return (min(lo, hi), max(lo, hi))  # type: ignore[type-var]


def province(subject: Subject) -> str:
    """GB/T 2260 province (two digits) from the place code, else from the place's name."""
    if len(subject.place_code) >= 2 and subject.place_code[:2].isdigit():
        return subject.place_code[:2]
    for name, code in _PROVINCE_NAMES.items():
        if subject.place.startswith(name):
            return code
    return ""


def place_part(adoptee: Subject, family: Subject) -> float:
    """The family's province against the transfers' source provinces, and against the
    adoptee's recorded origin where the adoptee's place is an origin (not Inner Mongolia)."""
    cfg = assumptions()["place"]
    lost, origin = province(family), province(adoptee)
    sources = set(cfg["source_provinces"])
    if not lost:
        return 1.0
    if lost not in sources:
        return float(cfg["outside_factor"])
    if origin in sources:
        return _ratio(origin == lost, cfg["source_share"], cfg["error_rate"])
    return 1.0  # received in Inner Mongolia or unknown: no origin to compare


def context_lr(searched: Subject, found: Subject) -> ContextLR:
    """LR of the non-genetic records for "the adoptee is the family's lost child"."""
    adoptee, family = (
        (found, searched)
        if (searched.side, found.side) == ("family", "adoptee")
        else (searched, found)
    )
    parts = {
        "sex": sex_part(adoptee.sex, family.sex),
        "birth_year": birth_year_part(adoptee, family),
        "date": date_part(adoptee, family),
        "place": place_part(adoptee, family),
    }
    return ContextLR(sum(math.log10(v) for v in parts.values()), parts)


def posterior(log10_lr_total: float, prior: float) -> float:
    """P(same person | all evidence) from prior odds times the total LR, in log space so that
    very large or small LRs don't overflow."""
    if not 0.0 <= prior <= 1.0:
        raise ValueError("prior must be in [0, 1]")
    if prior in (0.0, 1.0) or math.isnan(log10_lr_total):
        return prior
    log10_odds = math.log10(prior) - math.log10(1.0 - prior) + log10_lr_total
    if log10_odds > 300:
        return 1.0
    if log10_odds < -300:
        return 0.0
    return 1.0 / (1.0 + 10.0 ** (-log10_odds))
