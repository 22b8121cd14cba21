"""Population allele frequencies for the kinship likelihoods, each table with its licence.

A likelihood ratio divides by how common the shared alleles are, so the table must be one
published for the population searched (here East Asia, norSTR, MIT) and an allele the table
never saw must not get frequency 0 (that would make one rare allele decide the whole case):
it gets the table's minimum frequency, and the locus is renormalised to sum to 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

# name -> (file, population, source, licence, minimum frequency)
_SOURCES: dict[str, tuple[str, str, str, str, float]] = {
    "east_asia": (
        "norstr_east_asia_2023.txt",
        "East Asia (Department of Forensic Sciences, Oslo University Hospital)",
        "norSTR, magnusdv/norSTR data-raw/OstAsiaDB_v2023.txt, commit 9201d14 (2025-03-31)",
        "MIT",
        # the published table floors every frequency at 0.001; the same floor for unseen alleles
        0.001,
    ),
}
TABLES: tuple[str, ...] = tuple(_SOURCES)


@dataclass(frozen=True)
class FrequencyTable:
    """Allele frequencies per locus (canonical norSTR locus names, alleles as typed)."""

    name: str
    population: str
    source: str
    licence: str
    min_freq: float
    alleles: dict[str, dict[str, float]]

    @property
    def loci(self) -> tuple[str, ...]:
        return tuple(self.alleles)

    def locus_freqs(self, locus: str, extra: Iterable[str] = ()) -> dict[str, float]:
        """The locus's frequencies with each unseen allele of `extra` added at the minimum
        frequency, renormalised to sum to 1 (KeyError for a locus not in the table)."""
        known = self.alleles[locus]
        unseen = sorted({a for a in extra if a not in known})
        if not unseen:
            return dict(known)
        out = dict(known)
        for allele in unseen:
            out[allele] = self.min_freq
        total = sum(out.values())
        return {a: f / total for a, f in out.items()}

    def freq(self, locus: str, allele: str) -> float:
        """Frequency of one allele; an unseen one gets the minimum frequency, renormalised."""
        return self.locus_freqs(locus, (allele,))[allele]


def parse_table(text: str) -> dict[str, dict[str, float]]:
    """norSTR text layout: a marker's name on its own line, then `allele<TAB>frequency` lines."""
    table: dict[str, dict[str, float]] = {}
    locus: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) == 1:
            locus = parts[0].strip()
            table[locus] = {}
            continue
        if locus is None or len(parts) != 2:
            raise ValueError(f"line {number}: expected 'allele<TAB>frequency' under a marker")
        freq = float(parts[1])
        if not 0.0 < freq <= 1.0:
            raise ValueError(f"line {number}: frequency {freq} out of (0, 1]")
        table[locus][parts[0].strip()] = freq
    for name, freqs in table.items():
        total = sum(freqs.values())
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"{name}: frequencies sum to {total:.4f}")
        table[name] = {a: f / total for a, f in freqs.items()}
    return table


def load_table(name: str = "east_asia") -> FrequencyTable:
    """The named table (cached); KeyError for a name not in TABLES."""
    return _load(name)


@cache
def _load(name: str) -> FrequencyTable:
    file, population, source, licence, min_freq = _SOURCES[name]
    alleles = parse_table((DATA / file).read_text(encoding="utf-8"))
    return FrequencyTable(name, population, source, licence, min_freq, alleles)
