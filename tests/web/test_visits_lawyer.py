"""The lawyer's page (律师会见), on the demo: the demo lawyer, registered with licence and firm and
tied to a client held at the 看守所, asks for the earliest visit and is given one within 48
hours (刑诉法 §39), in working hours, never watched or recorded, with the way into the call —
or, where no working slot falls within the next 48 hours (a weekend), the refusal in words.
A second lawyer's account registering: a licence number of the wrong form is refused by the
page, one already registered to another lawyer by the server, in words."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.web.browser import login, new_page, wait_until
from tests.web.visits_steps import PHONE, VISITS, utc, watch

pytestmark = pytest.mark.timeout(300)
CLIENT = "KS2026-0103"  # 李海涛, the demo lawyer's client (sim/data/visits.yaml)
CJK = re.compile(r"[\u4e00-\u9fff]")
LAWYER = ("赵明远", "150602198509213012")  # the demo lawyer's person (sim/data/trust/register.csv)
PASSWORD = "Lawyer-Visits-2026"


def test_the_lawyer_gets_a_visit_within_48_hours(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, **PHONE)
    problems = watch(page, allowed=(f"{VISITS}/bookings",))
    try:
        login(page, demo, "lawyer")
        offered = page.evaluate(
            "[...document.querySelectorAll('#nav a')].map((a) => a.dataset.view)"
        )
        assert offered[0] == "lawyervisits"
        page.wait_for_selector("#view-lawyervisits:not([hidden])")
        wait_until(
            page, "document.querySelector('#view-lawyervisits').dataset.registered === 'yes'"
        )
        me = page.inner_text("#vl-me")
        assert "11502202010876543" in me and "内蒙古康巴什律师事务所" in me
        page.wait_for_selector("#vl-ties li[data-status=accepted]")
        assert CLIENT in page.inner_text("#vl-ties")

        page.wait_for_selector("#vl-request-form:not([hidden])")
        assert page.is_checked("#vl-request-form input[name=mode][value=earliest]")
        before = page.locator("#vl-mine li[data-booking]").count()
        asked = datetime.now(UTC)
        page.click("#vl-request-form button[type=submit]")
        wait_until(page, "document.querySelector('#vl-request-note').textContent !== ''")
        note = page.inner_text("#vl-request-note")
        if page.locator("#vl-request-note .booking-no").count():
            starts = utc(page.get_attribute("#vl-request-note", "data-starts"))
            assert asked - timedelta(minutes=1) <= starts <= asked + timedelta(hours=48), note
            number = page.inner_text("#vl-request-note .booking-no")
            item = f"#vl-mine li:has(.booking-no:text('{number}'))"
            page.wait_for_selector(item)
            assert page.locator("#vl-mine li[data-booking]").count() == before + 1
            text = page.inner_text(item)
            assert "已确认" in text and "不监听、不录音录像" in text, text
            booking_id = page.get_attribute(item, "data-booking")
            assert page.get_attribute(f"{item} a.vw-join", "href") == f"#visitcall/{booking_id}"
            token = demo.token("lawyer")
            b = demo.call("GET", f"{VISITS}/bookings/{booking_id}", token).json()
            assert b["kind"] == "lawyer" and not b["recorded"] and not b["monitored"]
        else:  # no working slot in the next 48 hours: refused in words, not in codes
            assert CJK.search(note) and "_" not in note, note
        page.screenshot(path=str(shots / "visits-lawyer.png"), full_page=True)
    finally:
        page.close()
    assert problems == [], problems


def test_a_lawyer_registers_and_refusals_are_in_words(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """A new lawyer account at L2 (real name, then the face double) registers from the page."""
    username = f"lv-{secrets.token_hex(3)}"
    r = demo.call("POST", "/users", demo.token("admin"),
                  json={"username": username, "password": PASSWORD, "role": "lawyer"})  # fmt: skip
    assert r.status_code == 201, r.text
    demo.passwords[username] = PASSWORD
    token = demo.token(username)
    who = {"id_number": LAWYER[1], "name": LAWYER[0]}
    assert demo.call("POST", "/trust/identity/verify", token, json=who).status_code == 200
    r = demo.call(
        "POST", "/trust/identity/verify", token, json={"method": "face", "image_ref": "l"}
    )
    assert r.json()["level"] == 2, r.text

    page = new_page(browser, **PHONE)
    problems = watch(page, allowed=(f"{VISITS}/visitors/me",))
    try:
        login(page, demo, username)
        page.wait_for_selector("#vl-register-form:not([hidden])")
        form = "#vl-register-form"
        page.fill(f"{form} input[name=licence_no]", "1150220201087")
        page.fill(f"{form} input[name=organisation]", "内蒙古鄂尔多斯律师事务所")
        page.click(f"{form} button[type=submit]")
        assert page.inner_text(f"{form} [data-for=licence_no]") == "执业证号为17位数字"
        page.fill(f"{form} input[name=licence_no]", "11502202010876543")  # the demo lawyer's
        page.click(f"{form} button[type=submit]")
        wait_until(page, "document.querySelector('#vl-register-note').textContent !== ''")
        taken = page.inner_text("#vl-register-note")
        assert CJK.search(taken) and "_" not in taken, taken
        page.fill(f"{form} input[name=licence_no]", "11502202010870001")
        page.click(f"{form} button[type=submit]")
        wait_until(
            page, "document.querySelector('#view-lawyervisits').dataset.registered === 'yes'"
        )
        assert "11502202010870001" in page.inner_text("#vl-me")
        assert page.is_visible("#vl-ties-card") and page.is_hidden("#vl-request-form")
    finally:
        page.close()
    assert problems == [], problems
