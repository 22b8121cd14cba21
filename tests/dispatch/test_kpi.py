"""Response KPIs as a pure function."""

from datetime import UTC, datetime, timedelta

import pytest

from pingan.dispatch.kpi import ResponseRecord, shift_of, summarize

TIERS = [("tier1", 60.0), ("tier3", 180.0), ("tier5", 300.0)]
T0 = datetime(2026, 7, 28, 12, 0, tzinfo=UTC)  # 20:00 in Kangbashi


def rec(secs, area="a", state="closed", type_code="theft", at=T0):
    return ResponseRecord(
        at, at + timedelta(seconds=secs) if secs is not None else None, type_code, 2, area, state
    )


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
