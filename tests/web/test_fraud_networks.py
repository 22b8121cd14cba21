"""The desk's mule-account networks (涉案账户网络, js/fraud-networks.js): the demo's
customer-service and investment victims paid one card, so the card shows as one network of two
cases with the shared-account link and its stop in place; the victims' own accounts appear
masked only; a case number opens the case. Two reports an officer files into one fresh account
make a second network whose account no order names yet: the officer stops it from the panel,
the auditor sees no button."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pingan.pii.id_number import check_character
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(300)
BEIJING = ZoneInfo("Asia/Shanghai")
PANEL = "#fd-networks-list"
FRESH = "9990123456789012"  # a mule card no bank of the demo knows


def _report(victim_id: str, payer: str, minutes_ago: int) -> dict:  # type: ignore[type-arg]
    at = (datetime.now(BEIJING) - timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
    return {
        "victim": {"name": "赵小兰（虚构）", "id_number": victim_id, "phone": "13912345670"},
        "fraud_type": "loan", "fraud_phone": None, "description": "网贷解冻费", "area_code": None,
        "transfers": [{"channel": "online_banking", "payer_account": payer, "payer_bank": "ICBC",
                       "payee_account": FRESH, "payee_name": "钱多多（虚构）", "payee_bank": "CCB",
                       "amount_fen": 1_200_000, "tx_time": at.isoformat(), "serial_no": None}],
        "send": False,
    }  # fmt: skip


def _network_with(page, case_no: str) -> str:  # type: ignore[no-untyped-def]
    return f"{PANEL} .fn-network:has(button.case:text-is('{case_no}'))"


def test_the_demo_syndicate_card_is_one_network(demo, browser) -> None:  # type: ignore[no-untyped-def]
    token = demo.token("officer")
    cases = demo.call("GET", "/fraud/cases?limit=100", token).json()["items"]
    by_type = {c["fraud_type"]: c for c in cases}
    first, second = by_type["customer_service"], by_type["investment"]
    nets = demo.call("GET", "/fraud/networks", token).json()["items"]
    net = next(n for n in nets if first["id"] in {c["id"] for c in n["cases"]})
    assert second["id"] in {c["id"] for c in net["cases"]}
    (shared,) = [x for x in net["links"] if x["kind"] == "shared_account"]
    payers = {
        t["payer_account"]
        for c in (first, second)
        for t in demo.call("GET", f"/fraud/cases/{c['id']}", token).json()["transfers"]
    }
    page = new_page(browser)
    try:
        login(page, demo, "officer")
        page.goto(demo.url + "/#fraud")
        box = _network_with(page, first["case_no"])
        page.wait_for_selector(box)
        text = page.inner_text(box)
        assert second["case_no"] in text
        assert f"多案共用账户 {shared['value']}" in text
        card = f"{box} li[data-account='{shared['value']}']"
        assert page.inner_text(f"{card} li[data-rule=shared_account]").startswith("多案共用账户")
        assert page.inner_text(f"{card} [data-held]") in {"已止付", "已发指令"}
        assert not page.query_selector(f"{card} button[data-act=network-stop]")
        assert page.query_selector_all(f"{box} li.fn-victim")
        for payer in payers:  # the victims' own accounts: masked only
            assert payer not in page.inner_text(PANEL)
        page.click(f"{box} button.case:text-is('{second['case_no']}')")
        opened = "(no) => document.querySelector('#fd-detail h3')?.textContent.includes(no)"
        wait_until(page, opened, second["case_no"])
    finally:
        page.close()


def test_an_officer_stops_a_network_account_from_the_panel(demo, browser) -> None:  # type: ignore[no-untyped-def]
    token = demo.token("officer")
    made = []
    for id17, payer, ago in (("15060219880315102", "6222000011110001", 50),
                             ("15060219900101101", "6222000011110002", 20)):  # fmt: skip
        body = _report(id17 + check_character(id17), payer, ago)
        r = demo.call("POST", "/fraud/cases", token, json=body)
        assert r.status_code == 201, r.text
        made.append(r.json()["case_no"])
    auditor = new_page(browser)
    try:
        login(auditor, demo, "auditor")
        auditor.goto(demo.url + "/#fraud")
        box = _network_with(auditor, made[0])
        auditor.wait_for_selector(f"{box} li[data-account='{FRESH}']")
        assert not auditor.query_selector(f"{box} button[data-act=network-stop]")
    finally:
        auditor.close()
    page = new_page(browser)
    try:
        login(page, demo, "officer")
        page.goto(demo.url + "/#fraud")
        card = f"{_network_with(page, made[0])} li[data-account='{FRESH}']"
        page.wait_for_selector(f"{card} button[data-act=network-stop]")
        assert made[1] in page.inner_text(_network_with(page, made[0]))
        page.click(f"{card} button[data-act=network-stop]")
        page.wait_for_selector(f"{card} [data-held]")
        assert not page.query_selector(f"{card} button[data-act=network-stop]")
    finally:
        page.close()
    held = [
        n for n in demo.call("GET", "/fraud/networks", token).json()["items"]
        for a in n["accounts"] if a["account"] == FRESH
    ]  # fmt: skip
    assert held and all(a["held"] for n in held for a in n["accounts"] if a["account"] == FRESH)
