"""The booking checks: each refusal with its code, and what passes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.visits.booking_rules import (
    STATUS,
    Facts,
    can_cancel,
    check_booking,
    check_cancel,
    flags,
)
from pingan.visits.rules import VisitRule, rules

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
FAMILY_KSS = rules().visit("detention_centre", "family")  # needs consent, quota 2, ≤3, 30 min
LAWYER = rules().visit("detention_centre", "lawyer")
SHARES = {"share_lawyer": 0.25, "share_firm": 0.5}
OK = Facts(
    kind="family",
    starts_at=NOW + timedelta(days=2),
    minutes=30,
    persons=1,
    asked_recorded=None,
    asked_monitored=None,
    in_hours=True,
    relation_status="accepted",
    detainee_status="held",
    blocked_by=None,
    consent_needed=True,
    has_consent=True,
    suspended=False,
    month_count=0,
    live_with_detainee=0,
    now=NOW,
)
OK_LAWYER = replace(
    OK, kind="lawyer", consent_needed=False, has_consent=False, day_capacity=16, **SHARES
)


def test_the_allowed_cases_pass() -> None:
    assert check_booking(FAMILY_KSS, OK) is None
    assert check_booking(FAMILY_KSS, replace(OK, consent_needed=False, has_consent=False)) is None
    assert check_booking(FAMILY_KSS, replace(OK, persons=3, month_count=1)) is None
    assert check_booking(LAWYER, OK_LAWYER) is None
    assert (
        check_booking(LAWYER, replace(OK_LAWYER, asked_recorded=False, asked_monitored=False))
        is None
    )


@pytest.mark.parametrize(
    ("policy", "facts", "code"),
    [
        (FAMILY_KSS, replace(OK, has_consent=False), "needs_consent"),
        (FAMILY_KSS, replace(OK, persons=4), "too_many_persons"),
        (FAMILY_KSS, replace(OK, month_count=2), "over_quota"),
        (FAMILY_KSS, replace(OK, minutes=31), "too_long"),
        (FAMILY_KSS, replace(OK, in_hours=False), "outside_hours"),
        (FAMILY_KSS, replace(OK, suspended=True), "suspended"),
        (FAMILY_KSS, replace(OK, relation_status="pending"), "relation_not_accepted"),
        (FAMILY_KSS, replace(OK, detainee_status="released"), "detainee_not_held"),
        (FAMILY_KSS, replace(OK, blocked_by="no_family_visits"), "no_family_visits"),
        (FAMILY_KSS, replace(OK, starts_at=NOW + timedelta(days=30)), "beyond_horizon"),
        (FAMILY_KSS, replace(OK, starts_at=NOW - timedelta(minutes=1)), "in_the_past"),
        (FAMILY_KSS, replace(OK, live_with_detainee=1), "already_booked"),
        (replace(FAMILY_KSS, allowed=False), OK, "visits_not_allowed"),
        (LAWYER, replace(OK_LAWYER, asked_monitored=True), "lawyer_monitoring_forbidden"),
        (LAWYER, replace(OK_LAWYER, asked_recorded=True), "lawyer_recording_forbidden"),
        (LAWYER, replace(OK_LAWYER, held_by_lawyer=4), "over_fair_share"),
        (LAWYER, replace(OK_LAWYER, held_by_firm=8), "over_fair_share"),
        (LAWYER, replace(OK_LAWYER, consent_needed=True), "needs_consent"),
    ],
)
def test_each_refusal_has_its_code(policy: VisitRule, facts: Facts, code: str) -> None:
    refusal = check_booking(policy, facts)
    assert refusal is not None and refusal.code == code
    assert 400 <= refusal.status < 500


def test_a_lawyer_is_not_held_to_family_limits() -> None:
    facts = replace(OK_LAWYER, live_with_detainee=3, month_count=40, persons=2)
    assert check_booking(LAWYER, facts) is None
    assert check_booking(LAWYER, replace(facts, held_by_lawyer=3, held_by_firm=7)) is None


def test_cancelling_24_hours_ahead() -> None:
    start = NOW + timedelta(hours=24)
    assert check_cancel(start, now=NOW, cancel_before_h=24, by_desk=False) is None
    late = check_cancel(start, now=NOW + timedelta(seconds=1), cancel_before_h=24, by_desk=False)
    assert late is not None and late.code == "too_late_to_cancel" and late.status == 409
    assert check_cancel(start, now=start, cancel_before_h=24, by_desk=True) is None
    assert can_cancel(start, now=NOW, cancel_before_h=24)


def test_every_code_has_a_4xx_status() -> None:
    assert all(400 <= s < 500 for s in STATUS.values())


@given(
    recorded=st.booleans(),
    monitored=st.booleans(),
    asked_r=st.sampled_from([None, False, True]),
    asked_m=st.sampled_from([None, False, True]),
)
def test_a_lawyer_slot_is_never_recorded_or_monitored(
    recorded, monitored, asked_r, asked_m
) -> None:
    policy = replace(LAWYER, recorded=recorded, monitored=monitored)
    assert flags(policy, "lawyer") == (False, False)
    refusal = check_booking(
        policy, replace(OK_LAWYER, asked_recorded=asked_r, asked_monitored=asked_m)
    )
    if asked_r or asked_m:
        assert refusal is not None and refusal.code.startswith("lawyer_")
    else:
        assert refusal is None
