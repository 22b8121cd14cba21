"""Dual review, notification, the candidate list and the evidence, through the API."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.kinship.conftest import audit_actions, second_account

API = "/api/v1/kinship"


def _review(client, headers, cid, decision, note=""):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/candidates/{cid}/reviews",
        headers=headers,
        json={"decision": decision, "note": note},
    )


def test_two_accounts_confirm_one_a_reviewer(client, accounts, world, db):
    analyst, reviewer = accounts.headers(Role.ANALYST), accounts.headers(Role.REVIEWER)
    cid = world.candidate_id
    r = _review(client, analyst, cid, "confirm", "23 loci agree")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "new" and [v["decision"] for v in r.json()["reviews"]] == [
        "confirm"
    ]
    again = _review(client, analyst, cid, "confirm")
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    r = _review(client, reviewer, cid, "confirm", "Y-STR agrees")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "confirmed"
    assert [(v["reviewer"], v["role"]) for v in body["reviews"]] == [
        ("analyst1", "analyst"),
        ("reviewer1", "reviewer"),
    ]
    closed = _review(client, accounts.headers(Role.AUDITOR), cid, "reject")
    assert closed.status_code == 403
    late = second_account(client, db, client.app.state.vault, Role.ANALYST, "analyst3")
    closed = _review(client, late, cid, "reject")
    assert closed.status_code == 409 and closed.json()["code"] == "not_open"
    detail = client.get(f"{API}/candidates/{cid}", headers=analyst).json()
    assert detail["status"] == "confirmed"
    actions = [a.detail["decision"] for a in audit_actions(db, "kinship.candidate_review")]
    assert actions == ["confirm", "confirm"]


def test_cases_are_marked_matched_on_confirmation(client, accounts, world, db):
    from pingan.kinship.models import KinshipCase

    cid = world.candidate_id
    _review(client, accounts.headers(Role.REVIEWER), cid, "confirm")
    with db.session() as s:
        assert s.get(KinshipCase, world.adoptee_case).status == "open"
    assert _review(client, accounts.headers(Role.ANALYST), cid, "confirm").status_code == 200
    with db.session() as s:
        assert {s.get(KinshipCase, i).status for i in (world.adoptee_case, world.family_case)} == {
            "matched"
        }


def test_two_analysts_without_a_reviewer_cannot_confirm(client, accounts, db, vault, world):
    other = second_account(client, db, vault, Role.ANALYST, "analyst2")
    cid = world.candidate_id
    assert _review(client, accounts.headers(Role.ANALYST), cid, "confirm").status_code == 200
    r = _review(client, other, cid, "confirm")
    assert r.status_code == 409 and r.json()["code"] == "reviewer_needed"
    r = _review(client, accounts.headers(Role.REVIEWER), cid, "confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"


def test_a_reject_by_anyone_ends_the_review(client, accounts, world):
    cid = world.candidate_id
    assert _review(client, accounts.headers(Role.REVIEWER), cid, "confirm").status_code == 200
    r = _review(client, accounts.headers(Role.ANALYST), cid, "reject", "mtDNA excludes")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    for role in (Role.ANALYST, Role.REVIEWER):
        r = _review(client, accounts.headers(role), cid, "confirm")
        assert r.status_code == 409, r.text
    r = client.post(
        f"{API}/candidates/{cid}/notify", headers=accounts.headers(Role.OFFICER), json={}
    )
    assert r.status_code == 409 and r.json()["code"] == "not_confirmed"


def test_bad_decision_and_unknown_candidate(client, accounts, world):
    h = accounts.headers(Role.ANALYST)
    r = _review(client, h, world.candidate_id, "maybe")
    assert r.status_code == 422
    r = _review(client, h, 99999, "confirm")
    assert r.status_code == 404 and r.json()["code"] == "candidate_not_found"


def test_notify_only_after_confirmation_and_only_once(client, accounts, world, db):
    cid, officer = world.candidate_id, accounts.headers(Role.OFFICER)
    r = client.post(f"{API}/candidates/{cid}/notify", headers=officer, json={})
    assert r.status_code == 409 and r.json()["code"] == "not_confirmed"
    _review(client, accounts.headers(Role.ANALYST), cid, "confirm")
    r = client.post(f"{API}/candidates/{cid}/notify", headers=officer, json={})
    assert r.status_code == 409 and r.json()["code"] == "not_confirmed"
    _review(client, accounts.headers(Role.REVIEWER), cid, "confirm")
    r = client.post(
        f"{API}/candidates/{cid}/notify",
        headers=officer,
        json={"note": "told the elder brother by phone"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "notified" and r.json()["notified_at"]
    again = client.post(f"{API}/candidates/{cid}/notify", headers=officer, json={})
    assert again.status_code == 409 and again.json()["code"] == "not_confirmed"
    (record,) = audit_actions(db, "kinship.candidate_notify")
    assert record.actor == "officer1" and record.detail["note"] == "told the elder brother by phone"


def test_candidate_list_shows_pseudonyms_only_and_filters(client, accounts, world):
    h = accounts.headers(Role.AUDITOR)  # kinship.read
    r = client.get(f"{API}/candidates", headers=h, params={"case_id": world.family_case})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert item["a"] == {
        "case_id": world.adoptee_case,
        "case_no": "XQ-2026-0001",
        "side": "adoptee",
        "sample_id": "KS-A0000001",
        "relation_to_subject": "self",
    }
    assert item["b"]["sample_id"] == "KS-B0000001"
    assert item["log10_lr_total"] == 6.5 and item["strong"] is True
    assert item["lineage"]["y"]["status"] == "match"
    assert "王" not in r.text and "15" not in str(item["lineage"])
    assert (
        client.get(f"{API}/candidates", headers=h, params={"status": "confirmed"}).json()["total"]
        == 0
    )
    bad = client.get(f"{API}/candidates", headers=h, params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_status"
    none = client.get(f"{API}/candidates", headers=h, params={"case_id": 4242})
    assert none.status_code == 404 and none.json()["code"] == "case_not_found"


def test_candidates_are_ranked_by_posterior_then_lr(client, accounts, db, vault, world):
    from pingan.kinship.models import KinshipProfile
    from tests.kinship import match_rows
    from tests.kinship.conftest import GENOTYPES_A

    by = accounts.ids[Role.ANALYST]
    with db.session() as s:
        a = s.get(KinshipProfile, 1)
        family = match_rows.case(s, "XQ-2026-0003", "family", by)
        c = match_rows.donor(s, vault, family, "KS-C0000001", "cousin", by, GENOTYPES_A)
        d = match_rows.donor(s, vault, family, "KS-D0000001", "half_sibling", by, GENOTYPES_A)
        match_rows.candidate(s, a, c, by, relation="first_cousins", log10_lr=3.0, posterior=0.95)
        match_rows.candidate(s, a, d, by, relation="half_siblings", log10_lr=2.1, posterior=0.95)
        s.commit()
    items = client.get(f"{API}/candidates", headers=accounts.headers(Role.ANALYST)).json()["items"]
    assert [i["b"]["sample_id"] for i in items] == ["KS-C0000001", "KS-D0000001", "KS-B0000001"]
    assert [i["strong"] for i in items] == [False, False, True]


def test_evidence_needs_a_reason_and_is_audited(client, accounts, world, db):
    url = f"{API}/candidates/{world.candidate_id}/evidence"
    h = accounts.headers(Role.REVIEWER)
    for params in ({}, {"reason": "   "}):
        r = client.get(url, headers=h, params=params)
        assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert audit_actions(db, "kinship.evidence_read") == []
    r = client.get(url, headers=h, params={"reason": "复核前核对基因型"})
    assert r.status_code == 200, r.text
    body = r.json()
    vwa = next(x for x in body["loci"] if x["locus"] == "vWA")
    assert vwa == {"locus": "vWA", "a": ["14", "17"], "b": ["14", "17"], "factor": 3.2}
    assert body["context"] == {"sex": 0.3, "birth_year": 0.2}
    (record,) = audit_actions(db, "kinship.evidence_read")
    assert record.actor == "reviewer1" and record.detail["reason"] == "复核前核对基因型"
    assert record.detail["samples"] == ["KS-A0000001", "KS-B0000001"]
    assert (
        client.get(url, headers=accounts.headers(Role.OFFICER), params={"reason": "x"}).status_code
        == 403
    )
