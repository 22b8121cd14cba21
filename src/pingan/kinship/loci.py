"""Locus names, kits and allele labels of imported DNA profiles.

Laboratories spell markers their own way (VWA, vWA, THO1, PentaE, Penta_E, Amelogenin…); the
search compares loci by one canonical name, the norSTR spelling of the frequency tables, so
every name is normalised here on import and an unknown one is refused rather than silently
dropped (a dropped locus would make a true relative look less related). Allele labels are
kept as strings as typed ("12", "9.3"); an off-ladder call ("OL") or an impossible label is
refused: the laboratory must resolve it before the profile is searched.
"""

from __future__ import annotations

import re
from typing import Any

from pingan.errors import ValidationFailed
from pingan.i18n import msg

# Autosomal STRs, the norSTR East Asia table's spelling and order.
AUTOSOMAL: tuple[str, ...] = (
    "D1S1656",
    "TPOX",
    "D2S1360",
    "D2S441",
    "D2S1338",
    "D3S1358",
    "D3S1744",
    "D4S2366",
    "FGA",
    "D5S2500",
    "D5S818",
    "CSF1PO",
    "SE33",
    "D6S474",
    "D7S820",
    "D7S1517",
    "D8S1132",
    "D8S1179",
    "D9S1122",
    "D10S1435",
    "D10S2325",
    "D10S1248",
    "TH01",
    "D11S554",
    "APOAI1",
    "D12S391",
    "D13S317",
    "D14S1434",
    "Penta E",
    "D16S539",
    "D17S906",
    "D17S1301",
    "D18S51",
    "D19S433",
    "D20S482",
    "D21S11",
    "D21S2055",
    "Penta D",
    "D22S1045",
    "vWA",
)
AMEL = "AMEL"
MTDNA = "mtDNA"

IDENTIFILER = (
    "D8S1179",
    "D21S11",
    "D7S820",
    "CSF1PO",
    "D3S1358",
    "TH01",
    "D13S317",
    "D16S539",
    "D2S1338",
    "D19S433",
    "vWA",
    "TPOX",
    "D18S51",
    "D5S818",
    "FGA",
)
GLOBALFILER = (
    *IDENTIFILER,
    "D2S441",
    "D22S1045",
    "SE33",
    "D10S1248",
    "D1S1656",
    "D12S391",
)
# The supplementary STRs of the East Asia table (SureID / HDplex markers typed beside the
# GlobalFiler core by Chinese laboratories for kinship work).
SUREID = tuple(a for a in AUTOSOMAL if a not in GLOBALFILER and not a.startswith("Penta"))
KITS: dict[str, tuple[str, ...]] = {
    "globalfiler": GLOBALFILER,
    "identifiler": IDENTIFILER,
    "sureid": SUREID,
    "expanded": AUTOSOMAL,
}
KIT_CHOICES = ("auto", *KITS)

# Spellings that differ from the canonical one by more than case, spaces or punctuation.
_ALIASES = {
    "THO1": "TH01",
    "CSF1P0": "CSF1PO",
    "TPOX": "TPOX",
    "FIBRA": "FGA",
    "FGA": "FGA",
    "PENTAE": "Penta E",
    "PENTAD": "Penta D",
    "PE": "Penta E",
    "PD": "Penta D",
    "APOA1": "APOAI1",
    "AMELOGENIN": AMEL,
    "AMELO": AMEL,
    "AM": AMEL,
    "AMEL": AMEL,
    "MTDNA": MTDNA,
    "MT": MTDNA,
}
_Y_GATA_H4 = {"YGATAH4", "GATAH4", "YGATAH41"}
_Y_NAME = re.compile(r"^(DYS|DYF)\d{2,4}[A-Z0-9]*$")
# Y loci typed with more than one copy (DYS385a/b …); every other Y locus has one allele.
Y_MULTI_COPY = frozenset({"DYS385", "DYF387S1", "DYS527", "DYS459", "DYS464", "DYF404S1"})
_ALLELE = re.compile(r"^(\d{1,3})(?:\.(\d))?$")
_OFF_LADDER = frozenset({"OL", "OFF", "OFFLADDER", "?"})
REPEAT = {"Penta E": 5, "Penta D": 5, "D22S1045": 3}  # repeat length (default 4)
ALLELE_RANGE = (1, 60)  # repeats: nothing typed by a forensic kit lies outside
Y_ALLELE_RANGE = (5, 50)
# Loci whose alleles the East Asia table names by fragment length in base pairs, not repeats.
SIZE_RANGE = {"D11S554": (150, 350), "APOAI1": (200, 350), "D17S906": (280, 480)}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name).upper()


_CANONICAL = {_key(name): name for name in AUTOSOMAL} | _ALIASES


class LocusError(ValidationFailed):
    """A locus name or allele label that cannot be imported; `code` says which rule."""


class UnknownLocus(LocusError):
    code = "unknown_locus"


class BadAllele(LocusError):
    code = "bad_allele"


class TooManyAlleles(LocusError):
    code = "too_many_alleles"


def _error(kind: type[LocusError], key: str, /, **params: Any) -> LocusError:
    return kind(msg(f"kinship.records.locus.{key}", **params))


def normalise_locus(name: str) -> str:
    """The canonical name: an autosomal STR (norSTR spelling), `AMEL`, `mtDNA`, or a Y-STR
    as DYS…/DYF… upper-case (the a/b of a two-copy locus dropped) or `Y-GATA-H4`."""
    raw = (name or "").strip()
    key = _key(raw)
    if key in _CANONICAL:
        return _CANONICAL[key]
    if key in _Y_GATA_H4:
        return "Y-GATA-H4"
    y = re.sub(r"(A/?B|A,B)$", "", raw.upper().replace(" ", "").replace("_", ""))
    y = re.sub(r"[/,]", "", y)
    if _Y_NAME.match(y):
        return y
    raise _error(UnknownLocus, "unknown", name=raw[:40])


def is_ystr(locus: str) -> bool:
    """Whether a canonical name is a Y-chromosome STR (a paternal lineage marker)."""
    return locus.startswith(("DYS", "DYF")) or locus == "Y-GATA-H4"


def is_autosomal(locus: str) -> bool:
    return locus in AUTOSOMAL


def _number(label: str) -> float:
    whole, _, frac = label.partition(".")
    return int(whole) + (int(frac) / 10 if frac else 0.0)


def parse_allele(locus: str, raw: str) -> str:
    """One allele label as stored ("12", "9.3"): a repeat number, or a microvariant whose
    part after the point is shorter than the locus's repeat (a size in base pairs for the
    loci the table names so, SIZE_RANGE); "12.0" is read as "12". An
    off-ladder call, a label that is no number, or one outside the plausible range is
    refused with `bad_allele`."""
    text = (raw or "").strip()
    if text.upper().replace("-", "").replace(" ", "") in _OFF_LADDER:
        raise _error(BadAllele, "off_ladder", locus=locus, allele=text[:12])
    match = _ALLELE.match(text)
    if match is None:
        raise _error(BadAllele, "not_a_number", locus=locus, allele=text[:12])
    whole, frac = int(match.group(1)), int(match.group(2) or 0)
    low, high = Y_ALLELE_RANGE if is_ystr(locus) else SIZE_RANGE.get(locus, ALLELE_RANGE)
    if not low <= whole <= high or frac >= REPEAT.get(locus, 4):
        raise _error(BadAllele, "out_of_range", locus=locus, allele=text[:12], low=low, high=high)
    return f"{whole}.{frac}" if frac else str(whole)


def sort_alleles(labels: list[str]) -> list[str]:
    """Labels in repeat order (9.3 before 10), as stored."""
    return sorted(labels, key=_number)


def genotype(locus: str, raws: list[str]) -> tuple[str, str] | None:
    """An autosomal genotype from the labels typed (blanks skipped): None when none was
    typed, a homozygote from one label or two equal ones, the pair in repeat order; more
    than two different alleles are refused (a mixture or an artefact, not one person)."""
    labels = sorted(set(parse_allele(locus, r) for r in raws if (r or "").strip()), key=_number)
    if not labels:
        return None
    if len(labels) > 2:
        raise _error(TooManyAlleles, "too_many", locus=locus, n=len(labels))
    return (labels[0], labels[-1])


def haplotype_allele(locus: str, raws: list[str]) -> str | None:
    """A Y-STR's value as stored: "10", or "13,17" for a two-copy locus such as DYS385."""
    labels = sort_alleles([parse_allele(locus, r) for r in raws if (r or "").strip()])
    if not labels:
        return None
    copies = 4 if locus in Y_MULTI_COPY else 1
    if len(set(labels)) > copies:
        raise _error(TooManyAlleles, "too_many", locus=locus, n=len(labels))
    return ",".join(labels if locus in Y_MULTI_COPY else labels[:1])


def amel_sex(locus: str, raws: list[str]) -> str | None:
    """Amelogenin read as a sex: X alone is F, X and Y is M (None when not typed)."""
    values = {(r or "").strip().upper() for r in raws if (r or "").strip()}
    if not values:
        return None
    if not values <= {"X", "Y"}:
        shown = ",".join(sorted(values))[:12]
        raise _error(BadAllele, "bad_amel", locus=locus, allele=shown)
    return "M" if "Y" in values else "F"


def split_cell(cell: str) -> list[str]:
    """A wide layout's cell as labels: "12/14", "12,14", "12 14" or "12"."""
    return [p for p in re.split(r"[/,;\s]+", (cell or "").strip()) if p]


def infer_kit(loci: set[str]) -> str:
    """The smallest kit holding every autosomal locus typed (`expanded` if none does)."""
    for name in ("identifiler", "globalfiler", "sureid"):
        if loci <= set(KITS[name]):
            return name
    return "expanded"
