"""Lineage markers: Y-STR haplotypes (paternal line) and mtDNA (maternal line).

A Y haplotype passes from father to son unchanged but for rare mutations, mtDNA from a mother
to all her children; so two men of one paternal line have the same Y haplotype and two people
of one maternal line the same mtDNA. Neither gives a strong likelihood ratio in a database of
one population (haplotypes are shared by whole lineages), but a clear difference excludes:
the check is reported next to the autosomal LR, never multiplied into it.

Allowed difference: one locus one repeat apart (Y) or one variant (mtDNA) is `one_step`, a
single mutation somewhere in the lineage; more is `excluded`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("match", "one_step", "excluded", "not_tested")
LINES = ("paternal", "maternal")
# length variants in the poly-C stretches of HVS-I/HVS-II differ even between the tissues
# of one person (length heteroplasmy): left out of the comparison (design choice)
_C_STRETCHES = ((16184, 16193), (303, 315))
_VARIANT = re.compile(r"^[ACGTN]?(\d+)(\.\d+)?")
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


@dataclass
class LineageCheck:
    status: str
    detail: dict[str, Any] = field(default_factory=dict)


def _copies(value: str) -> list[str]:
    return sorted((part.strip() for part in value.split(",") if part.strip()), key=_repeat)


def _repeat(label: str) -> float:
    try:
        return float(label)
    except ValueError:
        return float("inf")


def _steps(a: str, b: str) -> float:
    """Repeat steps between two typings of a locus; a multi-copy locus (DYS385 "13,17")
    compares copy by copy in order; a different copy number or a non-numeric allele is
    treated as far apart."""
    ca, cb = _copies(a), _copies(b)
    if ca == cb:
        return 0.0
    if len(ca) != len(cb):
        return float("inf")
    total = 0.0
    for x, y in zip(ca, cb, strict=True):
        if x != y:
            total += abs(_repeat(x) - _repeat(y))
    return total


def ystr_check(h1: Mapping[str, str] | None, h2: Mapping[str, str] | None) -> LineageCheck:
    """Compare two Y-STR haplotypes over the loci typed in both (no allele values in the
    detail: it is shown in lists)."""
    if not h1 or not h2:
        return LineageCheck("not_tested", {"loci_compared": 0})
    shared = sorted(k for k in h1 if k in h2 and str(h1[k]).strip() and str(h2[k]).strip())
    if not shared:
        return LineageCheck("not_tested", {"loci_compared": 0})
    steps = {k: _steps(str(h1[k]), str(h2[k])) for k in shared}
    differing = {k: s for k, s in steps.items() if s}
    detail: dict[str, Any] = {
        "loci_compared": len(shared),
        "differing_loci": sorted(differing),
        "steps": {k: (s if s != float("inf") else None) for k, s in differing.items()},
    }
    if not differing:
        return LineageCheck("match", detail)
    if len(differing) == 1 and next(iter(differing.values())) == 1.0:
        return LineageCheck("one_step", detail)
    return LineageCheck("excluded", detail)


def _ranges(text: str) -> list[tuple[int, int]]:
    out = []
    for part in re.split(r"[;,]", text or ""):
        if not part.strip():
            continue
        m = _RANGE.match(part)
        if not m:
            raise ValueError(f"bad mtDNA range {part!r}")
        lo, hi = int(m.group(1)), int(m.group(2))
        out.append((min(lo, hi), max(lo, hi)))
    return out


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= pos <= hi for lo, hi in ranges)


def _overlap(r1: list[tuple[int, int]], r2: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a_lo, a_hi in r1:
        for b_lo, b_hi in r2:
            lo, hi = max(a_lo, b_lo), min(a_hi, b_hi)
            if lo <= hi:
                out.append((lo, hi))
    return sorted(out)


def _compared(variant: str, shared: list[tuple[int, int]]) -> bool:
    m = _VARIANT.match(variant.strip().upper())
    if not m:
        raise ValueError(f"bad mtDNA variant {variant!r}")
    pos = int(m.group(1))
    if m.group(2) and any(lo <= pos <= hi for lo, hi in _C_STRETCHES):
        return False
    return _inside(pos, shared)


def mtdna_check(m1: Mapping[str, Any] | None, m2: Mapping[str, Any] | None) -> LineageCheck:
    """Compare two mtDNA sequences (variants from the reference, as typed) over the range both
    sequenced; a difference is a variant one has and the other lacks."""
    if not m1 or not m2:
        return LineageCheck("not_tested", {"range": ""})
    shared = _overlap(_ranges(str(m1.get("range", ""))), _ranges(str(m2.get("range", ""))))
    if not shared:
        return LineageCheck("not_tested", {"range": ""})
    v1 = {v.strip().upper() for v in m1.get("variants", []) if _compared(v, shared)}
    v2 = {v.strip().upper() for v in m2.get("variants", []) if _compared(v, shared)}
    differences = len(v1 ^ v2)
    detail = {"range": ";".join(f"{lo}-{hi}" for lo, hi in shared), "differences": differences}
    status = "match" if differences == 0 else "one_step" if differences == 1 else "excluded"
    return LineageCheck(status, detail)


def _links(relation: str, sex: str, subject_sex: str | None, line: str | None):
    """(shares the subject's paternal Y line, shares the subject's mtDNA) for a donor with
    `relation` to the subject; False where it does not or can't be known."""
    male = sex == "M"
    paternal, maternal = line == "paternal", line == "maternal"
    if relation in ("self", "full_sibling"):
        return male, True
    if relation == "parent":
        return male, sex == "F"
    if relation == "child":
        return male and subject_sex == "M", subject_sex == "F"
    if relation in ("half_sibling", "nephew_niece", "uncle_aunt", "cousin"):
        # paternal: same father / a brother's child / a father's sibling / a father's
        # brother's child; maternal: same mother / a sister's child / a mother's sibling /
        # a mother's sister's child
        return male and paternal, maternal
    if relation == "grandchild":  # paternal: through a son; maternal: through a daughter
        return male and paternal and subject_sex == "M", maternal and subject_sex == "F"
    return False, False


def lineage_applies(
    rel_a: str,
    rel_b: str,
    sex_a: str,
    sex_b: str,
    *,
    subject_sex: str | None = None,
    line_a: str | None = None,
    line_b: str | None = None,
) -> dict[str, bool]:
    """Whether a Y-STR check (two men of the subject's paternal line) and an mtDNA check (two
    people of the subject's maternal line) apply to donors A and B, each given by their
    relation to the same subject. `line_*` says through which parent a half-sibling,
    nephew/niece, uncle/aunt, cousin or grandchild is related ("paternal"/"maternal"); without
    it the check does not apply, since a wrong "applies" would exclude a true relative."""
    if subject_sex is None:
        subject_sex = sex_a if rel_a == "self" else sex_b if rel_b == "self" else None
    ya, ma = _links(rel_a, sex_a, subject_sex, line_a)
    yb, mb = _links(rel_b, sex_b, subject_sex, line_b)
    return {"y": bool(ya and yb), "mt": bool(ma and mb)}
