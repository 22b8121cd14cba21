"""`POST /kinship/cases/{id}/power`: per-donor rates from the engine's simulation and advice in
words whose numbers come from the result."""

from __future__ import annotations

from pingan.auth.roles import Role
from pingan.kinship import case_power
from pingan.kinship.frequencies import load_table
from pingan.kinship.power import GLOBALFILER
from tests.kinship import match_rows
from tests.kinship.match_sim import Pedigrees

API = "/api/v1/kinship"


def _family(db, vault, by, relations):  # type: ignore[no-untyped-def]
    table = load_table()
    sim = Pedigrees(table, list(GLOBALFILER), 5)
    with db.session() as s:
        case = match_rows.case(s, "XQ-2026-0200", "family", by)
        for i, relation in enumerate(relations):
            match_rows.donor(s, vault, case, f"KS-FAM{i:05d}", relation, by, sim.person())
        s.commit()
        return case.id


def test_one_half_sibling_on_globalfiler_is_not_enough(client, accounts, db, vault, match_clock):
    case_id = _family(db, vault, accounts.ids[Role.ANALYST], ["half_sibling"])
    r = client.post(f"{API}/cases/{case_id}/power", headers=accounts.headers(Role.ANALYST),
                    json={"panel": "globalfiler", "n": 400})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    (one,) = body["relatives"]
    assert one["sample_id"] == "KS-FAM00000" and one["relation"] == "half_siblings"
    assert one["loci"] == 21 and one["detection_rate"] < 0.5 and body["threshold_log10"] == 4.0
    assert body["advice"]["code"] == "add_markers_or_relatives"
    rate = case_power._rate(one["detection_rate"])
    zh, en = body["advice"]["text"].split("\n")
    assert zh == f"仅凭一名半同胞、21个STR位点，真实亲缘达到LR 10⁴的概率约{rate}%：请增加位点或亲属"
    assert en.startswith("With one half sibling on 21 STRs, a true match reaches LR 10⁴ only")
    assert en.endswith(f"about {rate}% of the time: add markers or relatives")


def test_a_full_sibling_on_the_expanded_panel_is_enough(client, accounts, db, vault, match_clock):
    case_id = _family(db, vault, accounts.ids[Role.ANALYST], ["full_sibling", "cousin"])
    r = client.post(f"{API}/cases/{case_id}/power", headers=accounts.headers(Role.ANALYST),
                    json={"panel": "expanded", "n": 300})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["relation"] for x in body["relatives"]] == ["full_siblings", "first_cousins"]
    assert body["relatives"][0]["loci"] == len(load_table().loci)
    assert body["advice"]["code"] == "enough"
    assert body["advice"]["text"].startswith("凭2名亲属、")


def test_power_refusals(client, accounts, db, vault, match_clock):
    h = accounts.headers(Role.ANALYST)
    case_id = _family(db, vault, accounts.ids[Role.ANALYST], [])
    r = client.post(f"{API}/cases/{case_id}/power", headers=h, json={})
    assert r.status_code == 409 and r.json()["code"] == "no_relatives"
    r = client.post(f"{API}/cases/{case_id}/power", headers=h, json={"n": 50000})
    assert r.status_code == 422
    r = client.post(f"{API}/cases/{case_id}/power", headers=h, json={"panel": "identifiler"})
    assert r.status_code == 422
    assert client.post(f"{API}/cases/{case_id}/power", headers=accounts.headers(Role.OFFICER),
                       json={}).status_code == 403  # fmt: skip


def test_power_of_ten_is_written_with_superscripts():
    assert case_power.power_of_ten(4.0) == "10⁴" and case_power.power_of_ten(3.5) == "10³·⁵"
