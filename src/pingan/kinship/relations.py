"""Kinship hypotheses as IBD coefficients, and which hypothesis two donors imply.

Two relatives share 0, 1 or 2 alleles identical by descent (IBD) at a locus with
probabilities k0, k1, k2; for unlinked loci these three numbers are all the likelihood
needs. `meioses` counts the meioses on the path that carries a shared allele from one to the
other (it scales the mutation rate); None for unrelated.

A family donor is related to the lost child; an adoptee-side donor is the adoptee (`self`)
or the adoptee's child. Under the hypothesis "the adoptee is the lost child", the two donors'
relations to that one person fix their relation to each other (`between`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    code: str
    k0: float
    k1: float
    k2: float
    meioses: int | None


RELATIONS: dict[str, Relation] = {
    r.code: r
    for r in (
        Relation("parent_child", 0.0, 1.0, 0.0, 1),
        Relation("full_siblings", 0.25, 0.5, 0.25, 2),
        Relation("half_siblings", 0.5, 0.5, 0.0, 2),
        Relation("avuncular", 0.5, 0.5, 0.0, 3),
        Relation("grandparent", 0.5, 0.5, 0.0, 2),
        Relation("first_cousins", 0.75, 0.25, 0.0, 4),
        Relation("half_avuncular", 0.75, 0.25, 0.0, 3),
        Relation("first_cousins_once_removed", 0.875, 0.125, 0.0, 5),
        Relation("unrelated", 1.0, 0.0, 0.0, None),
    )
}

DONOR_RELATIONS: tuple[str, ...] = (
    "self",
    "parent",
    "child",
    "full_sibling",
    "half_sibling",
    "nephew_niece",
    "uncle_aunt",
    "cousin",
    "grandchild",
)

# (relation of donor A to the person, relation of donor B to the same person) -> A to B.
# Adoptee-side donors are `self` or `child`, so these rows cover every pair a search meets.
# A child of the person and an uncle/aunt of the person are grand-nephew and great-uncle:
# same IBD coefficients as first cousins (3/4, 1/4, 0), searched under that code.
_BETWEEN: dict[tuple[str, str], str] = {
    ("self", "parent"): "parent_child",
    ("self", "child"): "parent_child",
    ("self", "full_sibling"): "full_siblings",
    ("self", "half_sibling"): "half_siblings",
    ("self", "nephew_niece"): "avuncular",
    ("self", "uncle_aunt"): "avuncular",
    ("self", "cousin"): "first_cousins",
    ("self", "grandchild"): "grandparent",
    ("child", "parent"): "grandparent",
    ("child", "child"): "half_siblings",  # the other parent may differ: half at least
    ("child", "full_sibling"): "avuncular",
    ("child", "half_sibling"): "half_avuncular",
    ("child", "nephew_niece"): "first_cousins",
    ("child", "uncle_aunt"): "first_cousins",
    ("child", "cousin"): "first_cousins_once_removed",
    ("child", "grandchild"): "avuncular",  # or the grandchild's own parent: see _ALTERNATIVES
}

# What a family may have got wrong: a "full" sibling with another father, a cousin who is a
# half-cousin (IBD 7/8, 1/8, 0 like first cousins once removed), and the reverse.
_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "full_siblings": ("half_siblings",),
    "half_siblings": ("full_siblings",),
    "avuncular": ("half_avuncular", "parent_child"),
    "half_avuncular": ("avuncular",),
    "first_cousins": ("first_cousins_once_removed", "half_avuncular"),
    "first_cousins_once_removed": ("first_cousins",),
    "grandparent": ("half_avuncular",),
    "parent_child": (),
}


def between(rel_a: str, rel_b: str) -> str:
    """Hypothesis relation of donor A and donor B, each given by their relation to the same
    person; "unrelated" where the two can't be placed (ValueError for an unknown code)."""
    for rel in (rel_a, rel_b):
        if rel not in DONOR_RELATIONS:
            raise ValueError(f"unknown donor relation {rel!r}")
    return _BETWEEN.get((rel_a, rel_b)) or _BETWEEN.get((rel_b, rel_a)) or "unrelated"


def plausible(rel_a: str, rel_b: str) -> list[str]:
    """Hypotheses worth testing for the pair: the implied one first, then the close
    alternatives a family may have mistaken; empty when the two can't be placed."""
    implied = between(rel_a, rel_b)
    if implied == "unrelated":
        return []
    out = [implied]
    seen = {_ibd(implied)}
    for alt in _ALTERNATIVES.get(implied, ()):
        if _ibd(alt) not in seen:  # same IBD coefficients give the same LR: no new test
            out.append(alt)
            seen.add(_ibd(alt))
    return out


def _ibd(code: str) -> tuple[float, float, float]:
    r = RELATIONS[code]
    return (r.k0, r.k1, r.k2)
