"""The demo's family search (sim/data/kinship/cases.yaml): four cases in the setting of the
"nation's children", their donors and consent, and the laboratory's file of their DNA
profiles (sim/data/kinship/profiles.csv, GeneMapper's long layout), loaded by `pingan demo`
through the kinship services and the profile import, as a bureau would.

The profiles are simulated with the file's fixed seed: founders' genotypes drawn from the
East Asia allele frequencies, each child given one allele of each parent at every locus (the
Y-STR haplotype from the father, the mtDNA from the mother), so the truth behind the sample is
known: the 王 family's elder brother is the adoptee 巴特尔's full sibling. Run this module
(`python -m pingan.sim.kinship_world`) to write the file again; a test checks that the stored
file is what the seed gives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.kinship import loci
from pingan.pii.vault import Vault

DATA = Path(__file__).parent / "data" / "kinship"
CASES, PROFILES = DATA / "cases.yaml", DATA / "profiles.csv"
FREQUENCIES = Path(loci.__file__).parent / "data" / "norstr_east_asia_2023.txt"
# Y-STR alleles seen in East Asian haplotypes (a plausible spread, not frequencies).
Y_ALLELES = {
    "DYS19": (14, 15, 16), "DYS389I": (12, 13, 14), "DYS389II": (28, 29, 30, 31),
    "DYS390": (22, 23, 24, 25), "DYS391": (10, 11), "DYS392": (11, 13, 14),
    "DYS393": (12, 13, 14), "DYS437": (14, 15), "DYS438": (10, 11, 12), "DYS439": (11, 12, 13),
    "DYS456": (15, 16, 17), "DYS458": (15, 16, 17, 18), "DYS635": (20, 21, 22, 23),
    "Y-GATA-H4": (11, 12, 13),
}  # fmt: skip
DYS385 = (12, 13, 14, 17, 18, 19)
# Control-region (HV1) motifs of common East Asian mtDNA haplogroups (D4, B4, M7, F1, A, G).
MT_MOTIFS = (
    ("16223T", "16362C"), ("16189C", "16217C"), ("16209C", "16223T", "16324C"),
    ("16172C", "16304C"), ("16223T", "16290T", "16319A", "16362C"),
    ("16223T", "16278T", "16362C"),
)  # fmt: skip


@cache
def world() -> dict[str, Any]:
    """The sample as the data file has it."""
    return yaml.safe_load(CASES.read_text(encoding="utf-8"))


@cache
def east_asia() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """The East Asia table as allele labels and frequencies per locus (the published
    layout: a marker's name, then `allele<TAB>frequency` lines). A reader of its own, just
    enough to draw founders."""
    table: dict[str, dict[str, float]] = {}
    marker = None
    for raw in FREQUENCIES.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line[0].isdigit() and marker is not None:
            allele, freq = line.split()
            table[marker][allele] = float(freq)
        else:
            marker = loci.normalise_locus(line)
            table[marker] = {}
    return {m: (tuple(a), tuple(a.values())) for m, a in table.items()}


@dataclass
class Genome:
    genotypes: dict[str, tuple[str, str]]
    y: dict[str, str] = field(default_factory=dict)
    mt: tuple[str, ...] = ()


def _founder(rng: random.Random, panel: tuple[str, ...]) -> Genome:
    freqs = east_asia()
    genotypes = {}
    for locus in panel:
        alleles, weights = freqs[locus]
        a, b = rng.choices(alleles, weights=weights, k=2)
        genotypes[locus] = (a, b)
    y = {locus: str(rng.choice(values)) for locus, values in Y_ALLELES.items()}
    y["DYS385"] = ",".join(str(v) for v in sorted(rng.sample(DYS385, 2)))
    return Genome(genotypes, y, rng.choice(MT_MOTIFS))


def _child(rng: random.Random, father: Genome, mother: Genome) -> Genome:
    genotypes = {
        locus: (rng.choice(father.genotypes[locus]), rng.choice(mother.genotypes[locus]))
        for locus in father.genotypes
    }
    return Genome(genotypes, dict(father.y), mother.mt)


def simulate(w: dict[str, Any] | None = None) -> dict[str, Genome]:
    """Every pedigree member's genome, keyed `pedigree/member`, from the file's seed."""
    w = w or world()
    rng = random.Random(w["seed"])
    panel = loci.KITS[w["kit"]]
    out: dict[str, Genome] = {}
    for name, pedigree in w["pedigrees"].items():
        for member in pedigree["founders"]:
            out[f"{name}/{member}"] = _founder(rng, panel)
        for member, (father, mother) in pedigree["children"].items():
            out[f"{name}/{member}"] = _child(rng, out[f"{name}/{father}"], out[f"{name}/{mother}"])
    return out


def donors(w: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    w = w or world()
    return [d for case in w["cases"] for d in case["donors"]]


def profiles_csv(w: dict[str, Any] | None = None) -> str:
    """The laboratory's file: consenting donors' profiles in GeneMapper's long layout, the
    donors named by the sample file's keys (the demo writes their sample ids in)."""
    genomes = simulate(w)
    rows: list[list[str]] = []
    for d in donors(w):
        if not d["consent"]:
            continue  # no signed form: the laboratory's result is not sent to the search
        g = genomes[d["genome"]]
        for locus in loci.AUTOSOMAL:
            if locus in g.genotypes:
                rows.append([d["key"], locus, *loci.sort_alleles(list(g.genotypes[locus]))])
        rows.append([d["key"], loci.AMEL, "X", "Y" if d["sex"] == "M" else "X"])
        if d["sex"] == "M":
            rows += [[d["key"], locus, *value.split(",")] for locus, value in sorted(g.y.items())]
        rows.append([d["key"], loci.MTDNA, *g.mt])
    width = max(len(r) for r in rows) - 2
    header = ["Sample Name", "Marker"] + [f"Allele {i}" for i in range(1, width + 1)]
    lines = [",".join(header)]
    lines += [",".join(r + [""] * (width + 2 - len(r))) for r in rows]
    return "\n".join(lines) + "\n"


def _actor(session: Session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return Actor(user.id, user.username, Role(user.role))


def populate(session: Session, vault: Vault, *, now: datetime) -> dict[str, str]:
    """Write the sample through the kinship services: the officer opens the cases, the
    analyst registers donors and consent and imports the laboratory's file. Returns each
    donor's sample id by key."""
    from pingan.kinship import cases, profiles_import
    from pingan.kinship import donors as donor_service

    w = world()
    officer, analyst = _actor(session, "officer"), _actor(session, "analyst")
    sample_ids: dict[str, str] = {}
    opened = now - timedelta(days=30)
    for c in w["cases"]:
        spec = cases.CaseSpec(
            side=c["side"], sex=c["sex"], name=c["name"], birth_year_min=c["birth_year_min"],
            birth_year_max=c["birth_year_max"], place=c["place"],
            place_code=c.get("place_code", ""), date_min=c["date_min"], date_max=c["date_max"],
            orphanage=c.get("orphanage", ""), details=c.get("details", {}), contact=c["contact"],
        )  # fmt: skip
        row = cases.create_case(session, officer, vault, spec, now=opened)
        for d in c["donors"]:
            person = donor_service.add_person(
                session, analyst, vault, row.id,
                donor_service.PersonSpec(d["name"], d["sex"], d["relation"], d["birth_year"]),
                now=opened + timedelta(days=1),
            )  # fmt: skip
            sample_ids[d["key"]] = person.sample_id
            if d["consent"]:
                donor_service.record_consent(
                    session, analyst, person.id, signed_on=(opened + timedelta(days=1)).date(),
                    document_no=f"ZQ-{row.case_no}-{len(sample_ids):02d}",
                    now=opened + timedelta(days=1),
                )  # fmt: skip
    text = PROFILES.read_text(encoding="utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines[1:], start=1):
        key, rest = line.split(",", 1)
        lines[i] = f"{sample_ids[key]},{rest}"
    checked = profiles_import.read_profiles(session, "\n".join(lines) + "\n", kit=w["kit"])
    profiles_import.import_profiles(
        session, analyst, vault, checked, now=opened + timedelta(days=10)
    )
    return sample_ids


if __name__ == "__main__":
    PROFILES.write_text(profiles_csv(), encoding="utf-8")
