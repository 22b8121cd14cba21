"""`POST /kinship/cases/{id}/search` under the thresholds file, with the engine's lineage and
context evidence: the true sibling first, refusals with their codes."""

from __future__ import annotations

import math

from pingan.auth.roles import Role
from pingan.kinship.context import posterior
from pingan.kinship.frequencies import load_table
from pingan.kinship.settings import load_thresholds
from tests.kinship import match_rows
from tests.kinship.match_sim import Pedigrees

API = "/api/v1/kinship"


def _world(db, vault, by):  # type: ignore[no-untyped-def]
    table = load_table()
    sim = Pedigrees(table, list(table.loci), 3)
    adoptee_dna, sibling_dna = sim.full_siblings()
    with db.session() as s:
        adoptee = match_rows.case(s, "XQ-2026-0100", "adoptee", by, sex="F",
                                  birth_year_min=1958, birth_year_max=1960)  # fmt: skip
        match_rows.donor(s, vault, adoptee, "KS-SELF0001", "self", by, adoptee_dna, sex="F")
        family = match_rows.case(s, "XQ-2026-0200", "family", by, sex="F",
                                 birth_year_min=1959, birth_year_max=1959)  # fmt: skip
        match_rows.donor(s, vault, family, "KS-TRUE0001", "full_sibling", by, sibling_dna)
        for i in range(12):
            other = match_rows.case(s, f"XQ-2026-{300 + i:04d}", "family", by, sex="F")
            match_rows.donor(s, vault, other, f"KS-UNRL{i:04d}", "full_sibling", by, sim.person())
        empty = match_rows.case(s, "XQ-2026-0900", "adoptee", by)
        s.commit()
        return adoptee.id, empty.id


def test_search_ranks_the_true_sibling_first(client, accounts, db, vault, match_clock):
    case_id, empty_id = _world(db, vault, accounts.ids[Role.ANALYST])
    h = accounts.headers(Role.ANALYST)
    r = client.post(f"{API}/cases/{case_id}/search", headers=h, json={})
    assert r.status_code == 201, r.text
    body = r.json()
    (run,) = body["searches"]
    assert run["sample_id"] == "KS-SELF0001" and run["compared"] == 13
    top = body["candidates"][0]
    assert top["b"]["sample_id"] == "KS-TRUE0001" and top["relation"] == "full_siblings"
    t = load_thresholds()
    assert top["prior"] == t.prior_for(13)  # 13 open family cases
    assert math.isclose(top["posterior"], posterior(top["log10_lr_total"], top["prior"]))
    assert top["log10_lr_context"] != 0.0 and top["strong"] is True
    assert set(top["lineage"]) == {"y", "mt"}
    assert all(c["log10_lr"] >= t.report_floor_log10 for c in body["candidates"])
    listed = client.get(f"{API}/candidates", headers=h, params={"case_id": case_id}).json()
    assert listed["items"][0]["id"] == top["id"]
    again = client.post(f"{API}/cases/{case_id}/search", headers=h, json={}).json()
    assert {c["id"] for c in again["candidates"]} == {c["id"] for c in body["candidates"]}

    r = client.post(f"{API}/cases/{empty_id}/search", headers=h, json={})
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_search"
    r = client.post(f"{API}/cases/4242/search", headers=h, json={})
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    r = client.post(f"{API}/cases/{case_id}/search", headers=h, json={"frequencies": "mars"})
    assert r.status_code == 422 and r.json()["code"] == "bad_frequencies"
    r = client.post(f"{API}/cases/{case_id}/search", headers=h, json={"relations": ["twins"]})
    assert r.status_code == 422
    r = client.post(f"{API}/cases/{case_id}/search", headers=accounts.headers(Role.REVIEWER),
                    json={})  # fmt: skip
    assert r.status_code == 403


def test_search_for_named_relations_only(client, accounts, db, vault, match_clock):
    case_id, _ = _world(db, vault, accounts.ids[Role.ANALYST])
    r = client.post(f"{API}/cases/{case_id}/search", headers=accounts.headers(Role.ANALYST),
                    json={"relations": ["half_siblings"]})  # fmt: skip
    assert r.status_code == 201, r.text
    assert {c["relation"] for c in r.json()["candidates"]} <= {"half_siblings"}


def test_a_searched_candidate_is_reported_with_its_thresholds_and_context(
    client, accounts, db, vault, match_clock, settings
):
    from pingan.kinship import reports
    from tests.kinship.test_match_report import _words

    case_id, _ = _world(db, vault, accounts.ids[Role.ANALYST])
    found = client.post(f"{API}/cases/{case_id}/search", headers=accounts.headers(Role.ANALYST),
                        json={}).json()["candidates"][0]  # fmt: skip
    for role in (Role.ANALYST, Role.REVIEWER):
        r = client.post(f"{API}/candidates/{found['id']}/reviews", headers=accounts.headers(role),
                        json={"decision": "confirm"})  # fmt: skip
        assert r.status_code == 200, r.text
    made = client.post(f"{API}/candidates/{found['id']}/report",
                       headers=accounts.headers(Role.REVIEWER)).json()  # fmt: skip
    pdf = (settings.data_dir / reports.FOLDER / f"{made['number']}.pdf").read_bytes()
    words = _words(pdf)
    for shown in ("GB/T 37223", "per_open_cases", "birth_year", "KS-TRUE0001", "D3S1358"):
        assert shown in words, shown
