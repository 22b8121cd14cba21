"""The records tests' sample: cases, donors and profile files, made through the real API."""

from __future__ import annotations

from typing import Any

from pingan.auth.roles import Role

URL = "/api/v1/kinship"
SIGNED_ON = "2025-11-02"  # before any clock these tests run on
ADOPTEE = {
    "side": "adoptee",
    "name": "乌云其其格",
    "sex": "F",
    "birth_year_min": 1957,
    "birth_year_max": 1959,
    "place": "锡林郭勒盟阿巴嘎旗",
    "place_code": "152522",
    "date_min": "1960-03-01",
    "date_max": "1960-06-30",
    "orphanage": "上海市第一育婴堂",
    "details": {
        "transfer_records": ["1960年4月 上海→呼和浩特 保育院转送名册"],
        "adoptive_family": "阿巴嘎旗牧民家庭",
        "life_story": "三岁左右随保育员乘火车到内蒙古，\n被牧民收养。",
    },
    "contact": "13947731520",
}
FAMILY = {
    "side": "family",
    "name": "张小妹",
    "sex": "F",
    "birth_year_min": 1956,
    "birth_year_max": 1958,
    "place": "上海市",
    "date_min": "1959-10-01",
    "date_max": "1960-12-31",
    "contact": "张建国 13800138000",
}
# A GeneMapper long export: two markers of the GlobalFiler core, AMEL, a Y-STR, mtDNA.
LONG_ROWS = [
    ("D3S1358", "15", "16"),
    ("vWA", "14", "17"),
    ("THO1", "9.3", ""),
    ("Amelogenin", "X", "Y"),
    ("DYS391", "10", ""),
    ("DYS385a/b", "13", "17"),
    ("mtDNA", "16223T", "16362C"),
]


def headers(accounts: Any, role: Role, lang: str | None = None) -> dict[str, str]:
    out = accounts.headers(role)
    return {**out, "Accept-Language": lang} if lang else out


def open_case(client: Any, accounts: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = client.post(f"{URL}/cases", json=body or ADOPTEE, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 201, r.text
    return r.json()


def donor(
    client: Any, accounts: Any, case_id: int, *, sex: str = "M", relation: str = "full_sibling",
    consent: bool = True, name: str = "张建国",
) -> dict[str, Any]:  # fmt: skip
    h = accounts.headers(Role.ANALYST)
    body = {"name": name, "sex": sex, "relation": relation, "birth_year": 1952}
    r = client.post(f"{URL}/cases/{case_id}/persons", json=body, headers=h)
    assert r.status_code == 201, r.text
    person = r.json()
    if consent:
        form = {"signed_on": SIGNED_ON, "document_no": f"ZQ-{person['id']:04d}"}
        r = client.post(f"{URL}/persons/{person['id']}/consent", json=form, headers=h)
        assert r.status_code == 201, r.text
    return person


def long_csv(sample_id: str, rows: list[tuple[str, str, str]] | None = None) -> str:
    lines = ["Sample Name,Panel,Marker,Allele 1,Allele 2"]
    lines += [f"{sample_id},GlobalFiler_v2,{m},{a},{b}" for m, a, b in rows or LONG_ROWS]
    return "\n".join(lines) + "\n"


def upload(
    client: Any, accounts: Any, text: str, *, kit: str = "auto", lang: str | None = None
) -> Any:
    files = {"file": ("profiles.csv", text.encode("utf-8"), "text/csv")}
    h = headers(accounts, Role.ANALYST, lang)
    return client.post(f"{URL}/profiles/import", files=files, data={"kit": kit}, headers=h)
