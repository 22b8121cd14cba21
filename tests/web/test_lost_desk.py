"""The staff lost-and-found desk (失物招领): an officer registers a found phone with the form,
its place by name from the gazetteer's suggestions; it joins the list; a citizen's earlier lost
report is its first match, with its reason; typed markup stays text; a citizen has no desk;
the page logs no error and meets no refusal. The desk also fits a phone's width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)
FORM = "#lf-form"
MARKUP = '<img src=x onerror="window.pwned=1"><b>透明壳</b>'


def _luhn(body: str) -> str:
    """`body` with its Luhn check digit: an IMEI no other test registers."""
    total = 0
    for k, c in enumerate(reversed(body)):
        d = int(c) * (2 if k % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


IMEI = _luhn("35209900176148")


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors and refused requests, as they happen."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"page {e}"))
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return seen


def test_an_officer_registers_a_found_phone_and_sees_its_match(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    lost = {
        "category": "phone", "description": "在音乐喷泉附近丢失黑色华为手机，透明手机壳",
        "colour": "黑色", "brand": "华为", "identifiers": {"imei": IMEI},
        "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
        "at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(), "contact_phone": "13912345678",
    }  # fmt: skip
    r = demo.call("POST", "/services/lost-found/lost", citizen, json=lost)
    assert r.status_code == 201, r.text
    report = r.json()["item"]
    threshold = demo.call("GET", "/catalogue/lost-found", citizen).json()["alert_threshold"]

    page = new_page(browser)  # 1400 px wide
    problems = _watch(page)
    login(page, demo, "officer")
    assert page.query_selector('#nav a[data-view="lost"]')
    page.click('#nav a[data-view="lost"]')
    page.wait_for_selector(f"{FORM} select[name=category] option[value=phone]", state="attached")
    wait_until(page, "document.querySelectorAll('#lf-items tbody tr[data-item]').length > 0")
    assert page.inner_text(f"{FORM} select[name=category] option[value=phone]") == "手机"
    assert page.input_value(f"{FORM} input[name=at]")  # now, editable

    # nothing filled in: each required field says so, nothing is sent
    page.click(f"{FORM} button[type=submit]")
    for name in ("category", "description", "holder", "storage", "place"):
        assert page.inner_text(f'{FORM} [data-for="{name}"]'), name

    page.select_option(f"{FORM} select[name=category]", "phone")
    page.fill(f"{FORM} textarea[name=description]", f"拾到黑色华为手机一部{MARKUP}")
    page.fill(f"{FORM} input[name=colour]", "黑色")
    page.fill(f"{FORM} input[name=brand]", "华为")
    page.select_option(f"{FORM} select[name=identifier_kind]", "imei")
    page.fill(f"{FORM} input[name=identifier]", IMEI)
    page.fill(f"{FORM} textarea[name=hidden_details]", "锁屏是一只橘猫")
    page.click(f"{FORM} input[name=place]")
    page.keyboard.type("音乐")
    page.wait_for_selector("#lf-places li[aria-selected=true]")
    assert page.get_attribute("#lf-places li[aria-selected=true]", "data-code") == "music_fountain"
    page.keyboard.press("Enter")  # takes the place, does not send the form
    assert page.input_value(f"{FORM} input[name=place]") == "音乐喷泉"
    assert page.input_value(f"{FORM} input[name=lon]") == ""  # by name, no map point
    page.fill(f"{FORM} input[name=holder]", "音乐喷泉警务站")
    page.fill(f"{FORM} input[name=storage]", "失物柜A3")
    page.focus(f"{FORM} input[name=storage]")
    page.keyboard.press("Enter")  # the keyboard sends the form

    case = page.wait_for_selector("#lf-result .case-no").inner_text()
    officer = demo.token("officer")
    found = demo.call("GET", "/services/lost-found/items", officer, params={"kind": "found"}).json()
    item = next(i for i in found["items"] if i["case_number"] == case)
    assert item["place"] == "音乐喷泉" and item["holder"] == "音乐喷泉警务站"
    assert item["lon"] == pytest.approx(FOUNTAIN[0], abs=0.01)

    # in the list, the typed markup as text
    row = f'#lf-items tbody tr[data-item="{item["id"]}"]'
    page.wait_for_selector(row)
    assert page.inner_text(f"{row} td.desc") == f"拾到黑色华为手机一部{MARKUP}"
    assert page.evaluate(f"document.querySelector('{row} td.desc').children.length") == 0
    assert page.evaluate("window.pwned") is None
    cells = page.eval_on_selector_all(f"{row} td", "ts => ts.map(t => t.textContent)")
    assert cells[1] == "拾得物" and cells[2] == "手机" and cells[4] == "黑色"
    assert cells[5] == "音乐喷泉" and cells[7] == "登记中"

    # its matches: the citizen's report first, with its reason, marked at the threshold
    first = "#lf-match-list li:first-child"
    page.wait_for_selector(first)
    assert page.get_attribute(first, "data-item") == str(report["id"])
    ranked = demo.call("GET", f"/services/lost-found/items/{item['id']}/matches", officer,
                       params={"limit": 10}).json()  # fmt: skip
    assert ranked[0]["item_id"] == report["id"]
    assert page.inner_text(f"{first} .reason") == ranked[0]["reason_zh"]
    assert page.inner_text(f"{first} button.case") == report["case_number"]
    assert ("alert" in (page.get_attribute(first, "class") or "")) == (
        ranked[0]["score"] >= threshold
    )
    assert len(page.query_selector_all("#lf-match-list li")) == len(ranked) <= 10
    page.screenshot(path=shots / "lost-desk.png")

    # in English the reason is the English one; the list's words follow
    page.click("#lang")
    wait_until(
        page,
        f"document.querySelector('{first} .reason')?.textContent === {ranked[0]['reason_en']!r}",
    )
    wait_until(
        page, f"document.querySelector('{row} td:nth-child(2)')?.textContent === 'Found item'"
    )
    page.click("#lang")
    wait_until(page, f"document.querySelector('{row} td:nth-child(2)')?.textContent === '拾得物'")

    # picking the report in the list (keyboard) shows its own matches: the phone among them
    page.select_option("#lf-kind", "lost")
    rows = "[...document.querySelectorAll('#lf-items tbody tr[data-item]')]"
    wait_until(page, f"{rows}.every(r => r.dataset.kind === 'lost')")
    report_row = f'#lf-items tbody tr[data-item="{report["id"]}"] button.case'
    page.wait_for_selector(report_row)
    page.focus(report_row)
    page.keyboard.press("Enter")
    heading = "document.querySelector('#lf-matches h3')?.textContent"
    wait_until(page, f"{heading}.includes('{report['case_number']}')")
    page.wait_for_selector(f'#lf-match-list li[data-item="{item["id"]}"]')
    assert not problems, problems
    page.close()


def test_the_desk_fits_a_phone_and_a_citizen_has_none(demo, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=390, height=800)
    problems = _watch(page)
    login(page, demo, "officer")
    page.goto(demo.url + "/#lost")
    page.wait_for_selector(f"{FORM} select[name=category] option[value=phone]", state="attached")
    wait_until(page, "document.querySelectorAll('#lf-items tbody tr').length > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page
    box = page.locator(f"{FORM} button[type=submit]").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert not problems, problems
    page.close()

    page = new_page(browser)
    problems = _watch(page)
    login(page, demo, "citizen")
    assert page.query_selector('#nav a[data-view="lost"]') is None
    page.goto(demo.url + "/#lost")
    page.wait_for_selector("#view-citizen:not([hidden])")
    assert page.is_hidden("#view-lost")
    assert not problems, problems
    page.close()
