"""Which hypothesis two donors imply, and the alternatives a family may have mistaken."""

import pytest

from pingan.kinship.relations import DONOR_RELATIONS, RELATIONS, between, plausible


def test_coefficients_sum_to_one():
    for r in RELATIONS.values():
        assert r.k0 + r.k1 + r.k2 == pytest.approx(1.0)
        assert r.k1**2 >= 4 * r.k0 * r.k2 - 1e-12  # a possible pair of non-inbred relatives


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("self", "full_sibling", "full_siblings"),
        ("self", "half_sibling", "half_siblings"),
        ("self", "parent", "parent_child"),
        ("self", "nephew_niece", "avuncular"),
        ("self", "uncle_aunt", "avuncular"),
        ("self", "cousin", "first_cousins"),
        ("self", "grandchild", "grandparent"),
        ("child", "full_sibling", "avuncular"),
        ("child", "half_sibling", "half_avuncular"),
        ("child", "nephew_niece", "first_cousins"),
        ("child", "cousin", "first_cousins_once_removed"),
        ("child", "parent", "grandparent"),
        ("parent", "parent", "unrelated"),
        ("cousin", "uncle_aunt", "unrelated"),
    ],
)
def test_between(a, b, expected):
    assert between(a, b) == expected
    assert between(b, a) == expected


def test_every_pair_gives_a_known_code_and_unknown_is_refused():
    for a in DONOR_RELATIONS:
        for b in DONOR_RELATIONS:
            assert between(a, b) in RELATIONS
    with pytest.raises(ValueError):
        between("self", "neighbour")


def test_plausible_puts_the_implied_first_then_distinct_alternatives():
    assert plausible("self", "full_sibling") == ["full_siblings", "half_siblings"]
    assert plausible("half_sibling", "self") == ["half_siblings", "full_siblings"]
    assert plausible("self", "cousin") == [
        "first_cousins",
        "first_cousins_once_removed",
    ]  # half-avuncular has the cousins' coefficients: no new test
    assert plausible("self", "parent") == ["parent_child"]
    assert plausible("parent", "parent") == []
    for a in DONOR_RELATIONS:
        for b in DONOR_RELATIONS:
            codes = plausible(a, b)
            ibd = [(RELATIONS[c].k0, RELATIONS[c].k1, RELATIONS[c].k2) for c in codes]
            assert len(set(ibd)) == len(ibd)
