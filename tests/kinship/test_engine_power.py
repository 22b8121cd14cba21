"""Power simulation: the published anchor on GlobalFiler, conditional simulation, advice."""

import numpy as np
import pytest

from pingan.kinship.frequencies import load_table
from pingan.kinship.power import GLOBALFILER, advice_code, power, simulate_log10, simulate_pairs
from pingan.kinship.relations import RELATIONS

TABLE = load_table()
N = 4000  # binomial sd: FS ~0.6 %, HS ~0.35 %


@pytest.fixture(scope="module")
def anchor():
    return {
        rel: power(rel, GLOBALFILER, TABLE, n=N, seed=11, theta=0.0)
        for rel in ("full_siblings", "half_siblings", "first_cousins")
    }


def test_globalfiler_anchor_full_half_siblings_cousins(anchor):
    # 21 GlobalFiler STRs, East Asia table, LR >= 10^4: ~81 % / ~4.9 % / ~0 %
    fs, hs, fc = anchor["full_siblings"], anchor["half_siblings"], anchor["first_cousins"]
    assert fs.loci == 21 and fs.n == N and fs.threshold_log10 == 4.0
    assert fs.detection_rate == pytest.approx(0.81, abs=0.03)
    assert hs.detection_rate == pytest.approx(0.049, abs=0.015)
    assert fc.detection_rate <= 0.005
    assert fs.median_log10_true == pytest.approx(6.2, abs=0.3)
    for res in anchor.values():
        assert res.false_positive_rate <= 0.002
        q = res.quantiles_true
        assert q["p05"] <= q["p25"] <= q["p50"] <= q["p75"] <= q["p95"]
        assert q["p50"] == res.median_log10_true
    assert hs.advice == "add_markers_or_relatives"


def test_theta_is_conservative_and_more_markers_help():
    base = power("half_siblings", GLOBALFILER, TABLE, n=2000, seed=3, theta=0.0)
    corrected = power("half_siblings", GLOBALFILER, TABLE, n=2000, seed=3, theta=0.01)
    assert corrected.median_log10_true < base.median_log10_true
    expanded = power("half_siblings", TABLE.loci, TABLE, n=2000, seed=3, theta=0.0)
    assert expanded.loci == 40
    assert expanded.detection_rate == pytest.approx(0.39, abs=0.04)
    assert expanded.advice == "add_relatives"


def test_seeded_runs_repeat():
    a = power("full_siblings", GLOBALFILER[:5], TABLE, n=300, seed=5)
    b = power("full_siblings", GLOBALFILER[:5], TABLE, n=300, seed=5)
    assert a == b


def test_relative_is_drawn_conditionally_on_the_reference():
    rng = np.random.default_rng(2)
    p = np.array([0.1, 0.3, 0.6])
    n = 200_000
    for code in ("full_siblings", "half_siblings", "parent_child", "unrelated"):
        rel = RELATIONS[code]
        a1, b1, a2, b2 = simulate_pairs(rng, p, rel, n, reference=(0, 0))
        assert (a1 == 0).all() and (b1 == 0).all()
        same = np.mean((a2 == 0) & (b2 == 0))
        # P(relative is aa | reference aa) = k2 + k1 p_a + k0 p_a^2
        assert same == pytest.approx(rel.k2 + rel.k1 * 0.1 + rel.k0 * 0.01, abs=0.004)
        a1, b1, a2, b2 = simulate_pairs(rng, p, rel, n, reference=(1, 2))
        het = np.mean(((a2 == 1) & (b2 == 2)) | ((a2 == 2) & (b2 == 1)))
        # ab given ab: k2 + k1 (p_a + p_b) / 2 + k0 2 p_a p_b
        assert het == pytest.approx(rel.k2 + rel.k1 * 0.45 + rel.k0 * 0.36, abs=0.004)


def test_unrelated_against_a_reference_average_lr_one():
    ref = {"TPOX": ("8", "11")}
    rng = np.random.default_rng(4)
    lr = 10 ** simulate_log10("half_siblings", "unrelated", ["TPOX"], TABLE, 200_000, rng, ref, 0)
    assert lr.mean() == pytest.approx(1.0, abs=0.01)


def test_a_rare_reference_is_more_informative():
    common = {locus: _commonest(locus) for locus in GLOBALFILER}
    res = power("half_siblings", GLOBALFILER, TABLE, n=1000, seed=1, reference=common, theta=0)
    rare = {locus: _rarest(locus) for locus in GLOBALFILER}
    res_rare = power("half_siblings", GLOBALFILER, TABLE, n=1000, seed=1, reference=rare, theta=0)
    assert res_rare.median_log10_true > res.median_log10_true + 3


def _commonest(locus):
    freqs = TABLE.alleles[locus]
    a = max(freqs, key=freqs.get)
    return (a, a)


def _rarest(locus):
    freqs = TABLE.alleles[locus]
    a, b = sorted(freqs, key=freqs.get)[:2]
    return (a, b)


def test_advice_codes():
    assert advice_code(0.9, "half_siblings", 21, TABLE, 0.8) == "enough"
    assert advice_code(0.7, "full_siblings", 21, TABLE, 0.8) == "add_markers"
    assert advice_code(0.05, "half_siblings", 21, TABLE, 0.8) == "add_markers_or_relatives"
    assert advice_code(0.4, "half_siblings", 40, TABLE, 0.8) == "add_relatives"
    with pytest.raises(ValueError):
        power("full_siblings", GLOBALFILER, TABLE, n=0)
