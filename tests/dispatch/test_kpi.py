"""Response KPIs as a pure function."""

from datetime import UTC, datetime, timedelta

import pytest

from pingan.dispatch.kpi import ResponseRecord, shift_of, summarize

TIERS = [("tier1", 60.0), ("tier3", 180.0), ("tier5", 300.0)]
T0 = datetime(2026, 7, 28, 12, 0, tzinfo=UTC)  # 20:00 in Kangbashi


def rec(secs, area="a", state="closed", type_code="theft", at=T0, check="verified"):
    arrived = at + timedelta(seconds=secs) if secs is not None else None
    return ResponseRecord(at, arrived, type_code, 2, area, state, check if arrived else None)


def test_compliance_and_percentiles():
    rows = summarize([rec(30), rec(100), rec(200), rec(400), rec(None)], TIERS)
    (row,) = rows
    assert row.incidents == 5 and row.responded == 4 and row.no_arrival == 1
    assert row.within == {"tier1": 0.25, "tier3": 0.5, "tier5": 0.75}
    assert row.p50_s == 150 and row.p90_s == pytest.approx(340)


def test_cancelled_and_merged_are_left_out():
    rows = summarize([rec(30), rec(None, state="cancelled"), rec(None, state="merged")], TIERS)
    assert rows[0].incidents == 1


def test_grouping_by_area_has_an_all_row_first():
    rows = summarize([rec(30, "x"), rec(90, "y"), rec(500, "y")], TIERS, by="area")
    assert [r.group for r in rows] == ["all", "x", "y"]
    assert rows[2].within["tier3"] == 0.5


def test_shifts_follow_local_time_across_midnight():
    assert shift_of(T0) == "night"  # 20:00 local
    assert shift_of(T0 - timedelta(hours=1)) == "day"
    assert shift_of(T0 + timedelta(hours=10)) == "night"  # 06:00 local


def test_empty_and_bad_grouping():
    assert summarize([], TIERS)[0].responded == 0
    with pytest.raises(ValueError):
        summarize([], TIERS, by="colour")


def test_overridden_and_unchecked_arrivals_are_counted_but_not_measured():
    rows = summarize(
        [rec(30), rec(400), rec(5, check="overridden"), rec(1, check=None), rec(None)], TIERS
    )
    (row,) = rows
    assert (row.responded, row.verified, row.overridden, row.unverified) == (4, 2, 1, 1)
    assert row.no_arrival == 1
    assert row.within["tier1"] == 0.5  # the 1 s and 5 s "arrivals" do not lift compliance
    assert row.p50_s == 215


def test_no_verified_arrival_means_nothing_to_measure():
    (row,) = summarize([rec(5, check="overridden")], TIERS)
    assert row.overridden == 1 and row.verified == 0
    assert row.within == {"tier1": None, "tier3": None, "tier5": None} and row.p90_s is None
