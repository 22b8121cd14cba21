"""The grading engine on plain data: each rule of grading.yaml, the sliding window, and the
file's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import yaml

from pingan.fraud.warnings import grading
from pingan.fraud.warnings.grading import Contact, grade, parse, rules
from pingan.i18n import catalogue

NOW = datetime(2026, 10, 2, 10, 0, tzinfo=UTC)


def c(kind: str, duration: int = 0, minutes_ago: float = 30, linked: bool = False) -> Contact:
    return Contact("95012345678", kind, duration, NOW - timedelta(minutes=minutes_ago), linked)


@pytest.mark.parametrize(
    ("contacts", "expected", "reason"),
    [
        ([c("call", 60)], "high", "long_call"),
        ([c("call", 59)], "medium", "medium_call"),
        ([c("call", 10)], "medium", "medium_call"),
        ([c("call", 9)], "low", "short_call"),
        ([c("sms")], "low", "message"),
        ([c("app")], "low", "message"),
        ([c("sms", minutes_ago=m) for m in (10, 600, 1400)], "high", "repeated_contacts"),
        ([c("sms", minutes_ago=m) for m in (10, 1400)], "medium", "two_contacts"),
        ([c("sms", linked=True, minutes_ago=6 * 1440)], "high", "case_number"),
    ],
)
def test_each_rule_gives_its_grade_and_reason(contacts, expected, reason) -> None:
    got = grade(contacts, rules(), NOW)
    assert got.grade == expected
    assert got.reasons[0] == reason


def test_contacts_further_apart_than_the_window_are_not_counted_together() -> None:
    got = grade([c("sms", minutes_ago=m) for m in (10, 1500, 3000)], rules(), NOW)
    assert got.grade == "low" and got.reasons == ("message",)


def test_a_case_number_counts_only_within_seven_days() -> None:
    got = grade([c("sms", linked=True, minutes_ago=8 * 1440)], rules(), NOW)
    assert got.grade == "low"


def test_every_reason_matched_is_named_highest_grade_first() -> None:
    got = grade([c("call", 90), c("sms", minutes_ago=5)], rules(), NOW)
    assert got.grade == "high"
    assert got.reasons == ("long_call", "two_contacts", "message")


def test_no_contacts_no_grade() -> None:
    assert grade([], rules(), NOW) == grading.Grading(None, ())


def test_every_reason_has_words_in_both_languages() -> None:
    for code in rules().codes:
        assert f"fraud.warn.reason.{code}" in catalogue("zh_CN")
        assert f"fraud.warn.reason.{code}" in catalogue("en")


def _raw() -> dict:
    text = resources.files("pingan.fraud.warnings").joinpath("grading.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["rules"].append(dict(r["rules"][0])),  # a code twice
        lambda r: r["rules"][0].update(grade="urgent"),
        lambda r: r["rules"][0].update(count={"at_least": 2, "within_hours": 1}),  # both tests
        lambda r: r["due_minutes"].pop("low"),
        lambda r: r["rules"][0]["contact"].update(kinds=["fax"]),
    ],
)
def test_a_bad_rules_file_is_refused(change) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ValueError):
        parse(raw)


def test_the_higher_of_two_grades() -> None:
    r = rules()
    assert r.higher("low", "high") == "high"
    assert r.higher("high", "medium") == "high"
    assert r.higher(None, "low") == "low"
