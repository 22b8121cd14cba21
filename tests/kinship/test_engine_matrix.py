"""A vectorised database search gives, for every profile, what the one-pair formula gives."""

import math
import random

import numpy as np
import pytest

from pingan.kinship.frequencies import load_table
from pingan.kinship.likelihood import pair_lr
from pingan.kinship.matrix import ProfileMatrix

TABLE = load_table()
RELS = ["parent_child", "full_siblings", "half_siblings", "first_cousins", "unrelated"]


def draw(rng, drop=0.1):
    out = {}
    for locus, freqs in TABLE.alleles.items():
        if rng.random() < drop:
            continue
        out[locus] = tuple(rng.choices(list(freqs), weights=list(freqs.values()), k=2))
    return out


@pytest.fixture(scope="module")
def world():
    rng = random.Random(7)
    profiles = [draw(rng) for _ in range(60)]
    query = draw(rng)
    profiles[0] = dict(query)  # itself: every locus IBD 2
    profiles[1] = {k: (v[0], v[0]) for k, v in query.items()}  # shares one allele everywhere
    profiles[2]["TPOX"] = ("8", "99")  # alleles the table lacks
    profiles[3]["D3S1358"] = ("77", "78")
    profiles[4] = {}
    query["FGA"] = ("22", "99.3")
    profiles[5]["FGA"] = ("99.3", "23")
    profiles[6]["XYZ"] = ("1", "2")
    return profiles, query


@pytest.mark.parametrize("theta", [0.0, 0.01])
@pytest.mark.parametrize("mutation", [0.0, 0.002])
def test_search_equals_pair_lr_for_every_profile(world, theta, mutation):
    profiles, query = world
    matrix = ProfileMatrix.build(profiles, TABLE)
    got = matrix.search(query, RELS, theta=theta, mutation=mutation)
    assert got.shape == (len(RELS), len(profiles))
    for row, profile in enumerate(profiles):
        for r, rel in enumerate(RELS):
            want = pair_lr(query, profile, rel, TABLE, theta, mutation).log10_lr
            if math.isinf(want):
                assert got[r, row] == want
            else:
                assert got[r, row] == pytest.approx(want, rel=1e-9, abs=1e-9), (row, rel)
    assert np.all(got[RELS.index("unrelated")] == 0.0)
    assert got[RELS.index("full_siblings"), 0] > 10


def test_loci_compared_counts_loci_typed_in_both(world):
    profiles, query = world
    matrix = ProfileMatrix.build(profiles, TABLE)
    counts = matrix.loci_compared(query)
    for row, profile in enumerate(profiles):
        assert counts[row] == pair_lr(query, profile, "full_siblings", TABLE).loci_compared
    assert counts[4] == 0


def test_build_on_chosen_loci_encodes_missing_as_minus_one(world):
    profiles, query = world
    matrix = ProfileMatrix.build(profiles, TABLE, loci=["TPOX", "D3S1358", "NOTALOCUS"])
    assert matrix.loci == ("TPOX", "D3S1358")
    assert matrix.alleles.shape == (2, 2, len(profiles))
    assert (matrix.alleles[:, :, 4] == -1).all()
    assert matrix.labels[0][matrix.alleles[0, 1, 2]] == "99"
    out = matrix.search(query, ["full_siblings"], theta=0.0)
    sub = {k: query[k] for k in ("TPOX", "D3S1358") if k in query}
    for row, profile in enumerate(profiles):
        want = pair_lr(sub, profile, "full_siblings", TABLE, 0.0).log10_lr
        assert out[0, row] == pytest.approx(want, abs=1e-9)
