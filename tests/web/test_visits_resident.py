"""The resident's video-visit page (视频会见) on the phone layout, on the demo: the demo citizen,
at identity level 2, registers as a family visitor, ties herself to a man held at the 拘留所 with
a proof uploaded (a wrong name first: refused in the server's words, in Chinese), the facility
accepts the tie, she books a free slot from the grid for herself, sees the booking confirmed
with its number, downloads its calendar entry and finds the way into the call; booking the
same detainee again is refused in words. No page error, no refusal the test did not ask for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.browser import login, new_page, wait_until
from tests.web.visits_steps import PHONE, VISITS, proof_file, watch

pytestmark = pytest.mark.timeout(300)
CITIZEN = ("刘晓燕", "150602198803151027")  # the demo citizen's person (demo.py DEMO_IDENTITY)
HELD = ("JL2026-0301", "周磊")  # held at the demo's 拘留所 (sim/data/visits.yaml)
COMPANION = ("刘晓梅", "15060219900101202X")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _l2(demo) -> None:  # type: ignore[no-untyped-def]
    """The demo citizen reaches L2: real name, then the face check's test double."""
    token = demo.token("citizen")
    who = {"id_number": CITIZEN[1], "name": CITIZEN[0]}
    assert demo.call("POST", "/trust/identity/verify", token, json=who).status_code == 200
    r = demo.call(
        "POST", "/trust/identity/verify", token, json={"method": "face", "image_ref": "v"}
    )
    assert r.json()["level"] == 2, r.text


def _accept_tie(demo, detainee_no: str) -> None:  # type: ignore[no-untyped-def]
    """The facility's officer accepts the waiting tie to `detainee_no` (the desk's own test
    does this in the page)."""
    token = demo.token("officer")
    waiting = demo.call("GET", f"{VISITS}/relations", token, params={"status": "pending"}).json()
    tie = next(r for r in waiting if r["detainee"]["detainee_no"] == detainee_no)
    r = demo.call("POST", f"{VISITS}/relations/{tie['id']}/review", token,
                  json={"decision": "accept", "reason": ""})  # fmt: skip
    assert r.status_code == 200, r.text


def _pick_free_slot(page) -> str:  # type: ignore[no-untyped-def]
    """The first day from today with a free family slot, and its first free slot."""
    for _ in range(10):
        wait_until(page, "document.querySelector('#vv-slots').children.length > 0")
        free = page.locator("#vv-slots .vw-slot:not([disabled])")
        if free.count():
            free.first.click()
            return free.first.get_attribute("data-start")
        day = page.input_value("#vv-book-form input[name=date]")
        page.evaluate(
            """(d) => { const i = document.querySelector('#vv-book-form input[name=date]');
              const n = new Date(d + 'T12:00:00Z'); n.setUTCDate(n.getUTCDate() + 1);
              i.value = n.toISOString().slice(0, 10); i.dispatchEvent(new Event('change')); }""",
            day,
        )
        page.wait_for_timeout(300)
    raise AssertionError("no free family slot in ten days")


def test_the_resident_registers_ties_and_books(demo, browser, shots: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _l2(demo)
    page = new_page(browser, **PHONE)
    problems = watch(
        page, allowed=(f"{VISITS}/relations", f"{VISITS}/bookings", f"{VISITS}/visitors/me")
    )
    try:
        login(page, demo, "citizen")
        page.goto(f"{demo.url}/#visits")
        page.wait_for_selector("#view-visits:not([hidden]) #vv-register-form:not([hidden])")
        assert page.evaluate("document.body.classList.contains('phone-view')")

        # registered with the register's name, masked
        page.fill("#vv-register-form input[name=phone]", "13800138000")
        page.click("#vv-register-form button[type=submit]")
        wait_until(page, "document.querySelector('#view-visits').dataset.registered === 'yes'")
        assert page.inner_text("#vv-me .vv-status") == "正常"
        assert "刘" in page.inner_text("#vv-me") and CITIZEN[0] not in page.inner_text("#vv-me")

        # a tie with a wrong name: the same refusal as an unknown number, in words
        page.click("#vv-tie-box summary")
        form = "#vv-tie-form"
        page.fill(f"{form} input[name=detainee_no]", HELD[0])
        page.fill(f"{form} input[name=detainee_name]", "周雷")
        page.select_option(f"{form} select[name=relation]", "sibling")
        page.select_option(f"{form} select[name=proof_kind]", "household_register")
        page.set_input_files(f"{form} input[name=proof]", str(proof_file(tmp_path)))
        page.click(f"{form} button[type=submit]")
        wait_until(page, "document.querySelector('#vv-tie-note').textContent !== ''")
        refused = page.inner_text("#vv-tie-note")
        assert CJK.search(refused) and "_" not in refused, refused

        page.fill(f"{form} input[name=detainee_name]", HELD[1])
        page.set_input_files(f"{form} input[name=proof]", str(proof_file(tmp_path)))
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("#vv-ties li[data-status=pending]")
        assert "待审核" in page.inner_text("#vv-ties li[data-status=pending]")
        assert page.inner_text("#vv-tie-note") == "已提交，等待场所审核。"

        # the facility accepts; the booking form opens on the accepted tie
        _accept_tie(demo, HELD[0])
        page.click('#nav a[data-view="citizen"]')
        page.click('#nav a[data-view="visits"]')
        page.wait_for_selector("#vv-ties li[data-status=accepted]")
        page.wait_for_selector("#vv-book-form:not([hidden])")
        assert "拘留所" in page.inner_text("#vv-book-facility")

        start = _pick_free_slot(page)
        page.click("#vv-party-add")  # her sister comes too
        person = "#vv-party .vv-person"
        page.fill(f"{person} input[name=p_name]", COMPANION[0])
        page.fill(f"{person} input[name=p_id_number]", COMPANION[1])
        page.select_option(f"{person} select[name=p_relation]", "sibling")
        page.click("#vv-book-form button[type=submit]")
        page.wait_for_selector("#vv-book-note .booking-no")
        number = page.inner_text("#vv-book-note .booking-no")
        assert re.fullmatch(r"HJ\d{8}-\d{4}", number), number
        item = f"#vv-mine li[data-status=confirmed]:has(.booking-no:text('{number}'))"
        page.wait_for_selector(item)
        assert "已确认" in page.inner_text(item) and "全程录音录像" in page.inner_text(item)
        assert "刘**（兄弟姐妹）" in page.inner_text(item)
        booking_id = page.get_attribute(item, "data-booking")
        assert page.get_attribute(f"{item} a.vw-join", "href") == f"#visitcall/{booking_id}"
        page.screenshot(path=str(shots / "visits-resident.png"), full_page=True)

        # the calendar entry (RFC 5545) of that booking
        with page.expect_download() as download:
            page.click(f"{item} button.vw-ics")
        ics = Path(download.value.path()).read_text(encoding="utf-8")
        assert "BEGIN:VCALENDAR" in ics and number in ics

        # a second booking for the same man while this one stands: refused, in words
        page.wait_for_selector("#vv-book-form:not([hidden])")
        assert page.locator("#vv-party .vv-person").count() == 0
        assert _pick_free_slot(page)
        page.click("#vv-book-form button[type=submit]")
        wait_until(page, "document.querySelector('#vv-book-note').textContent !== ''")
        again = page.inner_text("#vv-book-note")
        assert CJK.search(again) and "_" not in again and "HJ" not in again, again
        assert start
    finally:
        page.close()
    assert problems == [], problems
