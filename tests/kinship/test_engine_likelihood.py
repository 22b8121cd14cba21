"""Hand-worked kinship LRs for every genotype configuration and every relation.

The expected numbers are written out from the formulas (Balding–Nichols sampling formula for
θ > 0, the plain IBD formulas for θ = 0) with small explicit frequencies, not taken from the
code under test.
"""

import math

import pytest

from pingan.kinship.frequencies import load_table
from pingan.kinship.likelihood import locus_lr, pair_lr
from pingan.kinship.relations import RELATIONS, Relation

TABLE = load_table("east_asia")
PA, PB, PC, PD = 0.1, 0.2, 0.3, 0.4
FREQS = {"a": PA, "b": PB, "c": PC, "d": PD}

# (k0, k1, k2) written out again here, so a wrong coefficient in the code is caught
IBD = {
    "parent_child": (0.0, 1.0, 0.0),
    "full_siblings": (0.25, 0.5, 0.25),
    "half_siblings": (0.5, 0.5, 0.0),
    "avuncular": (0.5, 0.5, 0.0),
    "grandparent": (0.5, 0.5, 0.0),
    "first_cousins": (0.75, 0.25, 0.0),
    "half_avuncular": (0.75, 0.25, 0.0),
    "first_cousins_once_removed": (0.875, 0.125, 0.0),
    "unrelated": (1.0, 0.0, 0.0),
}


def plain(config, k0, k1, k2):
    """θ = 0: the textbook per-locus LR."""
    if config == "aa/aa":
        return k0 + k1 / PA + k2 / PA**2
    if config == "ab/ab":
        return k0 + k1 * (PA + PB) / (4 * PA * PB) + k2 / (2 * PA * PB)
    if config == "aa/ab":
        return k0 + k1 / (2 * PA)
    if config == "ab/ac":
        return k0 + k1 / (4 * PA)
    return k0  # no allele shared


def with_theta(config, k0, k1, k2, t):
    """Balding–Nichols: P(G2 | G1) unrelated, P(G2 | G1, one IBD), [G1 = G2]."""
    d2, d3 = 1 + t, 1 + 2 * t
    if config == "aa/aa":
        unrel = (2 * t + (1 - t) * PA) / d2 * (3 * t + (1 - t) * PA) / d3
        ibd1, ibd2 = (2 * t + (1 - t) * PA) / d2, 1.0
    elif config == "ab/ab":
        unrel = 2 * (t + (1 - t) * PA) / d2 * (t + (1 - t) * PB) / d3
        ibd1 = 0.5 * (t + (1 - t) * PB) / d2 + 0.5 * (t + (1 - t) * PA) / d2
        ibd2 = 1.0
    elif config == "aa/ab":
        unrel = 2 * (2 * t + (1 - t) * PA) / d2 * ((1 - t) * PB) / d3
        ibd1, ibd2 = (1 - t) * PB / d2, 0.0
    elif config == "ab/ac":
        unrel = 2 * (t + (1 - t) * PA) / d2 * ((1 - t) * PC) / d3
        ibd1, ibd2 = 0.5 * (1 - t) * PC / d2, 0.0
    else:  # ab/cd
        unrel = 2 * (1 - t) * PC / d2 * (1 - t) * PD / d3
        ibd1, ibd2 = 0.0, 0.0
    return k0 + k1 * ibd1 / unrel + k2 * ibd2 / unrel


GENOTYPES = {
    "aa/aa": (("a", "a"), ("a", "a")),
    "ab/ab": (("a", "b"), ("a", "b")),
    "aa/ab": (("a", "a"), ("a", "b")),
    "ab/ac": (("a", "b"), ("a", "c")),
    "no share": (("a", "b"), ("c", "d")),
}


def test_relations_hold_the_textbook_coefficients():
    for code, (k0, k1, k2) in IBD.items():
        r = RELATIONS[code]
        assert (r.k0, r.k1, r.k2) == (k0, k1, k2)
    assert set(RELATIONS) == set(IBD)


@pytest.mark.parametrize("config", GENOTYPES)
@pytest.mark.parametrize("code", IBD)
def test_theta_zero_matches_the_plain_formulas(config, code):
    g1, g2 = GENOTYPES[config]
    expected = plain(config, *IBD[code])
    assert locus_lr(g1, g2, FREQS, RELATIONS[code]) == pytest.approx(expected, rel=1e-12)
    assert with_theta(config, *IBD[code], 0.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("config", GENOTYPES)
@pytest.mark.parametrize("code", IBD)
@pytest.mark.parametrize("theta", [0.01, 0.03])
def test_theta_uses_the_sampling_formula(config, code, theta):
    g1, g2 = GENOTYPES[config]
    expected = with_theta(config, *IBD[code], theta)
    got = locus_lr(g1, g2, FREQS, RELATIONS[code], theta=theta)
    assert got == pytest.approx(expected, rel=1e-12)
    # and the same read the other way round
    assert locus_lr(g2, g1, FREQS, RELATIONS[code], theta=theta) == pytest.approx(got, rel=1e-12)


def test_theta_lowers_a_rare_shared_homozygote():
    fs = RELATIONS["full_siblings"]
    assert locus_lr(("a", "a"), ("a", "a"), FREQS, fs, theta=0.03) < locus_lr(
        ("a", "a"), ("a", "a"), FREQS, fs
    )


def test_parent_child_one_step_apart_with_the_stepwise_model():
    # parent 10/10, child 11/12: not compatible without a mutation
    freqs = {"10": 0.2, "11": 0.3, "12": 0.5}
    po = RELATIONS["parent_child"]
    assert locus_lr(("10", "10"), ("11", "12"), freqs, po) == 0.0
    mu = 0.002
    # 10/10 as the ancestor: 10 -> 11 (its only listed neighbour) with probability mu, the
    # child's other allele 12 from the population: mu * p12 / (2 p11 p12)
    forward = mu * 0.5 / (2 * 0.3 * 0.5)
    # 11/12 as the ancestor: 11 -> 10 with mu/2 (neighbours 10 and 12), chosen 1/2, the other
    # 10 from the population: (1/2)(mu/2) p10 / p10^2
    backward = 0.5 * (mu / 2) * 0.2 / 0.2**2
    expected = (forward + backward) / 2
    got = locus_lr(("10", "10"), ("11", "12"), freqs, po, mutation=mu)
    assert got == pytest.approx(expected, rel=1e-12)
    # a compatible pair barely moves: 1/(2 p10) times (1 - mu) plus mutated paths
    compatible = locus_lr(("10", "10"), ("10", "12"), freqs, po, mutation=mu)
    assert compatible == pytest.approx(1 / (2 * 0.2), rel=5 * mu)


def test_mutation_follows_the_number_of_meioses():
    freqs = {"10": 0.2, "11": 0.3, "12": 0.5}
    one = Relation("x1", 0.0, 1.0, 0.0, 1)
    three = Relation("x3", 0.0, 1.0, 0.0, 3)
    lr1 = locus_lr(("10", "10"), ("11", "12"), freqs, one, mutation=0.002)
    lr3 = locus_lr(("10", "10"), ("11", "12"), freqs, three, mutation=0.002)
    assert lr3 / lr1 == pytest.approx((1 - 0.998**3) / 0.002, rel=1e-9)


def test_pair_lr_multiplies_loci_typed_in_both_and_in_the_table():
    p1 = {"TPOX": ("8", "11"), "D3S1358": ("15", "16"), "FGA": ("22", "23"), "XYZ": ("1", "2")}
    p2 = {"TPOX": ("8", "8"), "D3S1358": ("15", "16"), "XYZ": ("1", "2"), "vWA": ("14", "17")}
    res = pair_lr(p1, p2, "full_siblings", TABLE, theta=0.0)
    assert res.loci_compared == 2 and set(res.factors) == {"TPOX", "D3S1358"}
    tpox, d3 = TABLE.alleles["TPOX"], TABLE.alleles["D3S1358"]
    expected_tpox = 0.25 + 0.5 / (2 * tpox["8"])
    pa, pb = d3["15"], d3["16"]
    expected_d3 = 0.25 + 0.5 * (pa + pb) / (4 * pa * pb) + 0.25 / (2 * pa * pb)
    assert res.factors["TPOX"] == pytest.approx(expected_tpox, rel=1e-12)
    assert res.factors["D3S1358"] == pytest.approx(expected_d3, rel=1e-12)
    assert res.log10_lr == pytest.approx(math.log10(expected_tpox * expected_d3), rel=1e-12)


def test_pair_lr_gives_an_unseen_allele_the_minimum_frequency():
    res = pair_lr({"TPOX": ("8", "99")}, {"TPOX": ("99", "99")}, "half_siblings", TABLE, 0.0)
    p99 = TABLE.min_freq / (1 + TABLE.min_freq)
    assert res.factors["TPOX"] == pytest.approx(0.5 + 0.5 / (2 * p99), rel=1e-12)


def test_parent_child_exclusion_without_mutation_is_minus_infinity():
    res = pair_lr({"TPOX": ("8", "8")}, {"TPOX": ("11", "11")}, "parent_child", TABLE)
    assert res.log10_lr == -math.inf and res.factors["TPOX"] == 0.0
    res = pair_lr({"TPOX": ("8", "8")}, {"TPOX": ("9", "11")}, "parent_child", TABLE, 0.0, 0.002)
    assert 0.0 < res.factors["TPOX"] < 0.01
