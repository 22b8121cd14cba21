"""The slot grid, availability, the 48-hour arrangement and fair shares (pure, property tests
where an invariant holds for every facility)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.visits import slots
from pingan.visits.slots import BEIJING, Terminal

HOURS = {str(d): [["09:00", "11:30"], ["14:00", "17:00"]] for d in range(7)}
MONDAY = date(2026, 12, 7)
TERMINALS = [Terminal(1, "lawyer"), Terminal(2, "family"), Terminal(3, "any")]


def bj(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def test_a_day_is_cut_into_slots_from_each_opening_and_none_runs_past_closing() -> None:
    day = slots.day_slots(HOURS, 30, MONDAY)
    assert len(day) == 5 + 6  # 09:00–11:30 gives 5, 14:00–17:00 gives 6
    assert day[0] == (bj(MONDAY, 9), bj(MONDAY, 9, 30))
    assert day[4] == (bj(MONDAY, 11), bj(MONDAY, 11, 30))
    assert day[5][0] == bj(MONDAY, 14)
    assert all(s.tzinfo is UTC for s, _ in day)
    assert slots.day_slots(HOURS, 45, MONDAY)[-1][1] <= bj(MONDAY, 17)  # 16:15–17:00 fits
    assert len(slots.day_slots({"0": [["09:00", "09:20"]]}, 30, MONDAY)) == 0


def test_lawyers_are_offered_working_days_only() -> None:
    start, end = bj(MONDAY, 0), bj(MONDAY + timedelta(days=7), 0)
    every = slots.grid(HOURS, 60, start, end)
    working = slots.grid(HOURS, 60, start, end, working_day=weekdays_only)
    assert {s.astimezone(BEIJING).weekday() for s, _ in working} == {0, 1, 2, 3, 4}
    assert len(every) == len(working) * 7 // 5


def test_terminals_serve_visits_by_their_use() -> None:
    day = slots.day_slots(HOURS, 30, MONDAY)
    now = bj(MONDAY, 0)
    assert slots.free_slots(day, TERMINALS, [], "lawyer", now=now)[0].terminals == (1, 3)
    assert slots.free_slots(day, TERMINALS, [], "family", now=now)[0].terminals == (2, 3)
    assert slots.free_slots(day, TERMINALS, [], "consular", now=now)[0].terminals == (2, 3)
    claimed = slots.free_slots(day, TERMINALS, [(3, bj(MONDAY, 9))], "family", now=now)
    assert claimed[0].terminals == (2,) and claimed[1].terminals == (2, 3)
    later = slots.free_slots(day, TERMINALS, [], "family", now=bj(MONDAY, 9))
    assert later[0].starts_at == bj(MONDAY, 9, 30)  # a slot that has begun is not offered


def test_the_earliest_lawyer_slot_within_48_hours() -> None:
    day = slots.grid(HOURS, 60, bj(MONDAY, 0), bj(MONDAY, 0) + timedelta(days=5))
    lawyer = [Terminal(1, "lawyer")]
    now = bj(MONDAY, 10, 15)
    assert slots.earliest(day, lawyer, [], "lawyer", now=now, within=timedelta(hours=48)) == (
        bj(MONDAY, 14),
        1,
    )
    full = [(1, s) for s, _ in day if s < bj(MONDAY, 0) + timedelta(days=3)]
    assert slots.earliest(day, lawyer, full, "lawyer", now=now, within=timedelta(hours=48)) is None
    two = slots.earliest(day, lawyer, [], "lawyer", now=now, within=timedelta(hours=48), count=2)
    assert two == (bj(MONDAY, 14), 1)  # 14–16 back to back; 10:00 would cross the break


def test_a_run_of_slots_breaks_at_the_lunch_break() -> None:
    day = slots.day_slots(HOURS, 30, MONDAY)
    assert slots.run_of(day, bj(MONDAY, 11), 2) is None
    assert slots.run_of(day, bj(MONDAY, 10, 30), 2) is not None
    assert slots.run_of(day, bj(MONDAY, 10, 40), 1) is None  # not a slot start


def test_working_hours_lie_in_the_facility_hours() -> None:
    half_day = {str(d): [["09:30", "17:00"]] for d in range(7)}
    periods = [["09:00", "11:00"], ["14:00", "16:00"]]
    start = bj(MONDAY, 0)
    found = slots.working_grid(
        half_day, periods, 60, start, start + timedelta(days=7), working_day=weekdays_only
    )
    assert [s.astimezone(BEIJING).hour for s, _ in found[:3]] == [10, 14, 15]
    assert len(found) == 3 * 5


def test_fair_share_never_below_one_slot() -> None:
    assert slots.share_cap(0, 0.25) == 1
    assert slots.share_cap(16, 0.25) == 4
    assert slots.within_share(3, 1, 16, 0.25) and not slots.within_share(4, 1, 16, 0.25)


def test_a_month_is_a_beijing_month() -> None:
    start, end = slots.month_of(bj(date(2026, 12, 31), 23, 30))
    assert start == bj(date(2026, 12, 1), 0) and end == bj(date(2027, 1, 1), 0)


# -- properties -----------------------------------------------------------------------------
clock_minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def opening_hours(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for d in range(7):
        points = sorted(draw(st.sets(clock_minutes, max_size=4)))
        pairs = [points[i : i + 2] for i in range(0, len(points) - 1, 2)]
        out[str(d)] = [
            [f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in pairs
        ]
    return out


@settings(max_examples=150, deadline=None)
@given(
    hours=opening_hours(),
    minutes=st.sampled_from([15, 20, 30, 45, 60, 90]),
    offset=st.integers(0, 30),
)
def test_every_offered_slot_lies_in_the_hours(hours, minutes, offset) -> None:
    start = bj(MONDAY, 0) + timedelta(days=offset)
    for s, e in slots.grid(hours, minutes, start, start + timedelta(days=3)):
        ls, le = s.astimezone(BEIJING), e.astimezone(BEIJING)
        assert e - s == timedelta(minutes=minutes)
        inside = [
            (a, b)
            for a, b in hours[str(ls.weekday())]
            if a <= ls.strftime("%H:%M") and le.strftime("%H:%M") <= b and ls.date() == le.date()
        ]
        assert inside, (ls, le)


@settings(max_examples=150, deadline=None)
@given(
    uses=st.lists(st.sampled_from(["lawyer", "family", "any"]), min_size=1, max_size=4),
    asks=st.lists(
        st.tuples(
            st.sampled_from(["lawyer", "family", "consular"]),
            st.integers(0, 10),
            st.integers(1, 3),
        ),
        max_size=40,
    ),
)
def test_no_two_bookings_on_one_terminal_slot(uses, asks) -> None:
    terminals = [Terminal(i + 1, u) for i, u in enumerate(uses)]
    day = slots.day_slots(HOURS, 30, MONDAY)
    claims: list[tuple[int, datetime]] = []
    for kind, index, count in asks:
        run = slots.run_of(day, day[index][0], count)
        if run is None:
            continue
        t = slots.first_terminal(run, terminals, claims, kind)
        if t is None:
            continue
        assert slots.serves(next(x.use for x in terminals if x.id == t), kind)
        claims.extend((t, s) for s, _ in run)
    assert len(claims) == len(set(claims))
    free = slots.free_slots(day, terminals, claims, "family", now=bj(MONDAY, 0))
    assert all((t, s.starts_at) not in claims for s in free for t in s.terminals)
