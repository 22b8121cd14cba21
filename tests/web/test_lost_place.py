"""The citizen's lost-item report placed by a name from the city's gazetteer: typed, picked
from the suggestions by keyboard, no map tap; an unknown name refused at the place field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)
FORM = "#citizen-form"
AREA = "select[name=area_code] option[value=music_fountain]"


def _lost_item(page, description: str) -> None:  # type: ignore[no-untyped-def]
    """Everything a lost-item report needs but its place."""
    page.select_option(f"{FORM} select[name=type]", "lost_item")
    page.select_option(f"{FORM} select[name=category]", "bag")
    page.fill(f"{FORM} textarea[name=description]", description)
    page.fill(f"{FORM} input[name=phone]", "13800138000")


def _lost_items(demo, token: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return demo.call("GET", "/services/lost-found/items", token, params={"kind": "lost"}).json()[
        "items"
    ]


def test_a_lost_item_placed_by_a_picked_place_name(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    fountain = demo.call("GET", "/geo/places", citizen, params={"q": "音乐喷泉", "limit": 1}).json()
    fountain = fountain[0]
    assert fountain["code"] == "music_fountain"

    page = new_page(browser)
    login(page, demo, "citizen")
    page.wait_for_selector(f"{FORM} {AREA}", state="attached")  # the form is filled in
    _lost_item(page, "灰色双肩包，侧袋有一把雨伞")

    page.click(f"{FORM} input[name=place]")
    page.keyboard.type("音乐")
    page.wait_for_selector("#citizen-places li[aria-selected=true]")
    assert page.get_attribute(f"{FORM} input[name=place]", "aria-expanded") == "true"
    codes = page.eval_on_selector_all("#citizen-places li", "ls => ls.map(l => l.dataset.code)")
    assert codes[0] == "music_fountain" and len(codes) > 1  # the fountain and its posts
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#citizen-places li[aria-selected=true]", "data-code") == codes[1]
    page.keyboard.press("ArrowUp")
    assert page.get_attribute("#citizen-places li[aria-selected=true]", "data-code") == codes[0]
    kind = page.inner_text("#citizen-places li[aria-selected=true] .kind")
    assert kind == "景区/广场"  # in residents' words
    page.screenshot(path=shots / "citizen-lost-place.png")
    page.keyboard.press("Enter")  # takes the place, does not send the form
    assert page.input_value(f"{FORM} input[name=place]") == "音乐喷泉"
    assert page.is_hidden("#citizen-places")
    assert page.input_value(f"{FORM} input[name=lon]") == ""  # no map tap, no area chosen
    assert page.input_value(f"{FORM} select[name=area_code]") == ""
    assert page.inner_text("#citizen-result") == ""

    page.click(f"{FORM} button[type=submit]")
    case = page.wait_for_selector("#citizen-result .case-no").inner_text()
    item = next(i for i in _lost_items(demo, citizen) if i["case_number"] == case)
    assert (item["lon"], item["lat"]) == pytest.approx((fountain["lon"], fountain["lat"]), abs=1e-6)
    assert item["area_code"] == "music_fountain"
    page.close()


def test_an_unknown_place_is_refused_at_the_field(demo, browser) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    before = len(_lost_items(demo, citizen))
    page = new_page(browser)
    login(page, demo, "citizen")
    page.wait_for_selector(f"{FORM} {AREA}", state="attached")  # the form is filled in
    _lost_item(page, "黑色钱包，内有银行卡两张")
    page.fill(f"{FORM} input[name=place]", "音月喷泉")  # a wrong character, nothing picked
    page.click(f"{FORM} button[type=submit]")
    error = f'{FORM} [data-for="place"]'
    wait_until(page, f"document.querySelector('{error}').textContent !== ''")
    said = page.inner_text(error)
    assert "音月喷泉" in said and "音乐喷泉" in said  # the server's words, with the close names
    assert page.evaluate(f"document.querySelector('{error}').children.length") == 0  # text only
    assert "invalid" in page.get_attribute(f"{FORM} input[name=place]", "class")
    assert page.query_selector("#citizen-result .case-no") is None
    assert len(_lost_items(demo, citizen)) == before  # nothing stored

    # in English the same refusal comes in English
    page.click("#lang")
    page.click(f"{FORM} button[type=submit]")
    wait_until(page, f"document.querySelector('{error}').textContent.includes('Music Fountain')")
    page.click("#lang")
    assert len(_lost_items(demo, citizen)) == before
    page.close()
