"""Seeded pedigrees drawn from the engine's allele frequencies: unrelated people, and full
siblings (two children of the same two simulated parents)."""

from __future__ import annotations

import numpy as np

from pingan.kinship.frequencies import FrequencyTable

Profile = dict[str, tuple[str, str]]


class Pedigrees:
    def __init__(self, table: FrequencyTable, loci: list[str], seed: int) -> None:
        self.table, self.loci, self.rng = table, loci, np.random.default_rng(seed)

    def _allele(self, locus: str) -> str:
        freqs = self.table.alleles[locus]
        names = list(freqs)
        p = np.fromiter(freqs.values(), dtype=float)
        return names[int(self.rng.choice(len(names), p=p / p.sum()))]

    def person(self) -> Profile:
        return {
            locus: tuple(sorted((self._allele(locus), self._allele(locus)))) for locus in self.loci
        }

    def child(self, mother: Profile, father: Profile) -> Profile:
        return {
            locus: tuple(sorted((mother[locus][self.rng.integers(2)],
                                 father[locus][self.rng.integers(2)])))
            for locus in self.loci
        }  # fmt: skip

    def full_siblings(self) -> tuple[Profile, Profile]:
        mother, father = self.person(), self.person()
        return self.child(mother, father), self.child(mother, father)
