"""The visit rules file: its numbers, and that a bad file fails loudly when loaded."""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError
from importlib import resources

import pytest
import yaml

from pingan.visits.rules import RulesError, parse, rules


@pytest.fixture(scope="module")
def raw() -> dict:
    text = resources.files("pingan.visits").joinpath("rules.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_every_facility_kind_has_a_rule_for_every_visitor_kind() -> None:
    r = rules()
    assert set(r.facility_kinds) == {"detention_centre", "admin_detention_centre", "rehab_centre"}
    assert set(r.visitor_kinds) == {"family", "lawyer", "consular"}
    assert len(r.visits) == 9


def test_the_sourced_numbers() -> None:
    r = rules()
    kss = r.visit("detention_centre", "family")
    assert (kss.needs_consent, kss.max_persons, kss.max_minutes) == (True, 3, 30)
    assert kss.recorded and kss.monitored
    jls = r.visit("admin_detention_centre", "family")  # 拘留所条例实施办法 §52
    assert (jls.needs_consent, jls.max_persons, jls.max_minutes, jls.quota_per_month) == (
        False,
        3,
        30,
        2,
    )
    for fk in r.facility_kinds:
        lawyer = r.visit(fk, "lawyer")  # 刑诉法 §39
        assert not lawyer.recorded and not lawyer.monitored
        assert lawyer.arrange_within_h == 48 and lawyer.hours == "working"
        assert lawyer.quota_per_month is None
    assert (r.cancel_before_h, r.no_show_limit) == (24, 3)  # Shenzhen
    assert r.working_hours.slot_minutes == 60 and len(r.working_hours.periods) == 2  # Beijing
    assert r.licence_no.fullmatch("1" * 17) and not r.licence_no.fullmatch("1" * 16)


def test_relations_and_proofs_per_visitor_kind() -> None:
    r = rules()
    assert "spouse" in r.visitor_kinds["family"].relations
    assert "counsel" not in r.visitor_kinds["family"].relations
    assert r.visitor_kinds["lawyer"].relations == ("counsel",)
    assert "engagement_letter" in r.visitor_kinds["lawyer"].proof_kinds


def test_restrictions_block_or_need_consent_by_stage() -> None:
    r = rules()
    assert r.blocked("family", stage="trial", restrictions=["no_family_visits"]) == (
        "no_family_visits"
    )
    assert r.blocked("lawyer", stage="trial", restrictions=["no_family_visits"]) is None
    held = ["lawyer_needs_permission"]
    assert r.needs_consent("detention_centre", "lawyer", stage="investigation", restrictions=held)
    assert not r.needs_consent("detention_centre", "lawyer", stage="trial", restrictions=held)
    assert r.needs_consent("detention_centre", "family", stage="trial", restrictions=[])
    assert not r.needs_consent(
        "admin_detention_centre", "family", stage="administrative", restrictions=[]
    )


def test_terminal_uses() -> None:
    r = rules()
    assert r.serves("any", "lawyer") and r.serves("lawyer", "lawyer")
    assert not r.serves("lawyer", "family") and not r.serves("family", "lawyer")


def test_the_tree_is_frozen() -> None:
    r = rules()
    with pytest.raises(FrozenInstanceError):
        r.cancel_before_h = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.visits[("detention_centre", "lawyer")] = None  # type: ignore[index]


def _broken(raw: dict, path: str, value: object) -> dict:
    data = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[p]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("visits.detention_centre.lawyer.recorded", True, "never recorded"),
        ("visits.rehab_centre.lawyer.monitored", True, "never monitored"),
        ("visits.detention_centre.lawyer.arrange_within_h", 72, "within 48"),
        ("visits.detention_centre.family.max_persons", 0, "max_persons"),
        ("visits.detention_centre.family.max_minutes", "30", "max_minutes"),
        ("visits.detention_centre.family.hours", "always", "hours"),
        ("visits.detention_centre.family.quota", 2, "unknown keys"),
        ("visits.detention_centre.consular", _DELETE, "missing keys"),
        ("visits.rehab_centre", _DELETE, "missing keys"),
        ("cancel_before_h", _DELETE, "missing keys"),
        ("no_show_limit", 0, "no_show_limit"),
        ("working_hours.periods", [["14:00", "09:00"]], "end after"),
        ("working_hours.periods", [["9 am", "10:00"]], "HH:MM"),
        ("lawyer_day_share.firm", 1.5, "share"),
        ("restrictions.no_family_visits.blocks", ["relatives"], "unknown visitor kind"),
        ("restrictions.lawyer_needs_permission.stages", ["pretrial"], "unknown stage"),
        ("terminal_uses.any", ["family", "priest"], "unknown visitor kind"),
        ("licence_no", "([0-9]", "licence_no"),
        ("visitor_kinds.family.relations", [], "non-empty"),
    ],
)
def test_a_bad_file_fails_loudly(raw: dict, path: str, value: object, says: str) -> None:
    with pytest.raises(RulesError, match=says):
        parse(_broken(raw, path, value))


def test_the_packaged_file_parses_as_it_is(raw: dict) -> None:
    assert parse(raw) == rules()
