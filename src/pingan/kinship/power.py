"""Power of a kinship test: how often a true relative reaches the threshold, how often an
unrelated person does, on a given panel (and, for a case, given the reference's genotype).

Pairs are simulated locus by locus without linkage: the IBD state is drawn from (k0, k1, k2),
then the alleles from the population frequencies (Hardy–Weinberg, no substructure), and each
pair is scored with the same LR as a search (θ-corrected). With a reference genotype the
relative is drawn conditionally on it: IBD 2 copies it, IBD 1 copies one of its two alleles
chosen at random, IBD 0 draws anew. Loci the reference lacks are simulated for both, as if
the reference were typed there too. Everything is NumPy over all pairs at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pingan.kinship.frequencies import FrequencyTable
from pingan.kinship.likelihood import as_relation, lr_arrays, typed
from pingan.kinship.relations import Relation
from pingan.kinship.settings import load_thresholds

# the 21 autosomal STRs of the GlobalFiler kit (norSTR spelling)
GLOBALFILER: tuple[str, ...] = (
    "D3S1358",
    "vWA",
    "D16S539",
    "CSF1PO",
    "TPOX",
    "D8S1179",
    "D21S11",
    "D18S51",
    "D2S441",
    "D19S433",
    "TH01",
    "FGA",
    "D22S1045",
    "D5S818",
    "D13S317",
    "D7S820",
    "SE33",
    "D10S1248",
    "D1S1656",
    "D12S391",
    "D2S1338",
)
ADVICE = ("enough", "add_markers", "add_relatives", "add_markers_or_relatives")
QUANTILES = {"p05": 5, "p25": 25, "p50": 50, "p75": 75, "p95": 95}


@dataclass
class PowerResult:
    relation: str
    loci: int
    n: int
    detection_rate: float
    false_positive_rate: float
    median_log10_true: float
    quantiles_true: dict[str, float] = field(default_factory=dict)
    threshold_log10: float = 4.0
    advice: str = "enough"


def draw_alleles(rng: np.random.Generator, p: np.ndarray, size) -> np.ndarray:
    """Allele indices drawn from frequencies p."""
    cum = np.cumsum(p)
    return np.minimum(np.searchsorted(cum, rng.random(size) * cum[-1], side="right"), len(p) - 1)


def simulate_pairs(
    rng: np.random.Generator,
    p: np.ndarray,
    relation: Relation,
    n: int,
    reference: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Allele indices (a1, b1, a2, b2) of n pairs related by `relation` at one locus; the
    first of each pair is `reference` when given."""
    if reference is None:
        a1, b1 = draw_alleles(rng, p, n), draw_alleles(rng, p, n)
    else:
        a1, b1 = np.full(n, reference[0]), np.full(n, reference[1])
    state = np.searchsorted(
        np.cumsum([relation.k0, relation.k1, relation.k2]), rng.random(n), side="right"
    )
    shared = np.where(rng.random(n) < 0.5, a1, b1)
    new1, new2 = draw_alleles(rng, p, n), draw_alleles(rng, p, n)
    a2 = np.where(state >= 2, a1, np.where(state == 1, shared, new1))
    b2 = np.where(state >= 2, b1, new2)
    return a1, b1, a2, b2


def simulate_log10(
    relation: str | Relation,
    true_relation: str | Relation,
    loci: Sequence[str],
    table: FrequencyTable,
    n: int,
    rng: np.random.Generator,
    reference: Mapping[str, Sequence[str]] | None = None,
    theta: float = 0.01,
) -> np.ndarray:
    """log10 LR for `relation` of n pairs simulated under `true_relation`."""
    rel, truth = as_relation(relation), as_relation(true_relation)
    total = np.zeros(n)
    for locus in loci:
        if locus not in table.alleles:
            continue
        g = (reference or {}).get(locus)
        freqs = table.locus_freqs(locus, g if typed(g) else ())
        names = list(freqs)
        p = np.fromiter(freqs.values(), dtype=np.float64, count=len(names))
        ref = (names.index(g[0]), names.index(g[1])) if typed(g) else None
        a1, b1, a2, b2 = simulate_pairs(rng, p, truth, n, ref)
        total += np.log10(lr_arrays(a1, b1, a2, b2, p, rel, theta))
    return total


def advice_code(
    detection_rate: float, relation: str, loci: int, table: FrequencyTable, enough: float
) -> str:
    """enough; add_markers (a close relative on a small panel); add_relatives (the panel is
    already every locus the table has); else add_markers_or_relatives."""
    if detection_rate >= enough:
        return "enough"
    if loci >= len(table.loci):
        return "add_relatives"
    if relation in ("parent_child", "full_siblings"):
        return "add_markers"
    return "add_markers_or_relatives"


def power(
    relation: str,
    loci: Sequence[str],
    table: FrequencyTable,
    n: int = 1000,
    threshold_log10: float = 4.0,
    seed: int = 0,
    reference: Mapping[str, Sequence[str]] | None = None,
    theta: float = 0.01,
    enough: float | None = None,
) -> PowerResult:
    """Detection rate (true relatives with log10 LR ≥ threshold), false-positive rate
    (unrelated pairs above it), the true pairs' quantiles, and an advice code."""
    if n < 1:
        raise ValueError("n must be at least 1")
    used = [locus for locus in dict.fromkeys(loci) if locus in table.alleles]
    rng = np.random.default_rng(seed)
    true = simulate_log10(relation, relation, used, table, n, rng, reference, theta)
    unrelated = simulate_log10(relation, "unrelated", used, table, n, rng, reference, theta)
    detection = float(np.mean(true >= threshold_log10))
    cut = load_thresholds().power_enough if enough is None else enough
    return PowerResult(
        relation=relation,
        loci=len(used),
        n=n,
        detection_rate=detection,
        false_positive_rate=float(np.mean(unrelated >= threshold_log10)),
        median_log10_true=float(np.median(true)),
        quantiles_true={k: float(np.percentile(true, q)) for k, q in QUANTILES.items()},
        threshold_log10=threshold_log10,
        advice=advice_code(detection, relation, len(used), table, cut),
    )
