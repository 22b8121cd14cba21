"""Mule-network rules on hand-built transfers: cycles, fan windows, pass-through, sharing."""

import numpy as np

from pingan.fraud import network
from pingan.fraud.synth import ATM, HOUR, MINUTE, PERSON, YUAN

from .handmade import accounts, transfers


def cycle_rows(rows, n=6):
    return network.cycles(transfers(rows), n)


def test_a_time_respecting_triangle_is_found_once():
    found = cycle_rows([(0, 1, 0, 10_000), (1, 2, 600, 9_800), (2, 0, 1_200, 9_600)])
    assert found == [(0, 1, 2)]


def test_cycles_that_break_the_rules_are_not_found():
    # the closing transfer happens before the middle one: money cannot have gone round
    assert cycle_rows([(0, 1, 0, 10_000), (2, 0, 300, 9_600), (1, 2, 600, 9_800)]) == []
    # more money comes back than went out
    assert cycle_rows([(0, 1, 0, 10_000), (1, 2, 600, 12_000), (2, 0, 1_200, 11_000)]) == []
    # small amounts (below ¥1,000)
    assert cycle_rows([(0, 1, 0, 900), (1, 2, 600, 800), (2, 0, 1_200, 700)]) == []
    # longer than 72 hours
    assert cycle_rows([(0, 1, 0, 10_000), (1, 2, 40 * HOUR, 9_800), (2, 0, 80 * HOUR, 9_600)]) == []
    # two accounts back and forth is no 3-5 cycle; six is too long
    assert cycle_rows([(0, 1, 0, 10_000), (1, 0, 600, 9_800)]) == []
    ring = [(i, (i + 1) % 6, 60 * i, 10_000 - 10 * i) for i in range(6)]
    assert cycle_rows(ring, 6) == []


def test_a_five_cycle_is_found():
    ring = [(i, (i + 1) % 5, 60 * i, 10_000 - 10 * i) for i in range(5)]
    assert cycle_rows(ring) == [(0, 1, 2, 3, 4)]


def test_fan_in_counts_new_senders_within_72_hours():
    rows = [(s, 0, s * 10 * HOUR, 2_000) for s in range(1, 8)]  # one new sender every 10 h
    rows.append((1, 0, 75 * HOUR, 2_000))  # not new
    tr = transfers(rows)
    fan = network.fan_counts(tr.dst, tr.src, tr.t, 8)
    assert fan[0] == 7  # senders at 10..70 h all within one 72 h window
    spread = transfers([(s, 0, s * 20 * HOUR, 2_000) for s in range(1, 8)])
    assert network.fan_counts(spread.dst, spread.src, spread.t, 8)[0] == 4


def mule_world():
    """Account 1 takes ¥10,000 from five victims, passes ¥9,000 on within minutes to 2, who
    withdraws it at the ATM (7); accounts 1 and 2 share a phone with 3 (another owner)."""
    kinds = [PERSON] * 7 + [ATM]
    acc = accounts(kinds, phone=[100, 200, 200, 200, 300, 400, 500, 600])
    victims = [3, 4, 5, 6, 0]
    rows = [(v, 1, i * 10 * MINUTE, 2_000) for i, v in enumerate(victims)]
    rows += [(1, 2, 45 * MINUTE, 9_000), (2, 7, 50 * MINUTE, 9_000)]
    return acc, transfers(rows)


def test_rules_fire_with_the_numbers_that_made_them():
    acc, tr = mule_world()
    f = network.analyse(acc, tr)
    why = {r["rule"]: r for r in network.explain(f, 1)}
    assert why["fan_in"]["new_senders_72h"] == 5
    assert why["pass_through"]["quick_out_fen"] == 9_000 * YUAN
    assert why["pass_through"]["inflow_fen"] == 10_000 * YUAN
    assert why["shared_phone"]["other_owners"] == 2
    assert "cash_out" not in why
    assert f.score[1] == sum(network.POINTS[r] for r in why)
    assert f.score[1] >= network.THRESHOLD
    cash = {r["rule"]: r for r in network.explain(f, 2)}
    assert cash["cash_out"]["atm_within_60min_fen"] == 9_000 * YUAN
    assert "fan_in" not in network.explain(f, 7)  # an ATM takes from many by nature
    assert 1 in network.likely_mules(f) and 2 in network.likely_mules(f)
    assert 0 not in network.likely_mules(f)


def test_own_wallets_and_family_devices_are_not_shared_use():
    acc = accounts(5, owner=[0, 0, 0, 3, 4], phone=[9, 9, 9, 9, 7], device=[5, 5, 5, 5, 5])
    assert list(network.owners_sharing(acc.phone, acc.owner)) == [1, 1, 1, 1, 0]
    device = network.owners_sharing(acc.device, acc.owner)
    assert list(device) == [2, 2, 2, 2, 2]
    assert not (device >= network.DEVICE_OTHERS).any()


def test_network_rule_needs_three_flagged_accounts_in_a_component():
    acc, tr = mule_world()
    f = network.analyse(acc, tr)
    assert f.component[1] == f.component[2] == f.component[3]
    assert f.component_flagged[1] == 2  # 1 and 2 fired behaviour rules
    assert not f.fired["network"].any()
    assert np.array_equal(f.score, network.total(f.fired))
