"""The signed PDF report: only for a confirmed candidate, pseudonyms only, kept under the data
directory, and its signature verifies against the published key list alone."""

from __future__ import annotations

import hashlib
import json

import pypdfium2 as pdfium

from pingan.auth.roles import Role
from pingan.kinship import reports
from tests.kinship.conftest import audit_actions

API = "/api/v1/kinship"


def _words(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _confirm(client, accounts, cid):  # type: ignore[no-untyped-def]
    for role in (Role.ANALYST, Role.REVIEWER):
        r = client.post(
            f"{API}/candidates/{cid}/reviews",
            headers=accounts.headers(role),
            json={"decision": "confirm", "note": f"checked by {role.value}"},
        )
        assert r.status_code == 200, r.text


def test_report_needs_a_confirmed_candidate(client, accounts, world):
    h = accounts.headers(Role.REVIEWER)
    r = client.post(f"{API}/candidates/{world.candidate_id}/report", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "not_confirmed"
    r = client.post(f"{API}/candidates/424242/report", headers=h)
    assert r.status_code == 404
    r = client.get(f"{API}/reports/XQBG-2026-99999.pdf", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "report_not_found"


def test_signed_report_verifies_against_the_published_keys(client, accounts, world, settings, db):
    _confirm(client, accounts, world.candidate_id)
    h = accounts.headers(Role.ANALYST)
    r = client.post(f"{API}/candidates/{world.candidate_id}/report", headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["number"].startswith("XQBG-") and made["key_id"]
    pdf = client.get(f"{API}/reports/{made['number']}.pdf", headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    data = pdf.content
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == made["sha256"]
    kept = settings.data_dir / reports.FOLDER / f"{made['number']}.pdf"
    assert kept.read_bytes() == data
    signed = json.loads(kept.with_suffix(".sig.json").read_text(encoding="utf-8"))
    assert (
        signed["statement"]["a"] == "KS-A0000001"
        and signed["statement"]["sha256"] == made["sha256"]
    )

    published = client.get("/api/v1/trust/keys").json()  # what anyone may fetch, no login
    assert reports.verify(published, data, signed)
    tampered = data.replace(b"%PDF", b"%PDF ", 1)
    assert reports.verify(published, tampered, signed).reason == "hash_mismatch"
    forged = json.loads(json.dumps(signed))
    forged["statement"]["relation"] = "parent_child"
    assert reports.verify(published, data, forged).reason == "bad_signature"

    words = _words(data)
    for shown in (
        "XQ-2026-0001",
        "XQ-2026-0002",
        "KS-A0000001",
        "KS-B0000001",
        "GB/T 37223",
        "vWA",
        "14/17",
        "9/9.3",
        "reviewer1",
        "亲缘关系比对报告",
        "Kinship comparison",
    ):
        assert shown in words, shown
    assert "王" not in words  # no names: the donors' sealed names never reach the report
    candidate = client.get(f"{API}/candidates/{world.candidate_id}", headers=h).json()
    assert candidate["report"] == {"number": made["number"], "sha256": made["sha256"]}
    assert [a.object_id for a in audit_actions(db, "kinship.report_make")] == [made["number"]]
    assert [a.actor for a in audit_actions(db, "kinship.report_read")] == ["analyst1"]


def test_report_of_a_notified_candidate_and_numbers_run_on(client, accounts, world):
    _confirm(client, accounts, world.candidate_id)
    client.post(
        f"{API}/candidates/{world.candidate_id}/notify",
        headers=accounts.headers(Role.OFFICER),
        json={},
    )
    h = accounts.headers(Role.REVIEWER)
    first = client.post(f"{API}/candidates/{world.candidate_id}/report", headers=h).json()
    second = client.post(f"{API}/candidates/{world.candidate_id}/report", headers=h).json()
    assert first["number"] != second["number"]
    assert int(second["number"][-5:]) == int(first["number"][-5:]) + 1
