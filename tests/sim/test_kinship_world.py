"""The demo's family search (sim/data/kinship/, sim/kinship_world.py): the stored laboratory
file is what the fixed seed simulates, the simulated pedigrees pass alleles from parent to
child, and `build_demo` writes the cases, donors, consent and profiles through the kinship
services and the profile import, with the analyst and reviewer among the demo accounts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from pingan.config import Settings
from pingan.demo import build_demo
from pingan.kinship.models import KinshipCase, KinshipConsent, KinshipPerson, KinshipProfile
from pingan.kinship.sealed import unseal
from pingan.sim.kinship_world import PROFILES, donors, east_asia, profiles_csv, simulate, world


def test_the_stored_file_is_what_the_seed_simulates() -> None:
    assert PROFILES.read_text(encoding="utf-8") == profiles_csv()
    assert len(east_asia()) == 40


def test_children_carry_one_allele_of_each_parent() -> None:
    genomes = simulate()
    for name, pedigree in world()["pedigrees"].items():
        for child, (father, mother) in pedigree["children"].items():
            c, f, m = (genomes[f"{name}/{x}"] for x in (child, father, mother))
            for locus, (a, b) in c.genotypes.items():
                assert a in f.genotypes[locus] and b in m.genotypes[locus], (child, locus)
            assert c.y == f.y and c.mt == m.mt
    lost, brother = genomes["wang/lost"], genomes["wang/brother"]
    shared = sum(bool(set(lost.genotypes[x]) & set(brother.genotypes[x])) for x in lost.genotypes)
    assert shared >= 30  # full siblings share an allele at most of the 40 loci


def test_the_demo_loads_the_family_search_through_the_services(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None)
    accounts = {(user, role) for user, role, _ in build_demo(settings, fleet="small")}
    assert {("analyst", "analyst"), ("reviewer", "reviewer")} <= accounts
    from pingan import store

    db, vault = store.open_store(settings)
    try:
        with db.session() as s:
            sides = sorted(s.scalars(select(KinshipCase.side)))
            persons = {p.id: p for p in s.scalars(select(KinshipPerson))}
            consents = {c.person_id for c in s.scalars(select(KinshipConsent))}
            profiles = list(s.scalars(select(KinshipProfile)))
            numbers = sorted(s.scalars(select(KinshipCase.case_no)))
            n_cases = s.scalar(select(func.count()).select_from(KinshipCase))
    finally:
        db.dispose()
    assert sides == ["adoptee", "adoptee", "family", "family"] and n_cases == 4
    assert numbers[0].startswith("XQ-") and numbers[0].endswith("-0001")
    assert len(persons) == len(donors()) == 7 and len(consents) == 6
    assert {p.person_id for p in profiles} == consents  # the unconsented nephew: no profile
    [nephew] = [p for p in persons.values() if p.id not in consents]
    assert nephew.relation == "nephew_niece"
    assert {p.kit for p in profiles} == {"expanded"} and {p.loci for p in profiles} == {40}
    genotypes = unseal(vault, profiles[0].genotypes_enc)
    assert len(genotypes) == 40 and all(len(g) == 2 for g in genotypes.values())
