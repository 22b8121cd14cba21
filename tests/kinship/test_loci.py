"""Locus names as laboratories spell them, the kits, and allele labels: what is accepted as
typed, normalised, or refused with its code."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingan.kinship import loci

TABLE = Path(loci.__file__).parent / "data" / "norstr_east_asia_2023.txt"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("VWA", "vWA"), ("vWA", "vWA"), ("vwa", "vWA"), ("D8S1179", "D8S1179"),
        ("d8s1179", "D8S1179"), ("PentaE", "Penta E"), ("Penta_E", "Penta E"),
        ("PENTA E", "Penta E"), ("Penta D", "Penta D"), ("THO1", "TH01"), ("TH01", "TH01"),
        ("CSF1P0", "CSF1PO"), ("AMEL", "AMEL"), ("Amelogenin", "AMEL"), ("D2S-1338", "D2S1338"),
        ("mtDNA", "mtDNA"), ("DYS391", "DYS391"), ("DYS385a/b", "DYS385"),
        ("dys389II", "DYS389II"), ("Y GATA H4", "Y-GATA-H4"), ("Y-GATA-H4", "Y-GATA-H4"),
    ],
)  # fmt: skip
def test_locus_names_are_normalised(typed: str, canonical: str) -> None:
    assert loci.normalise_locus(typed) == canonical


@pytest.mark.parametrize("typed", ["D6S9999", "HUMTH02", "", "Amelo genin X", "PentaF"])
def test_an_unknown_locus_is_refused(typed: str) -> None:
    with pytest.raises(loci.UnknownLocus) as caught:
        loci.normalise_locus(typed)
    assert caught.value.code == "unknown_locus" and caught.value.status == 422


def test_the_canonical_names_are_the_frequency_tables_markers() -> None:
    markers = [
        line.strip()
        for line in TABLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line[0].isdigit()
    ]
    assert set(markers) == set(loci.AUTOSOMAL) and len(loci.AUTOSOMAL) == 40


def test_every_allele_of_the_frequency_table_is_accepted() -> None:
    marker = ""
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line[0].isdigit():
            marker = loci.normalise_locus(line.strip())
        elif line.strip():
            allele = line.split()[0]
            assert loci.parse_allele(marker, allele) == allele, (marker, allele)


def test_kits() -> None:
    assert len(loci.KITS["identifiler"]) == 15 and len(loci.KITS["globalfiler"]) == 21
    assert set(loci.KITS["identifiler"]) < set(loci.KITS["globalfiler"])
    assert loci.KITS["expanded"] == loci.AUTOSOMAL
    assert not set(loci.KITS["sureid"]) & set(loci.KITS["globalfiler"])
    for name, kit in loci.KITS.items():
        assert set(kit) <= set(loci.AUTOSOMAL), name
    assert loci.infer_kit({"D3S1358", "TH01"}) == "identifiler"
    assert loci.infer_kit({"D3S1358", "SE33"}) == "globalfiler"
    assert loci.infer_kit({"D3S1744"}) == "sureid"
    assert loci.infer_kit({"D3S1358", "Penta E"}) == "expanded"


@pytest.mark.parametrize(
    ("locus", "typed", "label"),
    [("TH01", "9.3", "9.3"), ("D3S1358", " 15 ", "15"), ("FGA", "22.2", "22.2"),
     ("D3S1358", "15.0", "15"), ("Penta E", "11.4", "11.4"), ("DYS391", "10", "10"),
     ("D11S554", "220", "220"), ("D17S906", "366", "366")],
)  # fmt: skip
def test_allele_labels(locus: str, typed: str, label: str) -> None:
    assert loci.parse_allele(locus, typed) == label


@pytest.mark.parametrize(
    ("locus", "typed", "reason"),
    [("TH01", "OL", "off_ladder"), ("TH01", "ol", "off_ladder"), ("TH01", "x", "not_a_number"),
     ("TH01", "9.3.1", "not_a_number"), ("TH01", "-3", "not_a_number"),
     ("TH01", "0", "out_of_range"), ("D21S11", "99", "out_of_range"),
     ("TH01", "9.4", "out_of_range"), ("D22S1045", "15.3", "out_of_range"),
     ("APOAI1", "27", "out_of_range")],
)  # fmt: skip
def test_impossible_alleles_are_refused(locus: str, typed: str, reason: str) -> None:
    with pytest.raises(loci.BadAllele) as caught:
        loci.parse_allele(locus, typed)
    assert caught.value.code == "bad_allele"
    assert caught.value.message.code == f"kinship.records.locus.{reason}"  # type: ignore[union-attr]


def test_genotypes() -> None:
    assert loci.genotype("TH01", ["10", "9.3"]) == ("9.3", "10")  # repeat order, not text order
    assert loci.genotype("TH01", ["7"]) == ("7", "7")
    assert loci.genotype("TH01", ["7", "7", ""]) == ("7", "7")
    assert loci.genotype("TH01", ["", " "]) is None
    with pytest.raises(loci.TooManyAlleles) as caught:
        loci.genotype("TH01", ["6", "7", "8"])
    assert caught.value.code == "too_many_alleles"


def test_lineage_markers() -> None:
    assert loci.is_ystr("DYS391") and loci.is_ystr("Y-GATA-H4") and not loci.is_ystr("TH01")
    assert loci.haplotype_allele("DYS385", ["17", "13"]) == "13,17"
    assert loci.haplotype_allele("DYS391", ["10"]) == "10"
    with pytest.raises(loci.TooManyAlleles):
        loci.haplotype_allele("DYS391", ["10", "11"])
    assert loci.amel_sex("AMEL", ["X", "Y"]) == "M"
    assert loci.amel_sex("AMEL", ["X", "X"]) == "F"
    assert loci.amel_sex("AMEL", [""]) is None
    with pytest.raises(loci.BadAllele):
        loci.amel_sex("AMEL", ["X", "Z"])
    assert loci.split_cell("12/14") == ["12", "14"] == loci.split_cell("12,14")
