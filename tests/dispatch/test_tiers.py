"""The tier clock: each tier's moment from the call and from the dispatch order, pinned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely

from pingan.dispatch.response_plans import load_plans
from pingan.dispatch.tier_report import area_types_of
from pingan.dispatch.tiers import (
    Arrival,
    TierRecord,
    summarize_tiers,
    tier_lines,
    tier_times,
    tiered_targets,
)
from pingan.geo.city import load_key_areas, sample_paths
from pingan.i18n import use_lang

T0 = datetime(2026, 10, 2, 11, 0, tzinfo=UTC)  # 19:00 in Kangbashi: the day shift
AREAS, _ = load_key_areas(sample_paths()[1])
CAR = ("patrol_car", frozenset({"arrest", "first_aid"}), 2)


def _arrival(secs: float, check: str | None = "verified") -> Arrival:
    kind, caps, crew = CAR
    return Arrival(T0 + timedelta(seconds=secs), check, kind, caps, crew)


def _fight(area_type: str, *arrivals: Arrival, dispatched_s: float | None = 20) -> TierRecord:
    sent = T0 + timedelta(seconds=dispatched_s) if dispatched_s is not None else None
    plan = load_plans().plan_for("fight", 1)  # 2 units with 4 crew to arrest, 1 for first aid
    return TierRecord(T0, sent, 1, area_type, "closed", plan, arrivals)


def _by_tier(record: TierRecord) -> dict[str, tuple[str, float | None, float | None]]:
    return {
        t.tier: (t.status, t.from_call_s, t.from_dispatch_s)
        for t in tier_times(record, tiered_targets())
    }


def test_each_tier_is_timed_from_the_call_and_from_the_dispatch_order():
    record = _fight("key_area", _arrival(45), _arrival(150), _arrival(320))
    assert _by_tier(record) == {
        "tier1": ("measured", 45, 25),
        "tier3": ("measured", 150, 130),
        "tier5": ("measured", 320, 300),  # the third car fills the card
    }
    (first, _support, card) = summarize_tiers([record], tiered_targets())
    assert (first.met_from_call, first.met_from_dispatch) == (1, 1)
    # 320 s from the call misses the 300 s target; 300 s from the dispatch order meets it
    assert (card.met_from_call, card.met_from_dispatch) == (0, 1)
    assert card.p90_from_call_s == 320 and card.p90_from_dispatch_s == 300


def test_a_run_card_never_filled_counts_as_missed():
    record = _fight("key_area", _arrival(40), _arrival(90))
    assert _by_tier(record)["tier5"] == ("not_reached", None, None)
    rows = {r.tier: r for r in summarize_tiers([record], tiered_targets())}
    assert rows["tier5"].not_reached == 1 and rows["tier5"].met_from_call == 0
    assert rows["tier3"].met_from_call == 1  # support did come


def test_a_tier_an_overridden_arrival_helped_reach_is_counted_apart():
    record = _fight("key_area", _arrival(30, "overridden"), _arrival(100), _arrival(200))
    status = {k: v[0] for k, v in _by_tier(record).items()}
    assert status == {"tier1": "overridden", "tier3": "overridden", "tier5": "overridden"}
    (first, *_) = summarize_tiers([record], tiered_targets())
    assert first.overridden == 1 and first.measured == 0 and first.met_from_call is None


def test_which_tiers_apply_and_their_seconds_come_from_area_type_and_priority():
    street = _fight("street", _arrival(170), _arrival(250), _arrival(500))
    targets = {t.tier: t.target_s for t in tier_times(street, tiered_targets())}
    assert targets == {"tier1": 180, "tier3": 300, "tier5": 600}
    plan = load_plans().plan_for("lost_item", 4)  # one unit: no support needed
    lost = TierRecord(T0, None, 4, "key_area", "closed", plan, (_arrival(50),))
    assert _by_tier(lost) == {"tier1": ("measured", 50, None)}  # no dispatch order: no clock


def test_support_is_not_needed_on_a_one_unit_card():
    plan = load_plans().plan_for("theft", 2)  # one investigator
    theft = TierRecord(T0, T0, 2, "key_area", "closed", plan, (_arrival(50),))
    assert _by_tier(theft)["tier3"] == ("not_needed", None, None)


def test_rows_group_by_area_type_shift_and_hour_with_both_clocks_named():
    records = [
        _fight("key_area", _arrival(45), _arrival(150), _arrival(250)),
        _fight("street", _arrival(200), _arrival(260), _arrival(400)),
    ]
    rows = summarize_tiers(records, tiered_targets(), "area_type")
    groups = {(r.group, r.tier): r for r in rows}
    assert [g for g, _ in groups][::3] == ["all", "key_area", "street"]
    assert groups[("street", "tier1")].met_from_call == 0  # 200 s > 180 s
    assert groups[("all", "tier1")].incidents == 2
    assert {r.group for r in summarize_tiers(records, tiered_targets(), "shift")} == {"all", "day"}
    assert {r.group for r in summarize_tiers(records, tiered_targets(), "hour")} == {"all", "19"}
    text = "\n".join(tier_lines(rows))
    assert "从接警起" in text and "从派警起" in text and "from the call" not in text
    with use_lang("en"):
        text = "\n".join(tier_lines(rows))
    assert "from the call" in text and "from the dispatch order" in text and "从" not in text
    with use_lang("en"), pytest.raises(ValueError, match="unknown grouping"):
        summarize_tiers(records, tiered_targets(), "colour")


def test_area_type_is_key_area_inside_a_key_area_polygon_else_street():
    inside = shapely.Polygon(AREAS["music_fountain"].polygon).representative_point()
    west, south, _, _ = shapely.Polygon(AREAS["music_fountain"].polygon).bounds
    outside = (west - 0.05, south - 0.05)
    assert area_types_of([(inside.x, inside.y), outside], AREAS) == ["key_area", "street"]
    assert area_types_of([outside], {}) == ["street"]


def test_an_open_incident_within_its_target_is_pending_not_missed():
    plan = load_plans().plan_for("fight", 1)
    fresh = TierRecord(T0, T0, 1, "key_area", "dispatched", plan, (_arrival(30),))
    statuses = {
        t.tier: t.status for t in tier_times(fresh, tiered_targets(), T0 + timedelta(seconds=90))
    }
    # first force came; support (180 s) and the full card (300 s) still have time
    assert statuses == {"tier1": "measured", "tier3": "pending", "tier5": "pending"}
    late = {t.tier: t.status for t in tier_times(fresh, tiered_targets(), T0 + timedelta(hours=1))}
    assert late["tier5"] == "not_reached"
    (row,) = [r for r in summarize_tiers([fresh], tiered_targets(), now=T0 + timedelta(seconds=90))
              if r.tier == "tier5"]  # fmt: skip
    assert row.pending == 1 and row.met_from_call is None
