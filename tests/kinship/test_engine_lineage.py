"""Y-STR and mtDNA consistency, and when each check applies to a pair of donors."""

import pytest

from pingan.kinship.lineage import lineage_applies, mtdna_check, ystr_check

Y = {"DYS391": "10", "DYS385": "13,17", "DYS19": "15", "DYS390": "23", "Y-GATA-H4": "12"}


def test_identical_haplotypes_match():
    check = ystr_check(Y, dict(Y))
    assert check.status == "match"
    assert check.detail == {"loci_compared": 5, "differing_loci": [], "steps": {}}


def test_one_locus_one_step_apart_is_one_step():
    check = ystr_check(Y, {**Y, "DYS19": "16"})
    assert check.status == "one_step"
    assert check.detail["differing_loci"] == ["DYS19"] and check.detail["steps"] == {"DYS19": 1}
    assert "15" not in str(check.detail) and "16" not in str(check.detail)  # no allele values


def test_multi_copy_locus_compares_copy_by_copy_in_any_order():
    assert ystr_check(Y, {**Y, "DYS385": "17,13"}).status == "match"
    assert ystr_check(Y, {**Y, "DYS385": "13, 18"}).status == "one_step"
    assert ystr_check(Y, {**Y, "DYS385": "14,18"}).status == "excluded"  # two steps
    lost_copy = ystr_check(Y, {**Y, "DYS385": "13"})
    assert lost_copy.status == "excluded" and lost_copy.detail["steps"] == {"DYS385": None}


def test_two_differing_loci_or_two_steps_exclude():
    assert ystr_check(Y, {**Y, "DYS19": "16", "DYS390": "24"}).status == "excluded"
    assert ystr_check(Y, {**Y, "DYS19": "17"}).status == "excluded"
    assert ystr_check(Y, {**Y, "DYS391": "10.2"}).status == "excluded"  # 0.2 is no step


def test_only_shared_loci_count_and_missing_is_not_tested():
    check = ystr_check({"DYS391": "10", "DYS19": "15"}, {"DYS391": "10", "DYS456": "16"})
    assert check.status == "match" and check.detail["loci_compared"] == 1
    assert ystr_check(None, Y).status == "not_tested"
    assert ystr_check(Y, {}).status == "not_tested"
    assert ystr_check({"DYS19": "15"}, {"DYS391": "10"}).status == "not_tested"


MT = {"range": "16024-16365", "variants": ["16223T", "16362C", "16129A"]}


def test_mtdna_same_variants_match_one_difference_one_step_two_exclude():
    assert (
        mtdna_check(MT, {"range": "16024-16365", "variants": ["16362c", "16223T", "16129A"]}).status
        == "match"
    )
    one = mtdna_check(MT, {"range": "16024-16365", "variants": ["16223T", "16362C"]})
    assert one.status == "one_step" and one.detail == {"range": "16024-16365", "differences": 1}
    two = mtdna_check(MT, {"range": "16024-16365", "variants": ["16223T", "16362C", "16519C"]})
    assert two.status == "one_step"  # 16519 is outside the range both sequenced
    assert mtdna_check(MT, {"range": "16024-16365", "variants": ["16223T"]}).status == "excluded"


def test_mtdna_compares_only_the_shared_range_and_ignores_c_stretch_lengths():
    longer = {
        "range": "16024-16365;73-340",
        "variants": ["16223T", "16362C", "16129A", "263G", "315.1C"],
    }
    check = mtdna_check(MT, longer)
    assert check.status == "match" and check.detail["range"] == "16024-16365"
    a = {"range": "16000-16400;1-400", "variants": ["16223T", "263G", "309.1C", "16193.1C"]}
    b = {"range": "16024-16365;73-340", "variants": ["16223T", "263G", "315.1C"]}
    assert mtdna_check(a, b).status == "match"
    assert mtdna_check(MT, {"range": "1-400", "variants": []}).status == "not_tested"
    assert mtdna_check(None, MT).status == "not_tested"
    with pytest.raises(ValueError):
        mtdna_check(MT, {"range": "16024 to 16365", "variants": []})


@pytest.mark.parametrize(
    ("rel_a", "rel_b", "sex_a", "sex_b", "kw", "expected"),
    [
        ("self", "full_sibling", "M", "M", {}, {"y": True, "mt": True}),  # full brothers
        ("self", "full_sibling", "F", "M", {}, {"y": False, "mt": True}),
        ("self", "full_sibling", "F", "F", {}, {"y": False, "mt": True}),
        # a man and his brother's son; a woman and her sister's child
        ("self", "nephew_niece", "M", "M", {"line_b": "paternal"}, {"y": True, "mt": False}),
        ("self", "nephew_niece", "F", "M", {"line_b": "maternal"}, {"y": False, "mt": True}),
        ("self", "nephew_niece", "M", "M", {}, {"y": False, "mt": False}),  # line unknown
        ("self", "half_sibling", "M", "M", {"line_b": "paternal"}, {"y": True, "mt": False}),
        ("self", "half_sibling", "M", "F", {"line_b": "maternal"}, {"y": False, "mt": True}),
        ("self", "parent", "M", "M", {}, {"y": True, "mt": False}),
        ("self", "parent", "M", "F", {}, {"y": False, "mt": True}),
        ("self", "cousin", "M", "M", {"line_b": "paternal"}, {"y": True, "mt": False}),
        ("self", "uncle_aunt", "F", "M", {"line_b": "maternal"}, {"y": False, "mt": True}),
        # the son of a man who was the lost boy, and that boy's brother
        ("child", "full_sibling", "M", "M", {"subject_sex": "M"}, {"y": True, "mt": False}),
        ("child", "full_sibling", "M", "F", {"subject_sex": "F"}, {"y": False, "mt": True}),
        ("child", "full_sibling", "M", "M", {}, {"y": False, "mt": False}),
        ("self", "cousin", "M", "M", {}, {"y": False, "mt": False}),
    ],
)
def test_lineage_applies(rel_a, rel_b, sex_a, sex_b, kw, expected):
    assert lineage_applies(rel_a, rel_b, sex_a, sex_b, **kw) == expected
    swapped = {"line_a": kw["line_b"]} if "line_b" in kw else {}
    if "subject_sex" in kw:
        swapped["subject_sex"] = kw["subject_sex"]
    assert lineage_applies(rel_b, rel_a, sex_b, sex_a, **swapped) == expected
