"""Properties of the kinship LR: symmetric, locus by locus, and fair to unrelated pairs.

The expected LR of a truly unrelated pair is exactly 1 at one locus: the sum, over every
pair of genotypes, of P(G1, G2 | unrelated) × LR. P(G1, G2 | unrelated) is computed here
from the Balding–Nichols sampling formula (four alleles drawn in turn), independently.
"""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.kinship.frequencies import load_table
from pingan.kinship.likelihood import locus_lr, pair_lr
from pingan.kinship.relations import RELATIONS

TABLE = load_table()
CODES = sorted(RELATIONS)


@st.composite
def locus(draw, min_alleles=2, max_alleles=6):
    n = draw(st.integers(min_alleles, max_alleles))
    weights = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    start = draw(st.integers(5, 20))
    total = sum(weights)
    # numeric labels one repeat apart, so the stepwise mutation has neighbours
    return {str(start + i): w / total for i, w in enumerate(weights)}


def genotype(freqs):
    return st.tuples(st.sampled_from(list(freqs)), st.sampled_from(list(freqs)))


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    freqs=locus(),
    code=st.sampled_from(CODES),
    theta=st.sampled_from([0.0, 0.01, 0.05]),
    mutation=st.sampled_from([0.0, 0.002, 0.05]),
)
def test_lr_is_symmetric_in_the_two_profiles(data, freqs, code, theta, mutation):
    g1, g2 = data.draw(genotype(freqs)), data.draw(genotype(freqs))
    rel = RELATIONS[code]
    forward = locus_lr(g1, g2, freqs, rel, theta, mutation)
    assert forward == pytest.approx(locus_lr(g2, g1, freqs, rel, theta, mutation), rel=1e-12)
    assert forward == pytest.approx(locus_lr(g1[::-1], g2, freqs, rel, theta, mutation))


def draws(alleles, freqs, theta):
    """P of drawing `alleles` in this order, by the sampling formula."""
    prob, seen = 1.0, []
    for allele in alleles:
        m, n = seen.count(allele), len(seen)
        prob *= (m * theta + (1 - theta) * freqs[allele]) / (1 + (n - 1) * theta)
        seen.append(allele)
    return prob


def unordered(freqs):
    return list(itertools.combinations_with_replacement(list(freqs), 2))


def p_unrelated(g1, g2, freqs, theta):
    orders1 = {g1, g1[::-1]}
    orders2 = {g2, g2[::-1]}
    return sum(draws((*o1, *o2), freqs, theta) for o1 in orders1 for o2 in orders2)


@settings(max_examples=60, deadline=None)
@given(
    freqs=locus(),
    code=st.sampled_from(CODES),
    theta=st.sampled_from([0.0, 0.01, 0.05]),
    mutation=st.sampled_from([0.0, 0.002]),
)
def test_expected_lr_of_unrelated_pairs_is_one(freqs, code, theta, mutation):
    rel = RELATIONS[code]
    total = mass = 0.0
    for g1 in unordered(freqs):
        for g2 in unordered(freqs):
            p = p_unrelated(g1, g2, freqs, theta)
            mass += p
            total += p * locus_lr(g1, g2, freqs, rel, theta, mutation)
    assert mass == pytest.approx(1.0, abs=1e-12)
    assert total == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("theta", [0.0, 0.01])
def test_expected_lr_is_one_on_a_real_locus(code, theta):
    freqs = TABLE.alleles["TPOX"]
    total = sum(
        p_unrelated(g1, g2, freqs, theta) * locus_lr(g1, g2, freqs, RELATIONS[code], theta)
        for g1 in unordered(freqs)
        for g2 in unordered(freqs)
    )
    assert total == pytest.approx(1.0, abs=1e-9)


@st.composite
def profile(draw, loci):
    out = {}
    for name in loci:
        freqs = TABLE.alleles[name]
        if draw(st.booleans()):
            out[name] = draw(st.tuples(st.sampled_from(list(freqs)), st.sampled_from(list(freqs))))
    return out


LOCI = ["TPOX", "D3S1358", "FGA", "vWA", "TH01", "D18S51"]


@settings(max_examples=100, deadline=None)
@given(
    p1=profile(LOCI[:3]),
    p2=profile(LOCI[:3]),
    extra1=profile(LOCI[3:]),
    extra2=profile(LOCI[3:]),
    code=st.sampled_from(CODES),
    theta=st.sampled_from([0.0, 0.01]),
)
def test_more_loci_never_change_another_locus_factor(p1, p2, extra1, extra2, code, theta):
    few = pair_lr(p1, p2, code, TABLE, theta)
    more = pair_lr({**p1, **extra1}, {**p2, **extra2}, code, TABLE, theta)
    for name, factor in few.factors.items():
        assert more.factors[name] == factor
    assert more.loci_compared >= few.loci_compared
    finite = [f for f in more.factors.values() if f > 0]
    if len(finite) == len(more.factors):
        assert more.log10_lr == pytest.approx(sum(math.log10(f) for f in finite), abs=1e-9)
    sym = pair_lr({**p2, **extra2}, {**p1, **extra1}, code, TABLE, theta)
    if math.isfinite(more.log10_lr):
        assert sym.log10_lr == pytest.approx(more.log10_lr, abs=1e-9)
