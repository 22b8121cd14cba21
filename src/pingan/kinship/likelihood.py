"""Pairwise kinship likelihood ratio: a hypothesised relation against "unrelated".

Per locus, with IBD coefficients (k0, k1, k2) and genotypes G1, G2:

    LR = k0 + k1 · P(G2 | G1, one allele IBD) / P(G2 | G1) + k2 · [G1 = G2] / P(G2 | G1)

Every conditional probability uses the Balding–Nichols sampling formula (NRC II 4.10): having
seen n alleles of which m are a, the next one is a with probability
(m·θ + (1−θ)·p_a) / (1 + (n−1)·θ). So P(G2 | G1) draws G2's two alleles after G1's two, and
the one non-shared allele of the IBD-1 term is drawn after G1's two. θ = 0 gives the plain
formulas (aa/aa: k0 + k1/p_a + k2/p_a², ab/ab: k0 + k1(p_a+p_b)/(4p_a·p_b) + k2/(2p_a·p_b),
aa/ab: k0 + k1/(2p_a), ab/ac: k0 + k1/(4p_a), no allele shared: k0).

Mutation: the allele shared IBD passes `meioses` meioses; with rate μ per meiosis it arrives
changed with probability 1 − (1 − μ)^meioses, one repeat up or down (the stepwise model; the
change is split between the neighbours the locus's frequency list holds, none if it holds
neither). Which of the two is the ancestor is not known, so the IBD-1 term is the mean of
both directions; this keeps the LR symmetric, and a parent–child pair that differs by one
step at one locus gets a small factor instead of zero.

The arithmetic is written once over NumPy arrays of allele indices (`lr_arrays`): one pair
(`locus_lr`), a database column (matrix.py) and a simulation (power.py) share it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pingan.kinship.frequencies import FrequencyTable
from pingan.kinship.relations import RELATIONS, Relation

Genotype = tuple[str, str]


def _step_value(label: str) -> float | None:
    try:
        return float(label)
    except ValueError:
        return None


def transmission_matrix(
    labels: Sequence[str], mutation: float, meioses: int | None
) -> np.ndarray | None:
    """M[x, t]: probability that allele x, passed down the relation's meioses, arrives as t
    (stepwise: one repeat up or down); None where no mutation applies."""
    if mutation <= 0.0 or not meioses:
        return None
    rate = 1.0 - (1.0 - mutation) ** meioses
    values = [_step_value(label) for label in labels]
    m = np.eye(len(labels))
    for x, vx in enumerate(values):
        if vx is None:
            continue
        steps = [
            t for t, vt in enumerate(values) if vt is not None and abs(abs(vt - vx) - 1.0) < 1e-9
        ]
        if steps:
            m[x, x] = 1.0 - rate
            m[x, steps] = rate / len(steps)
    return m


def _draw(allele, seen: int, p: np.ndarray, theta: float, n: int) -> np.ndarray:
    """Sampling formula: P(next allele = allele) after n alleles, `seen` of them equal to it."""
    return (seen * theta + (1.0 - theta) * p[allele]) / (1.0 + (n - 1) * theta)


def _directional(a1, b1, a2, b2, p, theta, trans):
    """(P(G2|G1) unrelated, P(G2|G1) one allele IBD) with G1 as the ancestral side."""
    n_a2 = (a2 == a1).astype(np.int8) + (a2 == b1)
    n_b2 = (b2 == a1).astype(np.int8) + (b2 == b1)
    het2 = a2 != b2
    first = _draw(a2, n_a2, p, theta, 2)
    second = _draw(b2, n_b2 + (b2 == a2), p, theta, 3)
    unrelated = np.where(het2, 2.0, 1.0) * first * second
    other_a, other_b = _draw(a2, n_a2, p, theta, 2), _draw(b2, n_b2, p, theta, 2)
    if trans is None:
        t_a, t_b = n_a2 / 2.0, n_b2 / 2.0
    else:
        t_a = (trans[a1, a2] + trans[b1, a2]) / 2.0
        t_b = (trans[a1, b2] + trans[b1, b2]) / 2.0
    ibd1 = np.where(het2, t_a * other_b + t_b * other_a, t_a * other_a)
    return unrelated, ibd1


def lr_arrays(
    a1,
    b1,
    a2,
    b2,
    p: np.ndarray,
    relation: Relation,
    theta: float = 0.0,
    trans: np.ndarray | None = None,
) -> np.ndarray:
    """Per-locus LR for arrays (broadcast together) of allele indices into `p`; `trans` from
    transmission_matrix for the same alleles, or None."""
    a1, b1, a2, b2 = (np.asarray(x, dtype=np.intp) for x in (a1, b1, a2, b2))
    if relation.k1 == 0.0 and relation.k2 == 0.0:
        return np.broadcast_to(np.float64(relation.k0), np.broadcast(a1, b1, a2, b2).shape).copy()
    unrelated, ibd1 = _directional(a1, b1, a2, b2, p, theta, trans)
    term1 = ibd1 / unrelated
    if trans is not None:
        back_unrelated, back_ibd1 = _directional(a2, b2, a1, b1, p, theta, trans)
        term1 = (term1 + back_ibd1 / back_unrelated) / 2.0
    same = ((a1 == a2) & (b1 == b2)) | ((a1 == b2) & (b1 == a2))
    return relation.k0 + relation.k1 * term1 + relation.k2 * np.where(same, 1.0 / unrelated, 0.0)


def locus_lr(
    g1: Sequence[str],
    g2: Sequence[str],
    freqs: Mapping[str, float],
    relation: Relation,
    theta: float = 0.0,
    mutation: float = 0.0,
) -> float:
    """LR of one locus; `freqs` must hold every allele of both genotypes (KeyError if not)."""
    labels = list(freqs)
    index = {a: i for i, a in enumerate(labels)}
    p = np.fromiter(freqs.values(), dtype=np.float64, count=len(labels))
    (a1, b1), (a2, b2) = ([index[a] for a in g] for g in (g1, g2))
    trans = transmission_matrix(labels, mutation, relation.meioses)
    return float(lr_arrays(a1, b1, a2, b2, p, relation, theta, trans))


@dataclass
class PairLR:
    log10_lr: float
    loci_compared: int
    factors: dict[str, float] = field(default_factory=dict)


def as_relation(relation: str | Relation) -> Relation:
    return relation if isinstance(relation, Relation) else RELATIONS[relation]


def typed(genotype: Sequence[str] | None) -> bool:
    """A genotype counts only with both alleles given."""
    return genotype is not None and len(genotype) == 2 and all(genotype)


def pair_lr(
    p1: Mapping[str, Sequence[str]],
    p2: Mapping[str, Sequence[str]],
    relation: str | Relation,
    table: FrequencyTable,
    theta: float = 0.01,
    mutation: float = 0.0,
) -> PairLR:
    """Product of the per-locus LRs over loci typed in both profiles and in the table."""
    rel = as_relation(relation)
    factors: dict[str, float] = {}
    for locus, g1 in p1.items():
        g2 = p2.get(locus)
        if locus not in table.alleles or not typed(g1) or not typed(g2):
            continue
        freqs = table.locus_freqs(locus, (*g1, *g2))
        factors[locus] = locus_lr(tuple(g1), tuple(g2), freqs, rel, theta, mutation)
    log10 = sum(math.log10(f) if f > 0 else -math.inf for f in factors.values())
    return PairLR(float(log10), len(factors), factors)
