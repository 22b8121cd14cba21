"""The banks that take stop orders, by name, for anyone who fills in or reads a report."""

from __future__ import annotations

import pytest

from pingan.auth.roles import Role
from pingan.fraud.gateway import banks


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICER, Role.AUDITOR])
def test_every_reader_gets_the_banks_by_code_and_name(client, accounts, role):
    r = client.get("/api/v1/catalogue/banks", headers=accounts.headers(role))
    assert r.status_code == 200
    rows = {b["code"]: b for b in r.json()}
    assert set(rows) == set(banks())
    assert rows["CCB"] == {
        "code": "CCB", "kind": "bank", "name_zh": "中国建设银行",
        "name_en": "China Construction Bank", "cnaps": "105",
    }  # fmt: skip
    assert rows["TENPAY"]["kind"] == "payment" and rows["TENPAY"]["cnaps"] is None


def test_the_banks_need_a_login(client):
    assert client.get("/api/v1/catalogue/banks").status_code == 401
