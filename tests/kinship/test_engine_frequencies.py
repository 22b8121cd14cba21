"""The East Asia table loads as published, with its licence and a floor for unseen alleles."""

import pytest

from pingan.kinship.frequencies import TABLES, load_table, parse_table

GLOBALFILER = [
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
]


def test_east_asia_table_has_the_forty_loci_and_its_licence():
    table = load_table()
    assert TABLES == ("east_asia",)
    assert table is load_table("east_asia")  # cached
    assert len(table.loci) == 40 and "Penta E" in table.loci and "vWA" in table.loci
    assert set(GLOBALFILER) <= set(table.loci)
    assert table.licence == "MIT" and "norSTR" in table.source and table.min_freq == 0.001
    for locus, freqs in table.alleles.items():
        assert sum(freqs.values()) == pytest.approx(1.0, abs=1e-9), locus
        assert min(freqs.values()) >= 0.00099
    assert table.alleles["TPOX"]["8"] == pytest.approx(0.529882, rel=1e-4)
    assert table.alleles["D1S1656"]["15.3"] == pytest.approx(0.002542, rel=1e-4)


def test_unknown_table_is_a_key_error():
    with pytest.raises(KeyError):
        load_table("mars")


def test_unseen_allele_gets_the_minimum_frequency_renormalised():
    table = load_table()
    assert table.freq("TPOX", "8") == table.alleles["TPOX"]["8"]
    assert table.freq("TPOX", "99") == pytest.approx(0.001 / 1.001)
    freqs = table.locus_freqs("TPOX", ["99", "98.1", "8"])
    assert sum(freqs.values()) == pytest.approx(1.0)
    assert freqs["99"] == pytest.approx(0.001 / 1.002)
    assert freqs["8"] == pytest.approx(table.alleles["TPOX"]["8"] / 1.002)
    with pytest.raises(KeyError):
        table.locus_freqs("DYS391")


def test_parse_refuses_an_allele_before_any_marker_and_bad_frequencies():
    with pytest.raises(ValueError, match="line 1"):
        parse_table("12\t0.5\n")
    with pytest.raises(ValueError, match="out of"):
        parse_table("TPOX\n8\t1.5\n")
    with pytest.raises(ValueError, match="sum"):
        parse_table("TPOX\n8\t0.5\n9\t0.2\n")
