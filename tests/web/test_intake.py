"""The 接警 form in headless Chromium: a call entered by keyboard alone and dispatched, and a
duplicate call attached to the open incident instead of becoming a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)


def _open_form(page) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.press("F2")
    page.wait_for_selector("#intake[open]")
    assert page.evaluate("document.activeElement.name") == "phone"


def _choose_type(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """ArrowDown on the focused type list until `code` is chosen (the keyboard's way)."""
    codes = page.evaluate(
        "[...document.querySelectorAll('#intake-form select[name=type] option')].map((o)=>o.value)"
    )
    for _ in range(codes.index(code)):
        page.keyboard.press("ArrowDown")
    assert page.input_value("#intake-form select[name=type]") == code


def test_a_call_entered_by_keyboard_only_and_dispatched(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    login(page, demo, "dispatcher")
    page.goto(demo.url + "/#queue")
    page.wait_for_selector("#intake-open:not([hidden])")
    assert "F2" in page.inner_text("#intake-open")  # the shortcut is shown

    # Enter on an empty form: each field says what is missing, in the page's language
    _open_form(page)
    page.keyboard.press("Enter")
    assert page.inner_text('#intake-form [data-for="place"]') == "请选择地点或在地图上点选"
    assert page.inner_text('#intake-form [data-for="summary"]') == "请填写警情描述"
    page.keyboard.press("Escape")  # Esc cancels
    wait_until(page, "!document.querySelector('#intake').open")

    # the full call: number, place by pinyin initials, type, text; Enter sends it with its units
    _open_form(page)
    page.keyboard.type("13912345678")
    page.keyboard.press("Tab")
    page.keyboard.type("bwhlyj1l")  # 北外环路与经1路(交叉口), by initials
    page.wait_for_selector("#intake-places li[aria-selected=true]")
    first = page.inner_text("#intake-places li[aria-selected=true]")
    assert first.startswith("北外环路与经1路交叉口")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # takes the highlighted place, does not submit
    assert page.input_value("#intake-form input[name=place]") == "北外环路与经1路交叉口"
    page.keyboard.press("Tab")
    _choose_type(page, "fight")
    page.keyboard.press("Tab")
    assert page.input_value("#intake-form select[name=priority]") == "1"  # the type's default
    page.keyboard.press("Tab")
    page.keyboard.type("路口两名男子互殴，一人头部流血")
    page.wait_for_selector("#intake-picks input:checked", timeout=15_000)  # before entering it
    picked = page.evaluate(
        "[...document.querySelectorAll('#intake-picks input:checked')].map((x) => Number(x.value))"
    )
    page.screenshot(path=shots / "intake.png")
    page.keyboard.press("Enter")

    closed = "!document.querySelector('#intake').open"
    wait_until(page, closed + " && /^#queue\\/\\d+$/.test(location.hash)")
    incident_id = int(page.evaluate("location.hash.split('/')[1]"))
    token = demo.token("commander")
    inc = demo.call("GET", f"/incidents/{incident_id}", token).json()
    assert inc["type_code"] == "fight" and inc["priority"] == 1 and inc["source"] == "call_110"
    assert inc["address"] == "北外环路与经1路交叉口"
    assert inc["reporter_phone_masked"] == "139****5678"
    assert sorted(a["unit_id"] for a in inc["assignments"]) == sorted(picked)
    assert inc["state"] == "dispatched"
    page.wait_for_selector("#timeline li:has-text('已派警')", timeout=10_000)
    assert inc["case_number"] in page.inner_text("#intake-note")

    # the same checks speak English once the page does
    page.click("#lang")
    _open_form(page)
    page.keyboard.press("Enter")
    assert page.inner_text('#intake-form [data-for="place"]') == "choose a place or click the map"
    page.keyboard.press("Escape")
    page.click("#lang")
    page.close()


def test_a_duplicate_call_is_attached_to_the_open_incident(demo, browser) -> None:  # type: ignore[no-untyped-def]
    token = demo.token("commander")
    place = demo.call("GET", "/geo/places", token, params={"q": "音乐喷泉", "limit": 1}).json()[0]
    r = demo.call("POST", "/incidents", token, json={
        "type": "fight", "summary": "音乐喷泉旁两人打架", "lon": place["lon"], "lat": place["lat"],
        "area_code": "music_fountain", "source": "call_110"})  # fmt: skip
    assert r.status_code == 201, r.text
    first = r.json()

    page = new_page(browser)
    login(page, demo, "dispatcher")
    page.goto(demo.url + "/#queue")
    page.click("#intake-open")
    page.wait_for_selector("#intake[open]")
    page.fill("#intake-form input[name=phone]", "13700001234")
    page.fill("#intake-form input[name=place]", "音乐喷泉")
    page.wait_for_selector("#intake-places li[data-code=music_fountain]")
    page.click("#intake-places li[data-code=music_fountain]")
    page.select_option("#intake-form select[name=type]", "disturbance")  # same family as a fight
    dup = page.wait_for_selector(f'#intake-dups .dup[data-id="{first["id"]}"]', timeout=15_000)
    assert first["case_number"] in dup.inner_text()
    page.fill("#intake-form textarea[name=summary]", "又一位游客报警：喷泉边有人打架")
    dup.query_selector("button.intake-attach").click()

    closed = "!document.querySelector('#intake').open"
    wait_until(page, closed + f" && location.hash === '#queue/{first['id']}'")
    page.wait_for_selector("#timeline li:has-text('又一位游客报警')", timeout=10_000)
    inc = demo.call("GET", f"/incidents/{first['id']}", token).json()
    step = inc["timeline"][-1]
    assert step["kind"] == "call_attached" and step["data"]["caller"] == "137****1234"
    same = demo.call("GET", "/incidents", token, params={"limit": 500}).json()["items"]
    assert not [i for i in same if i["summary"].startswith("又一位游客报警")]  # no new incident
    page.close()
