"""The family search's records over HTTP with role headers, on both stores: cases numbered
XQ-YYYY-NNNN, donors with random sample ids, consent and its withdrawal, the profile import
(both layouts, all or nothing, each fault by line), and the audited profile read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.kinship.models import KinshipCase, KinshipPerson, KinshipProfile
from pingan.kinship.sealed import unseal
from tests.kinship.records_rows import (
    ADOPTEE,
    FAMILY,
    URL,
    donor,
    headers,
    long_csv,
    open_case,
    upload,
)
from tests.trust.conftest import Clock
from tests.visits.rows import id_number


@pytest.fixture
def clock(client) -> Clock:  # type: ignore[no-untyped-def]
    c = Clock()
    client.app.state.clock = c
    return c


def _audits(db, action: str) -> list[AuditRecord]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_cases_are_numbered_masked_and_their_reads_audited(client, accounts, db, clock):
    year = clock.now.astimezone().year
    first = open_case(client, accounts)
    second = open_case(client, accounts, FAMILY)
    assert re.fullmatch(rf"XQ-{year}-0001", first["case_no"]), first["case_no"]
    assert second["case_no"] == f"XQ-{year}-0002"
    assert first["name_masked"] == "乌****" and first["contact_masked"] == "139****1520"
    assert second["contact_masked"].startswith("张") and "13800138000" not in str(second)
    assert first["details"]["life_story"].startswith("三岁") and first["persons"] == []
    with db.session() as s:
        row = s.get(KinshipCase, first["id"])
        assert "乌云" not in (row.name_enc or "") and "1520" not in (row.contact_enc or "")
        assert "上海" not in (row.details_enc or "")

    h = accounts.headers(Role.REVIEWER)
    listed = client.get(f"{URL}/cases", params={"side": "adoptee"}, headers=h).json()
    assert listed["total"] == 1 and listed["items"][0]["case_no"] == first["case_no"]
    assert "details" not in listed["items"][0] and "乌云" not in str(listed)
    assert client.get(f"{URL}/cases", params={"q": "上海"}, headers=h).json()["total"] == 2
    assert not _audits(db, "kinship.case_read")  # opening a case is audited as such
    before = len(_audits(db, "kinship.case_read"))
    detail = client.get(f"{URL}/cases/{first['id']}", headers=h)
    assert detail.status_code == 200 and detail.json()["orphanage"] == "上海市第一育婴堂"
    assert len(_audits(db, "kinship.case_read")) == before + 1

    r = client.patch(
        f"{URL}/cases/{first['id']}",
        json={"status": "closed", "place": "阿巴嘎旗"},
        headers=accounts.headers(Role.ANALYST),
    )
    assert r.status_code == 200 and (r.json()["status"], r.json()["place"]) == (
        "closed",
        "阿巴嘎旗",
    )
    assert client.post(f"{URL}/cases", json=ADOPTEE, headers=h).status_code == 403
    bad = {**ADOPTEE, "birth_year_min": 1960, "birth_year_max": 1955}
    r = client.post(f"{URL}/cases", json=bad, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 422 and r.json()["code"] == "bad_range"
    assert client.get(f"{URL}/cases/999", headers=h).json()["code"] == "case_not_found"


def test_donors_get_random_sample_ids_and_consent_can_be_withdrawn(client, accounts, db, clock):
    case = open_case(client, accounts)
    h = accounts.headers(Role.ANALYST)
    number = id_number("19580315", "102")
    body = {"name": "乌云其其格", "sex": "F", "relation": "self", "birth_year": 1958,
            "id_number": number}  # fmt: skip
    r = client.post(f"{URL}/cases/{case['id']}/persons", json=body, headers=h)
    assert r.status_code == 201, r.text
    person = r.json()
    assert re.fullmatch(r"KS-[0-9A-F]{8}", person["sample_id"])
    assert person["id_masked"] == number[:4] + "*" * 10 + number[-4:] and person["consent"] is None
    again = client.post(f"{URL}/cases/{case['id']}/persons", json=body, headers=h)
    assert again.status_code == 409 and again.json()["code"] == "self_exists"
    family = open_case(client, accounts, FAMILY)
    r = client.post(f"{URL}/cases/{family['id']}/persons", json=body, headers=h)
    assert r.json()["code"] == "self_on_family_side"
    twin = donor(client, accounts, case["id"], consent=False, name="乌云其其格")
    assert twin["sample_id"] != person["sample_id"]  # same name, unrelated ids

    url = f"{URL}/persons/{person['id']}/consent"
    form = {"signed_on": "2025-11-02", "document_no": "ZQ-0001"}
    r = client.post(url, json=form, headers=h)
    assert r.status_code == 201 and r.json()["withdrawn_at"] is None
    assert client.post(url, json=form, headers=h).json()["code"] == "consent_exists"
    r = client.post(url + "/withdraw", json={"reason": "本人要求撤回"}, headers=h)
    assert r.status_code == 200 and r.json()["withdrawn_at"] is not None
    r = client.post(url + "/withdraw", json={"reason": "再次"}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "no_consent"
    shown = client.get(f"{URL}/cases/{case['id']}", headers=h).json()["persons"]
    assert shown[0]["consent"]["withdrawn_at"] is not None and len(shown) == 2
    [withdrawn] = _audits(db, "kinship.consent_withdrawn")
    assert withdrawn.detail["reason"] == "本人要求撤回"
    with db.session() as s:
        row = s.get(KinshipPerson, person["id"])
        assert number not in (row.id_enc or "") and row.name_masked == "乌****"


def test_a_long_file_is_imported_sealed_and_read_only_with_a_reason(client, accounts, db, clock):
    case = open_case(client, accounts)
    person = donor(client, accounts, case["id"], sex="M")
    r = upload(client, accounts, long_csv(person["sample_id"]))
    assert r.status_code == 201, r.text
    assert r.json() == {"imported": 1, "sample_ids": [person["sample_id"]]}
    shown = client.get(f"{URL}/cases/{case['id']}", headers=accounts.headers(Role.OFFICER))
    brief = shown.json()["persons"][0]["profile"]
    assert (brief["kit"], brief["loci"], brief["has_ystr"], brief["has_mtdna"]) == (
        "identifiler", 3, True, True,
    )  # fmt: skip
    assert shown.json()["profiles"] == 1

    url = f"{URL}/persons/{person['id']}/profile"
    r = client.get(url, headers=accounts.headers(Role.REVIEWER))
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert (
        client.get(url, params={"reason": "x"}, headers=accounts.headers(Role.OFFICER)).status_code
        == 403
    )
    r = client.get(url, params={"reason": "复核候选"}, headers=accounts.headers(Role.REVIEWER))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "sample_id": person["sample_id"],
        "kit": "identifiler",
        "genotypes": {"D3S1358": ["15", "16"], "TH01": ["9.3", "9.3"], "vWA": ["14", "17"]},
        "ystr": {"DYS385": "13,17", "DYS391": "10"},
        "mtdna": {"range": "16024-16365", "variants": ["16223T", "16362C"]},
    }
    [read] = _audits(db, "kinship.profile_read")
    assert read.detail == {"sample_id": person["sample_id"], "reason": "复核候选"}
    [imported] = _audits(db, "kinship.profiles_imported")
    assert imported.detail["sample_ids"] == [person["sample_id"]]
    assert set(imported.detail) == {"sha256", "n", "sample_ids"}  # no genotype in the trail
    with db.session() as s:
        row = s.scalars(select(KinshipProfile)).one()
        assert "D3S1358" not in row.genotypes_enc and "16223" not in (row.mtdna_enc or "")
        vault = client.app.state.vault
        assert unseal(vault, row.genotypes_enc)["vWA"] == ["14", "17"]
    again = upload(client, accounts, long_csv(person["sample_id"]))
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "profile_exists"

    late = donor(client, accounts, case["id"], sex="M", name="王磊")
    h = accounts.headers(Role.ANALYST)
    r = client.post(
        f"{URL}/persons/{late['id']}/consent/withdraw", json={"reason": "撤回"}, headers=h
    )
    assert r.status_code == 200
    refused = upload(client, accounts, long_csv(late["sample_id"]))
    assert [(e["line"], e["code"]) for e in refused.json()["errors"]] == [(2, "no_consent")]


def test_a_wide_file_with_faults_is_refused_by_line_and_nothing_stored(client, accounts, db, clock):
    case = open_case(client, accounts)
    ok = donor(client, accounts, case["id"], sex="M")
    woman = donor(client, accounts, case["id"], sex="F", name="李秀英")
    unconsented = donor(client, accounts, case["id"], consent=False, name="王明")
    good = f"{ok['sample_id']},15/16,14,9.3/10,X/Y,10,\n"
    text = (
        "sample_id,D3S1358,VWA,TH01,AMEL,DYS391,mtDNA\n"  # line 1
        + good  # 2: fine
        + f"{woman['sample_id']},15/16,14,OL/10,X/Y,,\n"  # 3: off-ladder, AMEL says male
        + f"{unconsented['sample_id']},15/16/17,14,9,X/Y,,16223T\n"  # 4: no consent, 3 alleles
        + "KS-00000000,15,14,9,X,,\n"  # 5: unknown sample
        + good  # 6: the same sample again
        + f"{woman['sample_id'][:-1]}Z,15,14,99,X,,16223Q\n"  # 7: unknown, impossible
    )
    r = upload(client, accounts, text, lang="en")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "bad_profile_file" and "nothing was imported" in body["detail"]
    found = {(e["line"], e["code"]) for e in body["errors"]}
    assert found == {
        (3, "bad_allele"), (3, "sex_mismatch"), (4, "no_consent"), (4, "too_many_alleles"),
        (5, "unknown_sample"), (6, "duplicate_sample"), (7, "bad_allele"), (7, "bad_mtdna"),
        (7, "unknown_sample"),
    }  # fmt: skip
    off = next(e for e in body["errors"] if e["line"] == 3 and e["code"] == "bad_allele")
    assert "off-ladder" in off["message"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(KinshipProfile)) == 0
    zh = upload(client, accounts, text)
    assert "未导入" in zh.json()["detail"]

    r = upload(client, accounts, "sample_id,D3S1358,D9S9999\nX,15,16\n")
    assert (1, "unknown_locus") in {(e["line"], e["code"]) for e in r.json()["errors"]}
    r = upload(client, accounts, "\ufeff\n\n")
    assert r.json()["errors"] == [
        {"line": 1, "code": "empty_file", "message": r.json()["errors"][0]["message"]}
    ]
    r = upload(client, accounts, "name,locus\na,b\n")
    assert r.json()["errors"][0]["code"] == "bad_header"
    r = upload(
        client, accounts, "sample_id,SE33\n" + f"{ok['sample_id']},20/21\n", kit="identifiler"
    )
    assert r.json()["errors"][0]["code"] == "locus_not_in_kit"

    r = upload(client, accounts, "sample_id,D3S1358,VWA,TH01,AMEL,DYS391,mtDNA\n" + good)
    assert r.status_code == 201 and r.json()["imported"] == 1
    r = client.post(
        f"{URL}/profiles/import",
        files={"file": ("p.csv", b"sample_id,TH01\n", "text/csv")},
        headers=headers(accounts, Role.OFFICER),
    )
    assert r.status_code == 403
