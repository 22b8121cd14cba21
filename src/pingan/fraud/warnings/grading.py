"""The grade of an early warning from a person's contacts with known fraud numbers: pure
functions over plain data, the rules read from grading.yaml (checked once when first read).

`grade(contacts, rules, now)` → the highest grade any rule gives, and the codes of every rule
that matched (highest grade first, in the file's order). O(n log n) in the contacts (the
count rules sort them once and slide a window)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("call", "sms", "app")
_CONTACT_KEYS = {"kinds", "min_duration_s", "below_duration_s", "case_linked", "within_days"}
_COUNT_KEYS = {"at_least", "within_hours"}


@dataclass(frozen=True, slots=True)
class Contact:
    number: str
    kind: str  # call / sms / app
    duration_s: int
    at: datetime
    case_linked: bool = False  # the number is tied to a reported case


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    grade: str
    contact: dict[str, Any] | None
    count: dict[str, Any] | None

    def matches(self, contacts: Sequence[Contact], now: datetime) -> bool:
        if self.count is not None:
            return _most_within(contacts, timedelta(hours=self.count["within_hours"])) >= int(
                self.count["at_least"]
            )
        return any(_contact_matches(self.contact or {}, c, now) for c in contacts)


@dataclass(frozen=True, slots=True)
class Rules:
    grades: tuple[str, ...]  # lowest first
    due: dict[str, timedelta]
    lookback: timedelta
    rules: tuple[Rule, ...]

    def rank(self, grade: str | None) -> int:
        return -1 if grade is None else self.grades.index(grade)

    def higher(self, a: str | None, b: str | None) -> str | None:
        return a if self.rank(a) >= self.rank(b) else b

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.rules)


@dataclass(frozen=True, slots=True)
class Grading:
    grade: str | None  # None: no rule matched
    reasons: tuple[str, ...]


def _contact_matches(cond: dict[str, Any], c: Contact, now: datetime) -> bool:
    if "kinds" in cond and c.kind not in cond["kinds"]:
        return False
    if "min_duration_s" in cond and c.duration_s < cond["min_duration_s"]:
        return False
    if "below_duration_s" in cond and c.duration_s >= cond["below_duration_s"]:
        return False
    if cond.get("case_linked") and not c.case_linked:
        return False
    return not ("within_days" in cond and c.at < now - timedelta(days=cond["within_days"]))


def _most_within(contacts: Sequence[Contact], window: timedelta) -> int:
    """The largest number of contacts whose times all lie within `window` of the first."""
    times = sorted(c.at for c in contacts)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def grade(contacts: Sequence[Contact], rules: Rules, now: datetime) -> Grading:
    matched = [r for r in rules.rules if r.matches(contacts, now)]
    if not matched:
        return Grading(None, ())
    matched.sort(key=lambda r: -rules.rank(r.grade))  # stable: the file's order within a grade
    return Grading(matched[0].grade, tuple(r.code for r in matched))


def parse(raw: dict[str, Any]) -> Rules:
    grades = tuple(raw["grades"])
    if len(set(grades)) != len(grades) or not grades:
        raise ValueError("grades must be distinct and not empty")
    due = {g: timedelta(minutes=float(m)) for g, m in raw["due_minutes"].items()}
    if set(due) != set(grades) or any(d <= timedelta(0) for d in due.values()):
        raise ValueError("due_minutes needs a positive time for every grade")
    rules, seen = [], set()
    for spec in raw["rules"]:
        code, g = spec["code"], spec["grade"]
        if code in seen:
            raise ValueError(f"rule {code} given twice")
        seen.add(code)
        if g not in grades:
            raise ValueError(f"rule {code}: unknown grade {g}")
        contact, count = spec.get("contact"), spec.get("count")
        if (contact is None) == (count is None):
            raise ValueError(f"rule {code}: give exactly one of contact and count")
        if contact is not None and (
            set(contact) - _CONTACT_KEYS or not set(contact.get("kinds", KINDS)) <= set(KINDS)
        ):
            raise ValueError(f"rule {code}: unknown contact condition")
        if count is not None and set(count) != _COUNT_KEYS:
            raise ValueError(f"rule {code}: count needs at_least and within_hours")
        rules.append(Rule(code, g, contact, count))
    return Rules(grades, due, timedelta(days=float(raw["lookback_days"])), tuple(rules))


@cache
def rules() -> Rules:
    text = resources.files("pingan.fraud.warnings").joinpath("grading.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
