"""The money trail on hand-built transfers: who gets proposed, and how amounts are split."""

from pingan.fraud import trail
from pingan.fraud.synth import ATM, HOUR, PERSON, YUAN

from .handmade import accounts, transfers

VICTIM, MULE, ONWARD_A, ONWARD_B, CASH, EARLIER, OTHER, THIRD = range(8)
KINDS = [PERSON, PERSON, PERSON, PERSON, ATM, PERSON, PERSON, PERSON]


def index(rows):
    return trail.build_index(transfers(rows), accounts(KINDS).kind)


def by_account(result):
    return {c.account: c for c in result.candidates}


def test_victim_to_mule_to_two_onward_accounts():
    ix = index(
        [
            (MULE, EARLIER, 100, 5_000),  # row 0: before the victim's money arrived
            (VICTIM, MULE, 1_000, 10_000),  # row 1: the reported transfer
            (MULE, ONWARD_A, 1_300, 6_000),  # row 2
            (MULE, ONWARD_B, 1_600, 3_000),  # row 3
            (ONWARD_A, CASH, 2_000, 6_000),  # row 4: ATM cash-out
        ]
    )
    result = trail.trace_transfer(ix, 1)
    got = by_account(result)
    assert EARLIER not in got  # a transfer before the inflow time is not followed
    assert CASH not in got  # an ATM is where money leaves the banks, not an account to stop
    assert [c.account for c in result.candidates] == [MULE, ONWARD_A, ONWARD_B]
    assert got[MULE].amount == 10_000 * YUAN and got[MULE].held == 1_000 * YUAN
    assert got[ONWARD_A].amount == 6_000 * YUAN and got[ONWARD_A].held == 0
    assert got[ONWARD_B].amount == 3_000 * YUAN and got[ONWARD_B].held == 3_000 * YUAN
    assert got[ONWARD_A].path == (1, 2) and got[ONWARD_A].hops == 1
    assert result.cashed_out == 6_000 * YUAN
    held = sum(c.held for c in result.candidates)
    assert held + result.cashed_out + result.dropped + result.beyond + result.rounding == (
        10_000 * YUAN
    )


def test_fifo_money_already_there_leaves_first_and_shares_carry_on():
    ix = index(
        [
            (OTHER, MULE, 500, 2_000),  # row 0: in the account before the victim's money
            (VICTIM, MULE, 1_000, 10_000),  # row 1
            (MULE, ONWARD_A, 1_300, 6_000),  # row 2: 2,000 earlier money + 4,000 victim's
            (MULE, ONWARD_B, 1_600, 3_000),  # row 3: all the victim's
            (ONWARD_A, THIRD, 1_700, 3_000),  # row 4: 4,000 of A's 6,000 are traced: 2/3
        ]
    )
    got = by_account(trail.trace_transfer(ix, 1))
    assert got[ONWARD_A].amount == 4_000 * YUAN
    assert got[ONWARD_B].amount == 3_000 * YUAN
    assert got[MULE].held == 3_000 * YUAN
    assert got[THIRD].amount == 2_000 * YUAN and got[THIRD].hops == 2
    assert got[ONWARD_A].held == 2_000 * YUAN


def test_two_victims_pooled_get_their_own_slices():
    ix = index(
        [
            (VICTIM, MULE, 1_000, 5_000),  # row 0
            (OTHER, MULE, 1_100, 5_000),  # row 1
            (MULE, ONWARD_A, 1_200, 6_000),  # row 2: 5,000 first victim + 1,000 second
            (MULE, ONWARD_B, 1_300, 4_000),  # row 3: second victim
        ]
    )
    first, second = by_account(trail.trace_transfer(ix, 0)), by_account(trail.trace_transfer(ix, 1))
    assert first[ONWARD_A].amount == 5_000 * YUAN and ONWARD_B not in first
    assert second[ONWARD_A].amount == 1_000 * YUAN
    assert second[ONWARD_B].amount == 4_000 * YUAN


def test_horizon_hops_and_what_banks_have_reported_limit_the_trail():
    rows = [
        (VICTIM, MULE, 0, 10_000),  # row 0
        (MULE, ONWARD_A, 10 * HOUR, 5_000),  # row 1
        (ONWARD_A, THIRD, 11 * HOUR, 5_000),  # row 2
        (MULE, ONWARD_B, 80 * HOUR, 5_000),  # row 3: past the 72 h horizon
    ]
    ix = index(rows)
    got = by_account(trail.trace_transfer(ix, 0))
    assert set(got) == {MULE, ONWARD_A, THIRD}
    one_hop = trail.trace_transfer(ix, 0, params=trail.TrailParams(max_hops=1))
    assert {c.account for c in one_hop.candidates} == {MULE, ONWARD_A}
    assert one_hop.beyond == 5_000 * YUAN
    early = trail.trace_transfer(ix, 0, as_of=10 * HOUR + 30)
    assert {c.account for c in early.candidates} == {MULE, ONWARD_A}


def test_ranked_by_amount_then_most_recent():
    ix = index(
        [
            (VICTIM, MULE, 0, 9_000),
            (MULE, ONWARD_A, 60, 3_000),
            (MULE, ONWARD_B, 120, 3_000),
            (MULE, THIRD, 180, 3_000),
        ]
    )
    order = [c.account for c in trail.trace_transfer(ix, 0).candidates]
    assert order == [MULE, THIRD, ONWARD_B, ONWARD_A]
