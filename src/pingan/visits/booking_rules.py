"""The checks a booking (and its cancellation) must pass, each refusal with a stable code.

Pure: the service gathers the facts (counts, statuses, whether the slot lies in the grid,
what the detainee's restrictions mean in its stage) and the rule of visits/rules.yaml for
the facility kind × visitor kind (`VisitRule`); this module decides. The checks run in a
fixed order, so the same request is always refused for the same first reason; everything
not refused is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pingan.visits.rules import VisitRule
from pingan.visits.slots import LAWYER, share_cap, within_share

# reason code → HTTP status of the refusal
STATUS: dict[str, int] = {
    "relation_not_accepted": 403,
    "detainee_not_held": 409,
    "suspended": 403,
    "no_family_visits": 403,
    "visits_not_allowed": 403,
    "lawyer_monitoring_forbidden": 422,
    "lawyer_recording_forbidden": 422,
    "in_the_past": 422,
    "beyond_horizon": 422,
    "outside_hours": 422,
    "too_long": 422,
    "too_many_persons": 422,
    "needs_consent": 403,
    "over_quota": 409,
    "already_booked": 409,
    "over_fair_share": 409,
    "slot_taken": 409,
    "too_late_to_cancel": 409,
    "cannot_arrange_within_48h": 409,
}


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return STATUS[self.code]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the service found about one booking request."""

    kind: str  # family / lawyer / consular
    starts_at: datetime
    minutes: int
    persons: int  # everyone on the visitor's side, the visitor included
    asked_recorded: bool | None
    asked_monitored: bool | None
    in_hours: bool  # the whole visit lies in back-to-back slots of the (working) grid
    relation_status: str
    detainee_status: str
    blocked_by: str | None  # a restriction refusing this visitor kind outright
    consent_needed: bool  # by the rule, or by a restriction in the detainee's stage
    has_consent: bool  # a valid case-authority consent (VisitApproval) covers the visit
    suspended: bool
    month_count: int  # the detainee's live bookings of this kind in the visit's month
    live_with_detainee: int  # this visitor's live bookings with this detainee (family)
    now: datetime
    live_limit: int = 1  # rules: family_live_per_detainee
    horizon_days: int = 14  # rules: booking_horizon_days
    held_by_lawyer: int = 0  # lawyer slots this lawyer holds that day
    held_by_firm: int = 0  # … and the lawyer's firm
    day_capacity: int = 0  # lawyer slots of that day (terminals × slots)
    wanted_slots: int = 1
    share_lawyer: float = 1.0  # rules: lawyer_day_share
    share_firm: float = 1.0


def flags(policy: VisitRule, kind: str) -> tuple[bool, bool]:
    """(recorded, monitored) as the rules fix them; a lawyer's visit never either."""
    if kind == LAWYER:
        return False, False
    return policy.recorded, policy.monitored


def check_booking(policy: VisitRule, f: Facts) -> Refusal | None:
    """The first reason to refuse, or None: allowed."""
    now = f.now
    if f.relation_status != "accepted":
        return Refusal("relation_not_accepted")
    if f.detainee_status != "held":
        return Refusal("detainee_not_held")
    if f.suspended:
        return Refusal("suspended")
    if f.blocked_by is not None:
        return Refusal(f.blocked_by if f.blocked_by in STATUS else "visits_not_allowed")
    if not policy.allowed:
        return Refusal("visits_not_allowed", {"kind": f.kind})
    if f.kind == LAWYER and f.asked_monitored:
        return Refusal("lawyer_monitoring_forbidden")
    if f.kind == LAWYER and f.asked_recorded:
        return Refusal("lawyer_recording_forbidden")
    if f.starts_at <= now:
        return Refusal("in_the_past")
    if f.starts_at > now + timedelta(days=f.horizon_days):
        return Refusal("beyond_horizon", {"days": f.horizon_days})
    if not f.in_hours:
        return Refusal("outside_hours")
    if f.minutes > policy.max_minutes:
        return Refusal("too_long", {"max": policy.max_minutes})
    if f.persons > policy.max_persons:
        return Refusal("too_many_persons", {"max": policy.max_persons})
    if f.consent_needed and not f.has_consent:
        return Refusal("needs_consent")
    if policy.quota_per_month is not None and f.month_count >= policy.quota_per_month:
        return Refusal("over_quota", {"max": policy.quota_per_month})
    if f.kind != LAWYER and f.live_with_detainee >= f.live_limit:
        return Refusal("already_booked")
    if f.kind == LAWYER and f.day_capacity > 0:
        for held, share in ((f.held_by_lawyer, f.share_lawyer), (f.held_by_firm, f.share_firm)):
            if not within_share(held, f.wanted_slots, f.day_capacity, share):
                return Refusal("over_fair_share", {"max": share_cap(f.day_capacity, share)})
    return None


def check_cancel(
    starts_at: datetime, *, now: datetime, cancel_before_h: float, by_desk: bool
) -> Refusal | None:
    """A visitor cancels at least `cancel_before_h` before the start; the desk at any time
    before the visit has ended (it gives a reason)."""
    if by_desk:
        return None
    if starts_at - now < timedelta(hours=cancel_before_h):
        return Refusal("too_late_to_cancel", {"hours": cancel_before_h})
    return None


def can_cancel(starts_at: datetime, *, now: datetime, cancel_before_h: float) -> bool:
    return check_cancel(starts_at, now=now, cancel_before_h=cancel_before_h, by_desk=False) is None
