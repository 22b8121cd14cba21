"""Many profiles as integer arrays, searched against one profile by NumPy, locus by locus.

Each locus keeps its alleles as indices into the frequency table's allele list (-1: not
typed) and, per profile, one genotype code. For a query the LR of every possible genotype
at the locus is computed once (a table of at most a few thousand entries, by the same
arithmetic as likelihood.pair_lr), then gathered for all profiles at once and summed as
log10. A profile holding an allele the table lacks gets that locus from the one-pair formula
(its unseen allele changes the locus's renormalised frequencies), so a search gives exactly
what pair_lr gives for each profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pingan.kinship.frequencies import FrequencyTable
from pingan.kinship.likelihood import (
    as_relation,
    locus_lr,
    lr_arrays,
    transmission_matrix,
    typed,
)


@dataclass
class ProfileMatrix:
    """alleles[i] is (2, n) int16 for loci[i]: indices into labels[i], -1 missing; indices at
    or past the table's allele count are alleles the table lacks."""

    table: FrequencyTable
    loci: tuple[str, ...]
    labels: list[list[str]]
    alleles: np.ndarray  # (n_loci, 2, n) int16
    codes: np.ndarray  # (n_loci, n) int16: a*A + b, or A*A missing, or A*A+1 unseen allele

    @property
    def n(self) -> int:
        return int(self.alleles.shape[2])

    @classmethod
    def build(
        cls,
        profiles: Sequence[Mapping[str, Sequence[str]]],
        table: FrequencyTable,
        loci: Sequence[str] | None = None,
    ) -> ProfileMatrix:
        """Encode profiles (locus -> allele pair); loci default to every table locus."""
        use = tuple(name for name in (loci or table.loci) if name in table.alleles)
        labels = [list(table.alleles[name]) for name in use]
        alleles = np.full((len(use), 2, len(profiles)), -1, dtype=np.int16)
        for i, locus in enumerate(use):
            index = {a: j for j, a in enumerate(labels[i])}
            for row, profile in enumerate(profiles):
                g = profile.get(locus)
                if not typed(g):
                    continue
                for k, allele in enumerate(sorted(g, key=lambda a: (a not in index, a))):
                    if allele not in index:
                        index[allele] = len(labels[i])
                        labels[i].append(allele)
                    alleles[i, k, row] = index[allele]
        return cls.from_indices(table, use, labels, alleles)

    @classmethod
    def from_indices(
        cls,
        table: FrequencyTable,
        loci: Sequence[str],
        labels: list[list[str]],
        alleles: np.ndarray,
    ) -> ProfileMatrix:
        """From already encoded alleles (used by simulations that draw indices directly)."""
        codes = np.empty(alleles.shape[0::2], dtype=np.int16)
        for i, locus in enumerate(loci):
            size = len(table.alleles[locus])
            if size * size + 2 > np.iinfo(np.int16).max:
                raise ValueError(f"{locus}: too many alleles for the genotype code")
            a, b = alleles[i, 0].astype(np.int32), alleles[i, 1].astype(np.int32)
            code = np.where((a < 0) | (b < 0), size * size, a * size + b)
            code = np.where((a >= size) | (b >= size), size * size + 1, code)
            codes[i] = code
        return cls(table, tuple(loci), labels, alleles.astype(np.int16, copy=False), codes)

    def _query(self, query: Mapping[str, Sequence[str]]):
        for i, locus in enumerate(self.loci):
            g = query.get(locus)
            if typed(g):
                yield i, locus, tuple(g)

    def loci_compared(self, query: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Per profile, the loci typed in both it and the query."""
        out = np.zeros(self.n, dtype=np.int32)
        for i, locus, _ in self._query(query):
            out += self.codes[i] != len(self.table.alleles[locus]) ** 2
        return out

    def search(
        self,
        query: Mapping[str, Sequence[str]],
        relations: Sequence[str],
        theta: float = 0.01,
        mutation: float = 0.0,
    ) -> np.ndarray:
        """log10 LR, shape (len(relations), n): each relation against unrelated."""
        rels = [as_relation(r) for r in relations]
        total = np.zeros((len(rels), self.n))
        for i, locus, g in self._query(query):
            size = len(self.table.alleles[locus])
            freqs = self.table.locus_freqs(locus, g)
            names = list(freqs)
            p = np.fromiter(freqs.values(), dtype=np.float64, count=len(names))
            q1, q2 = names.index(g[0]), names.index(g[1])
            grid = np.arange(size)
            lookup = np.zeros((len(rels), size * size + 2))
            with np.errstate(divide="ignore"):
                for r, rel in enumerate(rels):
                    trans = transmission_matrix(names, mutation, rel.meioses)
                    lr = lr_arrays(q1, q2, grid[:, None], grid[None, :], p, rel, theta, trans)
                    lookup[r, : size * size] = np.log10(lr).ravel()
            total += np.take(lookup, self.codes[i], axis=1)
            unseen = np.flatnonzero(self.codes[i] == size * size + 1)
            for row in unseen.tolist():
                other = tuple(self.labels[i][j] for j in self.alleles[i, :, row])
                pair_freqs = self.table.locus_freqs(locus, (*g, *other))
                for r, rel in enumerate(rels):
                    f = locus_lr(g, other, pair_freqs, rel, theta, mutation)
                    total[r, row] += math.log10(f) if f > 0 else -math.inf
        return total
