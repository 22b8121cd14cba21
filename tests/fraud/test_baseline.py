"""The columnar trail and network analysis give what the plain NetworkX baseline gives."""

import sys
from pathlib import Path

import numpy as np
import pytest

from pingan.fraud import network, synth, trail

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import fraud_baseline


@pytest.fixture(scope="module", params=[3, 5])
def world(request):
    data = synth.generate(3_000, 20_000, seed=request.param, n_cases=8)
    return (
        data,
        fraud_baseline.build_graph(data),
        trail.build_index(data.transfers, data.accounts.kind),
    )


def test_trails_are_the_same(world):
    data, graph, index = world
    sinks = set(np.flatnonzero(data.accounts.kind == synth.ATM).tolist())
    assert len(data.truth.victim_transfers)
    for row in data.truth.victim_transfers.tolist():
        ours = trail.trace_transfer(index, row)
        assert ours == fraud_baseline.trace(graph, sinks, data.transfers, row)
        assert len(ours.candidates) > 1


def test_network_features_cycles_and_scores_are_the_same(world):
    data, graph, index = world
    ours = network.analyse(data.accounts, data.transfers, index)
    theirs = fraud_baseline.analyse(graph, data.accounts, data.transfers)
    for name in (
        "fan_in",
        "fan_out",
        "inflow",
        "quick_out",
        "quick_cash",
        "phone_others",
        "device_others",
        "component_flagged",
        "score",
    ):
        assert np.array_equal(getattr(ours, name), theirs[name]), name
    assert sorted(ours.cycle_list) == theirs["cycles"]
    assert (ours.score >= network.THRESHOLD).any()
