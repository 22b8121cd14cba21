"""The facility's visit desk (会见管理), on the demo: the officer sees the day's schedule per
terminal with the family visit that starts minutes after the demo; accepts a lawyer's
engagement waiting for review; approves a family booking waiting for it (the case authority's
consent on file); finds a detainee by number, masked, with his restriction in words; records
the case authority's consent for another from its document (a missing number asked for first);
refuses a relative's tie with a reason (asked for first, in words) that the relative then
reads on her own page. The ties are sent through the API beforehand."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingan.sim.visits_world import proof_png
from tests.web.browser import login, new_page
from tests.web.visits_steps import JLS, KSS, PHONE, VISITS, facility, watch

pytestmark = pytest.mark.timeout(300)


def _tie(demo, username: str, detainee_no: str, name: str, relation: str, proof: str) -> int:  # type: ignore[no-untyped-def]
    body = {"detainee_no": detainee_no, "detainee_name": name, "relation": relation,
            "proof_kind": proof, "proof_b64": proof_png()}  # fmt: skip
    r = demo.call("POST", f"{VISITS}/relations", demo.token(username), json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def _pending_booking(demo) -> dict:  # type: ignore[no-untyped-def, type-arg]
    token = demo.token("officer")
    kss = facility(demo, KSS)
    wanted = {"facility_id": kss["id"], "status": "pending_approval"}
    listed = demo.call("GET", f"{VISITS}/bookings", token, params=wanted).json()
    return (listed.get("items", listed) if isinstance(listed, dict) else listed)[0]


def _choose(page, code: str, demo) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#vd-facility", str(facility(demo, code)["id"]))
    page.wait_for_timeout(500)  # the desk re-reads its lists for the facility


def test_the_officer_reviews_ties_and_approves_a_booking(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    engagement = _tie(demo, "lawyer", "KS2026-0104", "孙志刚", "counsel", "engagement_letter")
    kinship = _tie(demo, "zhouli", "JL2026-0302", "高峰", "sibling", "household_register")
    pending = _pending_booking(demo)
    officer = demo.token("officer")

    page = new_page(browser, width=1500, height=1000)
    problems = watch(page)
    try:
        login(page, demo, "officer")
        page.goto(f"{demo.url}/#visitdesk")
        page.wait_for_selector(
            "#view-visitdesk:not([hidden]) #vd-facility option", state="attached"
        )
        _choose(page, KSS, demo)

        # the day's schedule per terminal holds the family visit starting minutes after the demo
        page.wait_for_selector("#vd-schedule .vd-terminal")
        assert "家属会见室1号终端" in page.inner_text("#vd-schedule")

        # a lawyer's engagement, accepted
        row = f"#vd-ties tr[data-tie='{engagement}']"
        page.wait_for_selector(row)
        assert "律师" in page.inner_text(row) and "授权委托书" in page.inner_text(row)
        page.click(f"{row} button.vd-accept")
        page.wait_for_selector(row, state="detached")
        rel = demo.call("GET", f"{VISITS}/relations", officer, params={"status": "accepted"}).json()
        assert any(r["id"] == engagement for r in rel)

        # a family booking waiting for approval (its consent on file): approved
        row = f"#vd-pending tr[data-booking='{pending['id']}']"
        page.wait_for_selector(row)
        assert "已有同意文书" in page.inner_text(row)
        page.screenshot(path=str(shots / "visits-desk.png"), full_page=True)
        page.click(f"{row} button.vd-approve")
        page.wait_for_selector(row, state="detached")
        b = demo.call("GET", f"{VISITS}/bookings/{pending['id']}", officer).json()
        assert b["status"] == "confirmed" and b["approval_id"], b

        # a detainee found by number: masked, his restriction in words
        page.fill("#vd-search input[name=q]", "KS2026-0104")
        page.click("#vd-search button[type=submit]")
        page.wait_for_selector("#vd-detainees tr[data-detainee]")
        found = page.inner_text("#vd-detainees tbody")
        assert "不得会见家属" in found and "孙志刚" not in found and "孙" in found

        # the case authority's consent to family visits with another, recorded from its document
        page.fill("#vd-search input[name=q]", "KS2026-0103")
        page.click("#vd-search button[type=submit]")
        row = "#vd-detainees tr[data-detainee]:has(td:text-is('KS2026-0103'))"
        page.wait_for_selector(row)
        assert page.locator("#vd-detainees tr[data-detainee]").count() == 1
        detainee_id = int(page.get_attribute(row, "data-detainee"))
        page.click(f"{row} button.vd-consent")
        form = "#vd-consent-form"
        page.wait_for_selector(form)
        assert page.input_value(f"{form} input[name=authority]") == "鄂尔多斯市公安局康巴什区分局"
        page.click(f"{form} button[type=submit]")
        assert page.inner_text(f"{form} [data-for=document_no]") == "此项必填"
        page.fill(f"{form} input[name=document_no]", "康公（刑）会字〔2026〕0502号")
        page.fill(f"{form} input[name=valid_until]", "2099-12-31")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector(f"{form} .form-note[data-saved=yes]")
        assert "康公（刑）会字〔2026〕0502号" in page.inner_text(f"{form} .form-note")
        consents = demo.call("GET", f"{VISITS}/approvals", officer,
                             params={"detainee_id": detainee_id}).json()  # fmt: skip
        assert any(c["document_no"] == "康公（刑）会字〔2026〕0502号" for c in consents)

        # at the 拘留所: a tie refused, the reason asked for first
        _choose(page, JLS, demo)
        row = f"#vd-ties tr[data-tie='{kinship}']"
        page.wait_for_selector(row)
        page.click(f"{row} button.vd-refuse")
        page.click(f"{row} form.vd-reason-form button[type=submit]")
        assert page.inner_text(f"{row} form.vd-reason-form .error") == "请写明原因"
        page.fill(
            f"{row} form.vd-reason-form input[name=reason]",
            "户口簿未显示兄弟姐妹关系，请补充亲属关系公证书",
        )
        page.click(f"{row} form.vd-reason-form button[type=submit]")
        page.wait_for_selector(row, state="detached")
    finally:
        page.close()
    assert problems == [], problems

    # the relative reads the refusal and its reason on her own page
    mine = new_page(browser, **PHONE)
    try:
        login(mine, demo, "zhouli")
        mine.goto(f"{demo.url}/#visits")
        item = f"#vv-ties li[data-tie='{kinship}']"
        mine.wait_for_selector(item)
        text = mine.inner_text(item)
        assert "未通过" in text and "请补充亲属关系公证书" in text, text
        assert "已确认" in mine.inner_text("#vv-mine")  # the booking approved above
    finally:
        mine.close()
