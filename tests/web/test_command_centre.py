"""The command centre in real headless Chromium against a real `pingan demo` server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)


def _report(demo, token: str, summary: str) -> dict:  # type: ignore[no-untyped-def]
    r = demo.call(
        "POST",
        "/incidents",
        token,
        json={"type": "disturbance", "summary": summary, "lon": FOUNTAIN[0],
              "lat": FOUNTAIN[1], "area_code": "music_fountain", "source": "call_110"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _responded(page, expect: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """The KPI board's "responded today" tile, freshly loaded (waiting for `expect`)."""
    base = page.url.split("#")[0]
    tile = '[data-kpi="responded"] .v'
    for _ in range(20):
        loads = page.evaluate("Number(document.querySelector('#kpi-tiles').dataset.loads || 0)")
        page.goto(base + "#map")
        page.goto(base + "#kpi")
        wait_until(
            page, f"Number(document.querySelector('#kpi-tiles').dataset.loads || 0) > {loads}"
        )
        value = int(page.inner_text(tile))
        if expect is None or value == expect:
            return value
        page.wait_for_timeout(500)
    return value


def test_dispatch_an_incident_live(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Log in, watch an incident arrive live, dispatch it, see the unit move and the KPI change."""
    page = new_page(browser)
    login(page, demo, "dispatcher")
    page.wait_for_selector("#live.ok")  # the live feed is connected
    page.wait_for_timeout(1500)  # roads and units drawn
    page.screenshot(path=shots / "map.png")
    before = _responded(page)

    page.goto(demo.url + "/#queue")
    commander = demo.token("commander")
    incident = _report(demo, commander, "音乐喷泉北侧游客与摊主发生争执")
    row = page.wait_for_selector(f'#queue tr:has-text("{incident["case_number"]}")', timeout=10_000)
    row.click()
    page.wait_for_selector("#dispatch-btn")
    reasons = page.inner_text("#recommendation")
    assert "预计到达" in reasons  # the recommendation shows its ETA and reasons
    page.screenshot(path=shots / "queue.png")
    page.click("#dispatch-btn")
    page.wait_for_selector("#timeline li:has-text('已派警')", timeout=10_000)
    detail = demo.call("GET", f"/incidents/{incident['id']}", commander).json()
    unit_id = detail["assignments"][0]["unit_id"]
    start = page.evaluate(f"(() => {{ const u = window.pingan.state.units.get({unit_id}); "
                          f"return [u.lon ?? u.post_lon, u.lat ?? u.post_lat]; }})()")  # fmt: skip

    # the crew acknowledges in the UI; the simulated crew sets off and drives along the road
    page.click("#incident-detail button:has-text('签收')")
    wait_until(
        page,
        f"""(() => {{ const u = window.pingan.state.units.get({unit_id});
            return u && u.lon != null && (u.lon !== {start[0]} || u.lat !== {start[1]}); }})()""",
        timeout=20_000,
    )
    page.goto(demo.url + "/#map")
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "map-moving.png")

    # the commander confirms the arrival (a fix at the scene, or an override with its reason)
    r = demo.call(
        "POST",
        f"/incidents/{incident['id']}/units/{unit_id}/on-scene",
        commander,
        json={"override_reason": "视频确认到场 / arrival seen on video"},
    )
    now = demo.call("GET", f"/incidents/{incident['id']}", commander).json()
    assert r.status_code == 200 or now["on_scene_at"], r.text  # or the crew got there first
    assert _responded(page, expect=before + 1) == before + 1
    page.close()


def test_live_feed_resumes_without_gaps_or_duplicates(demo, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    login(page, demo, "commander")
    page.goto(demo.url + "/#queue")
    page.wait_for_selector("#live.ok")
    reconnects = page.evaluate("window.pingan.live.stats.reconnects")
    page.evaluate("window.pingan.dropLive()")
    incident = _report(demo, demo.token("dispatcher"), "断线期间的新警情")
    page.wait_for_selector(f'#queue tr:has-text("{incident["case_number"]}")', timeout=15_000)
    assert page.locator(f'#queue tr:has-text("{incident["case_number"]}")').count() == 1
    assert page.evaluate("window.pingan.live.stats.reconnects") > reconnects
    page.close()


def test_citizen_reports_and_follows_a_case(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """A lost item through the registry and a missing person through the missing-person
    service, each in the citizen's own case list; the form survives an expired session."""
    page = new_page(browser, 400, 820)
    login(page, demo, "citizen")
    citizen = demo.token("citizen")
    page.wait_for_selector("#citizen-form")
    page.click("#citizen-form button[type=submit]")  # empty: every field says why, in Chinese
    assert page.inner_text('[data-for="type"]') == "此项必填"
    assert "至少填写5个字" in page.inner_text('[data-for="description"]')
    assert "请在地图上点选" in page.inner_text('[data-for="place"]')
    page.select_option("#citizen-form select[name=type]", "lost_item")
    codes = [c["code"] for c in demo.call("GET", "/catalogue/item-categories", citizen).json()]
    options = page.eval_on_selector_all(
        "#citizen-form select[name=category] option", "os => os.map(o => o.value)"
    )
    assert options == ["", *codes]  # the registry's categories, nothing made up here
    page.select_option("#citizen-form select[name=category]", "bag")
    page.fill("#citizen-form input[name=colour]", "黑色")
    page.select_option("#citizen-form select[name=area_code]", "music_fountain")
    page.fill("#citizen-form input[name=place]", "音乐喷泉南侧台阶")
    page.fill("#citizen-form textarea[name=description]", "黑色双肩包一个，内有笔记本电脑")
    page.fill("#citizen-form input[name=phone]", "12345")
    page.click("#citizen-form button[type=submit]")
    assert page.inner_text('[data-for="phone"]') == "请填写11位手机号码"

    # the session expires with the form half-filled: back to login, nothing lost
    token = page.evaluate("sessionStorage.getItem('pingan.token')")
    assert demo.call("POST", "/auth/logout", token).status_code in (200, 204)
    page.fill("#citizen-form input[name=phone]", "13800138000")
    page.click("#citizen-form button[type=submit]")
    page.wait_for_selector("#login-note:not([hidden])")
    assert "登录已过期" in page.inner_text("#login-note")
    login(page, demo, "citizen")
    page.wait_for_selector("#view-citizen:not([hidden])")
    kept = page.input_value("#citizen-form textarea[name=description]")
    assert kept == "黑色双肩包一个，内有笔记本电脑"
    assert page.input_value("#citizen-form select[name=category]") == "bag"

    page.click("#citizen-form button[type=submit]")
    lost_case = page.wait_for_selector("#citizen-result .case-no").inner_text()
    page.wait_for_selector(f'#my-cases li[data-case="{lost_case}"][data-kind="lost_item"]')
    own = demo.call("GET", "/services/lost-found/items", citizen).json()["items"]
    item = next(i for i in own if i["case_number"] == lost_case)  # in the registry
    assert (item["kind"], item["category"], item["area_code"]) == ("lost", "bag", "music_fountain")
    assert item["contact_phone_masked"] != "13800138000"

    # a missing child: a wrong guardian ID is refused by the service, shown at the field
    page.select_option("#citizen-form select[name=type]", "missing_person")
    page.select_option("#citizen-form select[name=person_kind]", "child")
    page.fill("#citizen-form input[name=name]", "小明")
    page.fill("#citizen-form input[name=age]", "6")
    page.fill("#citizen-form input[name=clothing]", "红色上衣，蓝色短裤")
    page.fill("#citizen-form input[name=guardian_name]", "王女士")
    page.fill("#citizen-form input[name=guardian_id_number]", "110105194912310021")
    page.click("#place-map", position={"x": 200, "y": 100})  # the place from the small map
    page.fill("#citizen-form textarea[name=description]", "男孩，身高约1.1米，短发")
    page.fill("#citizen-form input[name=phone]", "13800138000")
    page.click("#citizen-form button[type=submit]")
    page.wait_for_selector('[data-for="guardian_id_number"]:has-text("校验")')
    page.fill("#citizen-form input[name=guardian_id_number]", "11010519491231002X")
    page.click("#citizen-form button[type=submit]")
    wait_until(
        page,
        f"(() => {{ const b = document.querySelector('#citizen-result .case-no');"
        f" return b && b.textContent !== '{lost_case}'; }})()",
    )
    missing_case = page.inner_text("#citizen-result .case-no")
    page.wait_for_selector(f'#my-cases li[data-case="{missing_case}"][data-kind="missing_person"]')
    reports = demo.call("GET", "/services/missing", citizen).json()["items"]
    report = next(r for r in reports if r["case_number"] == missing_case)
    assert report["kind"] == "child" and report["incident_id"]
    # the report's own incident is listed once, as the report
    assert page.locator("#my-cases li").count() == page.locator("#my-cases li[data-case]").count()
    opened = demo.call("GET", f"/incidents/{report['incident_id']}", citizen).json()
    assert opened["type_code"] == "missing_person"
    assert page.locator(f'#my-cases li[data-case="{opened["case_number"]}"]').count() == 0
    page.screenshot(path=shots / "citizen.png", full_page=True)
    page.close()


def test_views_and_the_map_under_500_units_and_200_incidents(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Screens of the other views, and the map keeps drawing frames while 500 units and 200
    incidents are redrawn every second (its frame time: bench/map_frames.py)."""
    page = new_page(browser)
    login(page, demo, "commander")
    for view, ready in (("crowd", "#crowd-table tbody tr"),):
        page.goto(f"{demo.url}/#{view}")
        page.wait_for_selector(ready)
        page.wait_for_timeout(800)
        page.screenshot(path=shots / f"{view}.png")
    page.goto(demo.url + "/#map")
    page.wait_for_selector("#live.ok")
    page.wait_for_timeout(1000)
    result = page.evaluate("window.pingan.stress(500, 200, 3, {labels: true})")
    assert result["frames"] > 0 and len(result["draw_ms"]) >= 2  # redrawn, and frames went on
    assert result["label_ms"] and result["labels_placed"] > 0  # the labels were redrawn too
    page.close()

    phone = new_page(browser, 390, 800)
    login(phone, demo, "officer")
    phone.wait_for_selector("#view-officer:not([hidden])")
    phone.wait_for_timeout(800)
    phone.screenshot(path=shots / "officer.png")
    phone.close()
